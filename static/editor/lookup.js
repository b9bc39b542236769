// Suggestions while typing in a field tied to a <datalist data-url>: entities and their aliases,
// archive articles by headline. The server answers {"results": [{"value", "label"}]}.

const DELAY_MS = 200;

export function lookup(root) {
  for (const input of root.querySelectorAll("input[list]")) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list?.dataset.url) continue;
    let timer = 0;
    let asked = "";
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const query = input.value.trim();
        if (query.length < 2 || query === asked) return;
        asked = query;
        const url = `${list.dataset.url}?${new URLSearchParams({ q: query })}`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok || input.value.trim() !== query) return;
        const { results } = await response.json();
        list.replaceChildren(
          ...results.map(({ value, label }) => {
            const option = document.createElement("option");
            option.value = value;
            option.label = label;
            return option;
          }),
        );
      }, DELAY_MS);
    });
  }
}
