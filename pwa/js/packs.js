// Offline packs: download a site's files into its own cache, resume, update, delete.
// A pack cache is "pack-<site>-<version>"; its descriptor, stored last, marks it complete.
// A pack holds one language or all of them (?lang= of the descriptor); its descriptor says which.
import { config, formatBytes, locale, t } from "./common.js";

const PREFIX = "pack-";
const PARALLEL = 3;
// Free space asked for beyond the download itself, as browsers count storage loosely.
const SPACE_MARGIN = 1.2;
const ALL = "all";

class PackError extends Error {
  constructor(reason, values = {}) {
    super(reason);
    this.reason = reason;
    this.values = values;
  }
}

const descriptorUrl = (site) => `/api/v1/packs/${site}`;
// Media and fingerprinted app files name their bytes: any cached copy is the right one.
const immutable = (url) => url.startsWith("/media/") || /[?&]v=/.test(url);
const allLanguages = () => config.languages || [];
const holdsAll = (langs) => allLanguages().every((lang) => langs.includes(lang));

async function fetchDescriptor(site, langs = ALL) {
  const query = langs === ALL || holdsAll(langs) ? "" : `?lang=${langs.join(",")}`;
  const response = await fetch(descriptorUrl(site) + query, { cache: "no-cache" });
  if (!response.ok) throw new PackError("offline");
  return response.json();
}

/** What this phone holds for a site: the complete pack, if any, and every cache of it. */
async function localPack(site) {
  const names = (await caches.keys()).filter((name) =>
    name.startsWith(`${PREFIX}${site}-`) && /^[0-9a-f]+$/.test(name.slice(PREFIX.length + site.length + 1)));
  let complete = null;
  let completeName = null;
  for (const name of names) {
    const marker = await (await caches.open(name)).match(descriptorUrl(site));
    if (marker) {
      complete = await marker.json();
      completeName = name;
    }
  }
  return { names, complete, completeName };
}

/** Bytes an update must fetch: files that are new or whose hash changed. */
function changedBytes(remote, local) {
  const known = new Map(local.files.map((file) => [file.url, file.sha256]));
  return remote.files.filter((file) => known.get(file.url) !== file.sha256)
    .reduce((sum, file) => sum + file.bytes, 0);
}

async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Read a response body as it arrives, reporting each chunk's size. */
async function readCounting(response, onBytes) {
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
    onBytes(value.byteLength);
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body.buffer;
}

/**
 * Run a site's download or deletion alone: two controls of one site (a page's first-screen offer
 * and its pack box) must not write, or delete, that site's caches at the same time.
 */
function exclusive(site, task) {
  if (!navigator.locks) return task();
  return navigator.locks.request(`${PREFIX}${site}`, task);
}

/** Download or update a site's pack in langs; returns how many files came over the network. */
function downloadPack(site, langs, onProgress) {
  return exclusive(site, () => downloadAlone(site, langs, onProgress));
}

