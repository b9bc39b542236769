// The Web Annotation Protocol, as the workspace uses it: JSON-LD in and out, CSRF, ETags.

export const ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld";
const MEDIA_TYPE = `application/ld+json; profile="${ANNO_CONTEXT}"`;

export class ApiError extends Error {
  constructor(status, message, field = "") {
    super(message);
    this.status = status;
    this.field = field;
  }

  // The annotation or the text changed since the page was loaded: reloading shows the current state.
  get isConflict() {
    return this.status === 409 || this.status === 412 || this.field === "target.selector";
  }
}

function csrfToken() {
  const found = document.cookie.split(/;\s*/).find((pair) => pair.startsWith("csrftoken="));
  if (found) return decodeURIComponent(found.slice("csrftoken=".length));
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// Send a request; return {data, etag, location} (data null for 204) or throw ApiError.
export async function send(method, url, { body = null, etag = null } = {}) {
  const headers = { Accept: "application/ld+json", "X-CSRFToken": csrfToken() };
  if (body !== null) headers["Content-Type"] = MEDIA_TYPE;
  if (etag) headers["If-Match"] = etag;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === null ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "the server could not be reached; check your connection");
  }
  if (response.ok) {
    const data = response.status === 204 ? null : await response.json();
    return { data, etag: response.headers.get("ETag"), location: response.headers.get("Location") };
  }
  let message = `the server answered ${response.status} ${response.statusText}`.trim();
  let field = "";
  try {
    const error = await response.json();
    message = error.error || message;
    field = error.field || "";
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  throw new ApiError(response.status, message, field);
}

// A new annotation on the canonical span [start, end) of the article `source`.
export function textAnnotation({ source, motivation, quote, start, end, body, visibility }) {
  const annotation = {
    "@context": ANNO_CONTEXT,
    type: "Annotation",
    motivation,
    target: {
      type: "SpecificResource",
      source,
      selector: [
        { type: "TextQuoteSelector", exact: quote },
        { type: "TextPositionSelector", start, end },
      ],
    },
    "pal:visibility": visibility,
  };
  if (body) annotation.body = { type: "TextualBody", value: body, format: "text/plain" };
  return annotation;
}

export function reply({ parent, body, visibility }) {
  return {
    "@context": ANNO_CONTEXT,
    type: "Annotation",
    motivation: "replying",
    target: parent,
    body: { type: "TextualBody", value: body, format: "text/plain" },
    "pal:visibility": visibility,
  };
}

// PUT the annotation at `url` with `change` applied to its current representation. The ETag sent
// is the one the page was rendered with, so a change made by someone else since is refused (412).
export async function change(url, pageEtag, apply) {
  const { data } = await send("GET", url);
  apply(data);
  return send("PUT", url, { body: data, etag: pageEtag });
}
