// The editor: Markdown previews rendered by the server (sanitised like the public pages), stops
// moved up and down, and a warning before leaving a form with unsaved changes.
const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const DELAY = 400;
const markdownUrl = document.querySelector("[data-markdown-url]")?.dataset.markdownUrl ?? "/curator/markdown";

function previewMarkdown(textarea) {
  const target = document.getElementById(textarea.dataset.markdown);
  if (!target) return;
  let timer = 0;
  let sent = 0;
  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const ticket = ++sent;
      try {
        const response = await fetch(markdownUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ text: textarea.value, lang: textarea.lang }),
        });
        if (!response.ok || ticket !== sent) return;
        const { html } = await response.json();
        // The server's HTML is sanitised with nh3 (guide/text.render_markdown), as on the public pages.
        target.innerHTML = html;
      } catch {
        // Offline or signed out: the preview keeps its last state; saving will tell.
      }
    }, DELAY);
  });
}

function renumber(list) {
  list.querySelectorAll("[data-stop-number]").forEach((cell, index) => { cell.textContent = String(index + 1); });
}

function movableStops(list) {
  list.querySelectorAll("[data-move]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const item = button.closest("[data-stop]");
      const sibling = button.dataset.move === "up" ? item.previousElementSibling : item.nextElementSibling;
      if (!sibling) return;
      if (button.dataset.move === "up") sibling.before(item); else sibling.after(item);
      renumber(list);
      button.focus();
      item.closest("form")?.dispatchEvent(new Event("input"));
    });
  });
}

function warnBeforeLeaving(form) {
  let dirty = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
}

document.querySelectorAll("textarea[data-markdown]").forEach(previewMarkdown);
document.querySelectorAll("[data-stops]").forEach(movableStops);
document.querySelectorAll("form[data-editor]").forEach(warnBeforeLeaving);
