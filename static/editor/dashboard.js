// Dashboard: a "select all" box in the head of each review table (without this script, check rows one by one).

for (const form of document.querySelectorAll(".review-batch")) {
  const boxes = [...form.querySelectorAll("tbody input[type=checkbox]")];
  const head = form.querySelector("thead th");
  if (!boxes.length || !head) continue;
  const all = document.createElement("input");
  all.type = "checkbox";
  all.setAttribute("aria-label", "Select all rows");
  head.replaceChildren(all);
  all.addEventListener("change", () => boxes.forEach((box) => (box.checked = all.checked)));
  form.addEventListener("change", (event) => {
    if (event.target === all) return;
    const checked = boxes.filter((box) => box.checked).length;
    all.checked = checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  });
}
