// Photo and recording fields of the CMS (guide/media/templates/media/upload_field.html): a
// chosen file is sent at once; the server checks, cleans and stores it under its hash, and the
// field's hidden input receives its path, saved with the record like any other field.
const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

function setStatus(field, message, state) {
  const status = field.querySelector("[data-media-status]");
  status.textContent = message;
  status.dataset.state = state;
}

function showPreview(field, kind, result) {
  const preview = field.querySelector("[data-media-preview]");
  preview.replaceChildren();
  if (kind === "image") {
    const image = document.createElement("img");
    const smallest = result.variants.find((variant) => variant.format === "webp");
    image.src = smallest ? smallest.url : result.url;
    image.alt = "";
    preview.append(image);
  } else {
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "metadata";
    audio.src = result.url;
    preview.append(audio);
  }
  const current = field.querySelector("[data-media-current]");
  const code = document.createElement("code");
  code.textContent = result.path;
  current.replaceChildren(code);
}

async function upload(field, input) {
  const file = input.files[0];
  if (!file) return;
  const kind = field.dataset.kind;
  const progress = field.querySelector("[data-media-progress]");
  const body = new FormData();
  body.append("kind", kind);
  body.append("file", file);
  setStatus(field, field.dataset.msgUploading, "busy");
  progress.hidden = false;
  field.setAttribute("aria-busy", "true");
  input.disabled = true;
  try {
    const response = await fetch(field.dataset.uploadUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    });
    let result = null;
    try {
      result = await response.json();
    } catch {
      result = null;
    }
    if (!response.ok || !result || !result.path) {
      setStatus(field, result?.message || field.dataset.msgFailed, "error");
      return;
    }
    const hidden = field.querySelector("[data-media-path]");
    hidden.value = result.path;
    // The editor listens to mark its form changed; input/change bubble like a typed value.
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
    field.dispatchEvent(new CustomEvent("media-uploaded", { bubbles: true, detail: result }));
    showPreview(field, kind, result);
    setStatus(field, field.dataset.msgDone, "done");
  } catch {
    setStatus(field, field.dataset.msgFailed, "error");
  } finally {
    progress.hidden = true;
    field.removeAttribute("aria-busy");
    input.disabled = false;
    input.value = "";
  }
}

export function init(root = document) {
  for (const field of root.querySelectorAll("[data-media-field]:not([data-media-ready])")) {
    field.dataset.mediaReady = "";
    const input = field.querySelector("[data-media-file]");
    input.addEventListener("change", () => upload(field, input));
  }
}

init();
