// The CMS's shared behaviour: fetch() calls carry the CSRF token from the page's meta tag.
const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export function post(url, body) {
  const headers = { "X-CSRFToken": token };
  return fetch(url, { method: "POST", body, headers, credentials: "same-origin" });
}

// A file input's own button and "no file" text come in the browser's language, not the page's:
// each one gets a button-like label and a file name written in the interface language.
function translateFileInputs(root = document) {
  const { fileChoose, fileNone } = document.body.dataset;
  if (!fileChoose) return;
  for (const input of root.querySelectorAll('input[type="file"]:not([data-picker])')) {
    if (!input.id) continue;
    input.dataset.picker = "";
    input.classList.add("file-input");
    const picker = document.createElement("span");
    picker.className = "file-picker";
    const label = document.createElement("label");
    label.className = "button";
    label.htmlFor = input.id;
    label.textContent = fileChoose;
    const name = document.createElement("span");
    name.className = "file-name";
    name.textContent = fileNone;
    picker.append(label, name);
    input.after(picker);
    input.addEventListener("change", () => {
      name.textContent = input.files.length ? [...input.files].map((file) => file.name).join(", ") : fileNone;
    });
  }
}

translateFileInputs();
export { translateFileInputs };
