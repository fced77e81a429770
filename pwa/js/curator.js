// The CMS's shared behaviour: fetch() calls carry the CSRF token from the page's meta tag.
const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export function post(url, body) {
  const headers = { "X-CSRFToken": token };
  return fetch(url, { method: "POST", body, headers, credentials: "same-origin" });
}