async function downloadAlone(site, langs, onProgress) {
  const pack = await fetchDescriptor(site, langs);
  const local = await localPack(site);
  const name = `${PREFIX}${site}-${pack.version}`;
  const cache = await caches.open(name);
  const previous = local.completeName && local.completeName !== name ? await caches.open(local.completeName) : null;
  const previousHashes = new Map((local.complete?.files || []).map((file) => [file.url, file.sha256]));

  let done = 0;
  const todo = [];
  for (const file of pack.files) {
    // Resuming: what an interrupted download already stored stays.
    if (await cache.match(file.url)) done += file.bytes;
    else todo.push(file);
  }
  const reusable = (file) => previous && previousHashes.get(file.url) === file.sha256;
  const needed = todo.filter((file) => !reusable(file)).reduce((sum, file) => sum + file.bytes, 0);
  const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
  if (estimate?.quota && estimate.quota - estimate.usage < needed * SPACE_MARGIN) {
    const free = estimate.quota - estimate.usage;
    throw new PackError("no_space", { needed: formatBytes(needed), free: formatBytes(free) });
  }
  const report = () => onProgress(done, pack.bytes);
  report();

  let transferred = 0;
  const save = async (file) => {
    const copy = (reusable(file) && (await previous.match(file.url))) ||
      (immutable(file.url) && (await caches.match(file.url, { ignoreVary: true })));
    if (copy && copy.ok) {
      await cache.put(file.url, copy);
      done += file.bytes;
      report();
      return;
    }
    let response;
    let received = 0;
    let body;
    try {
      // No cookies: fetching /fr/ pages must not overwrite the visitor's language choice.
      response = await fetch(file.url, {
        cache: immutable(file.url) ? "default" : "no-cache",
        credentials: "omit",
      });
      // A player that fetched part of a recording leaves a partial entry in the HTTP cache, which
      // Chromium then answers with a 206: ask the network for the whole file.
      if (response.status === 206) response = await fetch(file.url, { cache: "reload", credentials: "omit" });
      if (response.status !== 200 || response.redirected) throw new PackError("interrupted");
      // Progress by bytes as they arrive, not by whole files.
      body = await readCounting(response, (bytes) => {
        received += bytes;
        done += bytes;
        report();
      });
    } catch (error) {
      done -= received;
      throw error instanceof PackError ? error : new PackError("interrupted");
    }
    // A page edited since the descriptor was read: store nothing stale under a wrong hash.
    if (body.byteLength !== file.bytes || (await sha256Hex(body)) !== file.sha256) {
      done -= received;
      throw new PackError("changed");
    }
    const headers = { "Content-Type": response.headers.get("Content-Type") || file.type };
    await cache.put(file.url, new Response(body, { status: 200, headers }));
    transferred += 1;
  };

  let next = 0;
  let failure = null;
  const worker = async () => {
    // After a failure, files being fetched finish (and count on resume), no new one starts.
    while (next < todo.length && !failure) {
      const file = todo[next++];
      try {
        await save(file);
      } catch (error) {
        failure ??= error;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  if (failure) throw failure;
  // Last: the descriptor, which tells the service worker that the pack is whole.
  await cache.put(descriptorUrl(site), new Response(JSON.stringify(pack), {
    headers: { "Content-Type": "application/json" },
  }));
  // What to delete is decided now, at the end: the caches this site holds once this one is whole.
  for (const other of (await localPack(site)).names) if (other !== name) await caches.delete(other);
  return { pack, transferred };
}

function deletePack(site) {
  return exclusive(site, async () => {
    for (const name of (await localPack(site)).names) await caches.delete(name);
  });
}

function percent(fraction) {
  return new Intl.NumberFormat(locale(), { style: "percent" }).format(fraction);
}

// Named in the page's language by the server (Babel), as its own pages name them.
const languageName = (lang) => config.language_names?.[lang] || lang;

/** Ask before deleting, in the page's own dialog; resolves true when the visitor confirms. */
function confirmDelete(siteName) {
  const dialog = document.getElementById("pack-confirm");
  if (!dialog || typeof dialog.showModal !== "function") return Promise.resolve(true);
  dialog.querySelector("[data-pack-confirm-text]").textContent = t("confirm_delete", { site: siteName });
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

// Every control of a site on the page follows a change made by any of them.
const CHANGED = "dalil:pack-changed";
// A download started or moved on, so every control of its site shows it.
const PROGRESS = "dalil:pack-progress";

/** Wire one site's control: show its size and state, download, update, add a language, delete. */
function setUp(box, summary) {
  const site = box.dataset.packBox;
  const button = box.querySelector("[data-pack]");
  const add = box.querySelector("[data-pack-add]");
  const remove = box.querySelector("[data-pack-delete]");
  const progress = box.querySelector("progress");
  const left = box.querySelector("[data-pack-left]");
  const status = box.querySelector("[role=status]");
  const choice = box.querySelector("[data-pack-langs]");
  const offer = box.hasAttribute("data-pack-offer");
  const siteName = box.dataset.packSiteName || summary?.names?.[config.lang] || site;
  button.dataset.pack = site;
  if (remove) remove.dataset.packDelete = site;
  if (add) add.dataset.packAdd = site;
  // busy: a download of this site is under way, this control's or a sibling's; running: this one's.
  let busy = false;
  let running = false;
  // Each look at the phone and each download takes a turn; a look overtaken by a newer one shows nothing.
  let turn = 0;
  // Saved from this very control: it stays to say so, until the next page.
  let used = false;
  let sizes = {};

  const chosen = () => {
    const picked = choice?.querySelector("input:checked");
    return !picked || picked.value === ALL ? ALL : [picked.value];
  };
  const idleLabel = (size) => (offer ? t("save", { site: siteName, size }) : t("download", { size }));

  const show = (state, label, message = "") => {
    button.dataset.packState = state;
    button.textContent = label;
    button.disabled = state === "downloading" || state === "checking";
    status.textContent = message;
  };

  const fillChoice = async () => {
    if (!choice || allLanguages().length < 2) return;
    const mine = allLanguages().includes(config.lang) ? config.lang : allLanguages()[0];
    try {
      const [one, every] = await Promise.all([fetchDescriptor(site, [mine]), fetchDescriptor(site, ALL)]);
      sizes = { [mine]: one.bytes, [ALL]: every.bytes };
    } catch {
      return;
    }
    const [onlyInput] = choice.querySelectorAll("input");
    onlyInput.value = mine;
    choice.querySelector("[data-pack-lang-only]").textContent =
      t("only_language", { language: languageName(mine), size: formatBytes(sizes[mine]) });
    choice.querySelector("[data-pack-lang-all]").textContent =
      t(allLanguages().length === 2 ? "both_languages" : "all_languages", { size: formatBytes(sizes[ALL]) });
    choice.hidden = false;
  };

  const refresh = async (message = "") => {
    const mine = ++turn;
    const stale = () => busy || mine !== turn;
    const local = await localPack(site);
    let remote = summary;
    try {
      if (local.complete) {
        // An update is checked against a pack of the same languages.
        if (!remote || remote.version !== local.complete.version) {
          remote = await fetchDescriptor(site, local.complete.languages || ALL);
        }
      } else {
        remote = null;
      }
    } catch {
      remote = null;
    }
    summary = null; // sizes and versions may change: ask again next time
    // A download started while this looked (a tap during the first check): its end refreshes.
    if (stale()) return;
    if (remove) remove.hidden = local.names.length === 0;
    if (choice) choice.hidden = true;
    if (add) add.hidden = true;
    left.textContent = "";
    if (local.complete && (!remote || remote.version === local.complete.version)) {
      show("complete", t("check_update"), message || t("saved", { size: formatBytes(local.complete.bytes) }));
      const missing = allLanguages().filter((lang) => !(local.complete.languages || allLanguages()).includes(lang));
      if (add && missing.length && navigator.onLine !== false) {
        try {
          const every = await fetchDescriptor(site, ALL);
          add.textContent = t("add_language", {
            language: missing.map(languageName).join(", "),
            size: formatBytes(changedBytes(every, local.complete)),
          });
          add.hidden = false;
        } catch {
          // Offline: adding a language waits for a connection.
        }
      }
    } else if (local.complete) {
      show("update", t("update", { size: formatBytes(changedBytes(remote, local.complete)) }), message);
    } else if (local.names.length) {
      show("partial", t("resume"), message || t("interrupted"));
    } else {
      await fillChoice();
      if (stale()) return;
      const size = sizes[chosen() === ALL ? ALL : chosen()[0]];
      if (size !== undefined) show("idle", idleLabel(formatBytes(size)), message);
      else {
        let every = null;
        try {
          every = await fetchDescriptor(site, ALL);
        } catch {
          // Offline: no size to show.
        }
        if (stale()) return;
        show("idle", idleLabel(every ? formatBytes(every.bytes) : "…"), message || (every ? "" : t("offline")));
      }
    }
    // The offer on a page's first screen is for sites not saved yet.
    if (offer && !busy) box.hidden = button.dataset.packState === "complete" && !used;
  };

  choice?.addEventListener("change", () => {
    const size = sizes[chosen() === ALL ? ALL : chosen()[0]];
    if (size !== undefined && button.dataset.packState === "idle") button.textContent = idleLabel(formatBytes(size));
  });

  const following = (done, total) => {
    busy = true;
    progress.hidden = false;
    if (choice) choice.hidden = true;
    if (add) add.hidden = true;
    const fraction = total ? done / total : 0;
    progress.value = fraction;
    show("downloading", t("downloading", { percent: percent(fraction) }));
    left.textContent = total ? t("left", { size: formatBytes(Math.max(total - done, 0)) }) : "";
  };
  const tell = (done, total) =>
    document.dispatchEvent(new CustomEvent(PROGRESS, { detail: { site, from: box, done, total } }));

  const download = async (langs, updating) => {
    used = true;
    running = true;
    turn += 1;
    following(0, 0);
    tell(0, 0);
    try {
      const { transferred } = await downloadPack(site, langs, (done, total) => {
        following(done, total);
        tell(done, total);
      });
      button.dataset.packTransferred = String(transferred);
      progress.hidden = true;
      busy = running = false;
      await refresh(updating ? t("updated", { count: transferred }) : "");
    } catch (error) {
      progress.hidden = true;
      busy = running = false;
      const known = error instanceof PackError;
      await refresh(t(known ? error.reason : "interrupted", known ? error.values : {}));
      if (button.dataset.packState !== "complete") button.dataset.packState = "error";
    }
    document.dispatchEvent(new CustomEvent(CHANGED, { detail: { site, from: box } }));
  };

  button.addEventListener("click", async () => {
    // Asked on the visitor's tap, so browsers that weigh intent may grant it.
    navigator.storage?.persist?.().catch(() => {});
    const state = button.dataset.packState;
    if (state === "complete") {
      show("checking", t("checking"));
      await refresh();
      if (button.dataset.packState === "complete") status.textContent = t("up_to_date");
      return;
    }
    const local = await localPack(site);
    // An update keeps the languages already saved.
    await download(local.complete?.languages || chosen(), state === "update");
  });

  add?.addEventListener("click", () => download(ALL, true));

  remove?.addEventListener("click", async () => {
    if (!(await confirmDelete(siteName))) return;
    await deletePack(site);
    await refresh(t("deleted"));
    if (box.closest("[data-pack-list]") && !navigator.onLine) box.remove();
    document.dispatchEvent(new CustomEvent(CHANGED, { detail: { site, from: box } }));
  });

  document.addEventListener(PROGRESS, (event) => {
    if (event.detail.site === site && event.detail.from !== box) following(event.detail.done, event.detail.total);
  });

  document.addEventListener(CHANGED, (event) => {
    if (event.detail.site !== site || event.detail.from === box) return;
    // A sibling's download ended: this control follows it no more, unless it runs one of its own.
    if (!running) {
      busy = false;
      progress.hidden = true;
    }
    if (!busy) refresh().catch(() => {});
  });

  box.hidden = false;
  return refresh();
}

/** The saved-guides page: every site when online, the saved ones when not. */
async function fillList(list) {
  const template = document.getElementById("pack-row");
  let summaries = [];
  try {
    const response = await fetch("/api/v1/packs", { cache: "no-cache" });
    if (response.ok) summaries = (await response.json()).packs;
  } catch {
    // Offline: list what this phone holds.
  }
  if (!summaries.length) {
    for (const name of await caches.keys()) {
      const match = /^pack-(.+)-([0-9a-f]+)$/.exec(name);
      if (!match) continue;
      const marker = await (await caches.open(name)).match(descriptorUrl(match[1]));
      if (marker) summaries.push(await marker.json());
    }
  }
  const rows = summaries.map((summary, index) => {
    const row = template.content.firstElementChild.cloneNode(true);
    row.dataset.packBox = summary.site;
    const names = summary.names || {};
    const name = names[config.lang] || Object.values(names)[0] || summary.site;
    row.dataset.packSiteName = name;
    row.querySelector("[data-pack-name]").textContent = name;
    // Each row's language choice is a radio group of its own.
    for (const input of row.querySelectorAll("[data-pack-langs] input")) input.name = `pack-lang-${index}`;
    list.append(row);
    // The summary is the full pack's: a one-language pack asks for its own descriptor.
    return setUp(row);
  });
  const empty = document.querySelector("[data-pack-empty]");
  if (empty) empty.hidden = rows.length > 0;
  await Promise.all(rows);
  const storage = document.querySelector("[data-pack-storage]");
  if (storage && navigator.storage?.estimate) {
    const { usage } = await navigator.storage.estimate();
    storage.textContent = t("storage", { used: formatBytes(usage || 0) });
  }
}

export async function initPacks() {
  const list = document.querySelector("[data-pack-list]");
  if (list) await fillList(list);
  await Promise.all(Array.from(document.querySelectorAll("aside [data-pack-box], [data-pack-offer]"),
    (box) => setUp(box)));
}
