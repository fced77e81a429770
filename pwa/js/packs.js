// Offline packs: download a site's files into its own cache, resume, update, delete.
// A pack cache is "pack-<site>-<version>"; its descriptor, stored last, marks it complete.
import { config, formatBytes, locale, t } from "./common.js";

const PREFIX = "pack-";
const PARALLEL = 3;
// Free space asked for beyond the download itself, as browsers count storage loosely.
const SPACE_MARGIN = 1.2;

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

async function fetchDescriptor(site) {
  const response = await fetch(descriptorUrl(site), { cache: "no-cache" });
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

/** Download or update a site's pack; returns how many files came over the network. */
async function downloadPack(site, onProgress) {
  const pack = await fetchDescriptor(site);
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

  let transferred = 0;
  const save = async (file) => {
    const copy = (reusable(file) && (await previous.match(file.url))) ||
      (immutable(file.url) && (await caches.match(file.url, { ignoreVary: true })));
    if (copy && copy.ok) {
      await cache.put(file.url, copy);
      return;
    }
    let response;
    try {
      // No cookies: fetching /fr/ pages must not overwrite the visitor's language choice.
      response = await fetch(file.url, {
        cache: immutable(file.url) ? "default" : "no-cache",
        credentials: "omit",
      });
    } catch {
      throw new PackError("interrupted");
    }
    if (response.status !== 200 || response.redirected) throw new PackError("interrupted");
    const body = await response.arrayBuffer();
    // A page edited since the descriptor was read: store nothing stale under a wrong hash.
    if (body.byteLength !== file.bytes || (await sha256Hex(body)) !== file.sha256) {
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
      done += file.bytes;
      onProgress(done / pack.bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  if (failure) throw failure;
  // Last: the descriptor, which tells the service worker that the pack is whole.
  await cache.put(descriptorUrl(site), new Response(JSON.stringify(pack), {
    headers: { "Content-Type": "application/json" },
  }));
  for (const other of local.names) if (other !== name) await caches.delete(other);
  return { pack, transferred };
}

async function deletePack(site) {
  for (const name of (await localPack(site)).names) await caches.delete(name);
}

function percent(fraction) {
  return new Intl.NumberFormat(locale(), { style: "percent" }).format(fraction);
}

/** Wire one site's control: show its size and state, download, update, delete. */
function setUp(box, summary) {
  const site = box.dataset.packBox;
  const button = box.querySelector("[data-pack]");
  const remove = box.querySelector("[data-pack-delete]");
  const progress = box.querySelector("progress");
  const status = box.querySelector("[role=status]");
  button.dataset.pack = site;
  remove.dataset.packDelete = site;
  box.hidden = false;

  const show = (state, label, message = "") => {
    button.dataset.packState = state;
    button.textContent = label;
    button.disabled = state === "downloading" || state === "checking";
    status.textContent = message;
  };

  const refresh = async (message = "") => {
    const local = await localPack(site);
    let remote = summary;
    try {
      if (!remote || (local.complete && remote.version !== local.complete.version)) {
        remote = await fetchDescriptor(site);
      }
    } catch {
      remote = null;
    }
    summary = null; // sizes and versions may change: ask again next time
    remove.hidden = local.names.length === 0;
    if (local.complete && (!remote || remote.version === local.complete.version)) {
      show("complete", t("saved", { size: formatBytes(local.complete.bytes) }), message);
    } else if (local.complete) {
      show("update", t("update", { size: formatBytes(changedBytes(remote, local.complete)) }), message);
    } else if (local.names.length) {
      show("partial", t("resume"), message || t("interrupted"));
    } else if (remote) {
      show("idle", t("download", { size: formatBytes(remote.bytes) }), message);
    } else {
      show("idle", t("download", { size: "…" }), message || t("offline"));
    }
  };

  button.addEventListener("click", async () => {
    // Asked on the visitor's tap, so browsers that weigh intent may grant it.
    navigator.storage?.persist?.().catch(() => {});
    if (button.dataset.packState === "complete") {
      show("checking", t("checking"));
      await refresh();
      if (button.dataset.packState === "complete") status.textContent = t("up_to_date");
      return;
    }
    const updating = button.dataset.packState === "update";
    progress.hidden = false;
    progress.value = 0;
    show("downloading", t("downloading", { percent: percent(0) }));
    try {
      const { transferred } = await downloadPack(site, (fraction) => {
        progress.value = fraction;
        button.textContent = t("downloading", { percent: percent(fraction) });
      });
      button.dataset.packTransferred = String(transferred);
      progress.hidden = true;
      await refresh(updating ? t("updated", { count: transferred }) : "");
    } catch (error) {
      progress.hidden = true;
      const known = error instanceof PackError;
      await refresh(t(known ? error.reason : "interrupted", known ? error.values : {}));
      if (button.dataset.packState !== "complete") button.dataset.packState = "error";
    }
  });

  remove.addEventListener("click", async () => {
    await deletePack(site);
    await refresh(t("deleted"));
    if (box.closest("[data-pack-list]") && !navigator.onLine) box.remove();
  });

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
  const rows = summaries.map((summary) => {
    const row = template.content.firstElementChild.cloneNode(true);
    row.dataset.packBox = summary.site;
    const names = summary.names || {};
    row.querySelector("[data-pack-name]").textContent = names[config.lang] || Object.values(names)[0] || summary.site;
    list.append(row);
    return setUp(row, summary);
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
  await Promise.all(Array.from(document.querySelectorAll("aside [data-pack-box]"), (box) => setUp(box)));
}
