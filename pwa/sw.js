/* Dalil's service worker, hand-written, no build step.
 *
 * The server prefixes this file with BUILD, SHELL, CODES_URL, LANGUAGES, DEFAULT_LANGUAGE,
 * ENTRY_LIMITS (guide/codes's typed-length limits) and NOT_SAVED (a translated line per language),
 * then sw-rules.js (negotiate, foldCode, readCode, readEntry), see guide/offline/services.py
 * sw_script. Caches:
 *   shell-<BUILD>         offline pages, CSS, JS, icons, manifest and the index of every
 *                         plaque code, precached at install (the index refreshed when online);
 *   pack-<site>-<version> one site's pages, media and app files, written by the page
 *                         (js/packs.js); the pack descriptor, stored last, marks it complete;
 *   pages-read            the last pages the visitor read online, so they open again offline;
 *   dalil-state           the visitor's language, written by the page, read here.
 */
/* global BUILD, SHELL, CODES_URL, LANGUAGES, DEFAULT_LANGUAGE, ENTRY_LIMITS, NOT_SAVED, negotiate, foldCode,
   readCode, readEntry */

const SHELL_CACHE = `shell-${BUILD}`;
const STATE_CACHE = "dalil-state";
const LANGUAGE_KEY = "/__dalil/language";
const PACK_PREFIX = "pack-";
const READ_CACHE = "pages-read";
// Enough for a day's walk; a pack is the way to keep a whole site.
const READ_LIMIT = 50;
// Pages never kept: the curators' screens (private) and the API (not pages).
const NEVER_KEPT = /^\/(?:curator|api)(?:\/|$)/;
// How often an online visit refreshes the code index, at most.
const INDEX_REFRESH_MS = 10 * 60 * 1000;
// A slow network must not keep a visitor in a stone-walled hall waiting: fall back to the pack.
const NETWORK_TIMEOUT_MS = 3500;
// Plaques print the URL in upper case (/Q/CODE, for a denser QR symbol): any case matches.
const CODE_PATH = /^\/q\/([^/]+)\/?$/i;
// The typed-entry form of guide/codes: /<lang>/enter?code=…&site=…, or /q?code=…
const ENTRY_PATH = /^\/(?:([a-z]{2,3})\/enter|[qQ])\/?$/;
// Search answers (/<lang>/search?q=…) are never kept: offline, the shell's empty search page
// answers every search, and js/search.js fills it from the saved packs.
const SEARCH_PATH = /^\/[a-z]{2,3}\/search\/?$/;

self.addEventListener("install", (event) => {
  // No cookies: the server remembers the language of /<lang>/ pages it sends, and precaching
  // every language's pages must not change the visitor's choice.
  const requests = SHELL.map((url) => new Request(url, { cache: "reload", credentials: "omit" }));
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (url.pathname.startsWith("/media/")) {
    event.respondWith(media(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(staticFile(request));
  }
  // Everything else, the API included, goes to the network untouched.
});

// Navigations: the network first, so online visitors see the latest text; then the packs.
async function navigate(event, url) {
  const request = event.request;
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.status < 500) {
      if (response.status === 200) {
        // One at a time, in the order pages were read, so the oldest is the one evicted.
        const copy = response.clone();
        keeping = keeping.then(() => keepRead(url, copy)).catch(() => {});
        event.waitUntil(keeping);
      }
      event.waitUntil(refreshIndex().catch(() => {}));
      return response;
    }
  } catch {
    // Offline, or too slow: answer from the phone.
  }
  return offlinePage(url, request);
}

let keeping = Promise.resolve();

// A page read online goes into a small cache of its own, oldest out first. A /q/ page is kept
// under its page's own address (in the language it came in), where offline lookups find it.
async function keepRead(url, response) {
  if (response.redirected || response.type !== "basic" || NEVER_KEPT.test(url.pathname)) return;
  if (!(response.headers.get("Content-Type") || "").startsWith("text/html")) return;
  let key = url.pathname;
  const code = CODE_PATH.exec(url.pathname);
  if (code) {
    const found = (await codeIndex()).codes?.[foldCode(decoded(code[1]))];
    const html = await response.clone().text();
    const lang = /<html lang="([^"]+)"/.exec(html)?.[1];
    if (!found || found.retired || !found.pages[lang]) return;
    key = found.pages[lang];
  } else if (url.pathname === "/" || ENTRY_PATH.test(url.pathname) || SEARCH_PATH.test(url.pathname)) {
    return; // negotiated or a form: no page of its own
  }
  const cache = await caches.open(READ_CACHE);
  // Deleted first, so a page read again moves to the newest end.
  await cache.delete(key);
  await cache.put(key, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(keys.length - READ_LIMIT, 0))) await cache.delete(old);
}

let indexCheckedAt = 0;

async function refreshIndex() {
  if (Date.now() - indexCheckedAt < INDEX_REFRESH_MS) return;
  indexCheckedAt = Date.now();
  const response = await fetch(CODES_URL, { cache: "no-cache", credentials: "omit" });
  if (response.status !== 200) return;
  await (await caches.open(SHELL_CACHE)).put(CODES_URL, response);
  cachedIndex = null;
}

let cachedIndex = null;

/** Every plaque code with its name, site and pages: kept from the first visit. */
async function codeIndex() {
  if (!cachedIndex) {
    const stored = await (await caches.open(SHELL_CACHE)).match(CODES_URL);
    if (!stored) return {};
    cachedIndex = await stored.json();
  }
  return cachedIndex;
}

// %ff is no text: take the path as it came rather than fail the navigation.
function decoded(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function offlinePage(url, request) {
  const code = CODE_PATH.exec(url.pathname);
  // Too long to be a code: the server finds none either.
  if (code) return codePage(readCode(decoded(code[1]), ENTRY_LIMITS) ?? "", await visitorLanguage(request));
  const entry = ENTRY_PATH.exec(url.pathname);
  if (entry && url.searchParams.get("code")) {
    const lang = LANGUAGES.includes(entry[1]) ? entry[1] : await visitorLanguage(request);
    return keypadPage(url.searchParams.get("code"), url.searchParams.get("site"), lang);
  }
  const path = url.pathname === "/" ? `/${await visitorLanguage(request)}/` : url.pathname;
  const cached = (await caches.match(path, { ignoreVary: true })) ||
    (await caches.match(path.endsWith("/") ? path.slice(0, -1) : `${path}/`, { ignoreVary: true }));
  if (cached) return unredirected(cached);
  const prefix = path.split("/")[1];
  const lang = LANGUAGES.includes(prefix) ? prefix : await visitorLanguage(request);
  return shellPage(`/${lang}/offline/not-saved`, 503);
}

// /q/<CODE>, any case: the page in the visitor's language from a pack or from the pages read
// before, else in another language, else what the code index knows of it (a real plaque of a
// site not saved, or a retired one).
async function codePage(code, lang) {
  const packs = await completePacks();
  const index = await codeIndex();
  const known = index.codes?.[code];
  const inService = known && !known.retired ? Object.values(known.pages) : [];
  const candidates = [
    ...packs.map((pack) => pack.codes[code]?.[lang]),
    known && !known.retired ? known.pages[lang] : undefined,
    ...packs.flatMap((pack) => Object.values(pack.codes[code] || {})),
    ...inService,
  ];
  for (const url of new Set(candidates.filter(Boolean))) {
    const cached = await caches.match(url, { ignoreVary: true });
    if (cached) return unredirected(cached);
  }
  if (known) {
    const pick = (names) => names[lang] || Object.values(names)[0] || "";
    const slots = { code, place: pick(known.names), site: pick(index.sites[known.site] || {}) };
    const page = known.retired ? "retired-code" : "known-code";
    return shellPage(`/${lang}/offline/${page}`, known.retired ? 410 : 503, slots);
  }
  return shellPage(`/${lang}/offline/unknown-code`, 404, { code });
}

// The keypad form, offline, in its page's language, read as the server reads it (#12 and №12
// are numbers): a number is looked up in the packs, of this site first.
async function keypadPage(typed, site, lang) {
  const entry = readEntry(typed, ENTRY_LIMITS);
  if (entry.number !== undefined) {
    const key = String(entry.number);
    const packs = await completePacks();
    packs.sort((a, b) => (b.site === site) - (a.site === site));
    const pack = packs.find((candidate) => candidate.numbers[key]);
    return codePage(pack ? pack.numbers[key] : key, lang);
  }
  return codePage(entry.code ?? "", lang);
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

async function shellPage(path, status, slots = {}) {
  const lang = path.split("/")[1];
  // A shell page evicted or never stored: the not-saved page, else its one line, in the same language.
  const cached = (await caches.match(path)) || (await caches.match(`/${lang}/offline/not-saved`));
  if (!cached) {
    return new Response(NOT_SAVED[lang] ?? NOT_SAVED[DEFAULT_LANGUAGE], {
      status,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Content-Language": lang },
    });
  }
  let html = await cached.text();
  for (const [name, value] of Object.entries(slots)) {
    // A typed code keeps only the code alphabet's characters; names are escaped.
    const text = name === "code" ? value.replace(/[^A-Z0-9]/g, "") : value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
    html = html.replaceAll(`data-${name}-slot></bdi>`, `data-${name}-slot>${text}</bdi>`);
  }
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");
  headers.delete("ETag");
  return new Response(html, { status, headers });
}

// A navigation answered with a redirected response fails; cached pages never are, but be sure.
function unredirected(response) {
  if (!response.redirected) return response;
  return new Response(response.body, { status: response.status, headers: response.headers });
}

const packDescriptors = new Map();

async function completePacks() {
  const packs = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith(PACK_PREFIX)) continue;
    if (!packDescriptors.has(name)) {
      const cache = await caches.open(name);
      const site = name.slice(PACK_PREFIX.length).replace(/-[0-9a-f]+$/, "");
      const marker = await cache.match(`/api/v1/packs/${site}`);
      if (!marker) continue; // still downloading: not complete, maybe later
      packDescriptors.set(name, await marker.json());
    }
    packs.push(packDescriptors.get(name));
  }
  return packs;
}

// As the server chooses: the remembered choice, else Accept-Language (the request's, or the
// browser's own list when the worker is not shown the header), else the default.
async function visitorLanguage(request) {
  const cache = await caches.open(STATE_CACHE);
  const stored = await cache.match(LANGUAGE_KEY);
  const lang = stored ? (await stored.text()).trim() : "";
  if (LANGUAGES.includes(lang)) return lang;
  let header = request?.headers.get("Accept-Language");
  if (!header) {
    const listed = self.navigator.languages || [];
    header = listed.map((tag, index) => `${tag};q=${Math.max(1 - index / 10, 0.1).toFixed(1)}`).join(",");
  }
  return negotiate(header, LANGUAGES, DEFAULT_LANGUAGE);
}

// Media: from a pack when there, sliced for Range requests; never cached here (a 206 can't be).
async function media(request) {
  const cached = await caches.match(request.url, { ignoreSearch: true, ignoreVary: true });
  if (!cached) return fetch(request);
  const range = request.headers.get("Range");
  if (!range) return cached;
  return rangeResponse(cached, range);
}

let lastBody = { url: null, buffer: null };

async function rangeResponse(cached, header) {
  // Players ask for many ranges of one file in a row: keep the last file's bytes at hand.
  if (lastBody.url !== cached.url || !lastBody.buffer) {
    lastBody = { url: cached.url, buffer: await cached.arrayBuffer() };
  }
  const buffer = lastBody.buffer;
  const size = buffer.byteLength;
  const type = cached.headers.get("Content-Type") || "application/octet-stream";
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) {
    // Several ranges or a malformed header: the whole file is a valid answer.
    return new Response(buffer, { status: 200, headers: { "Content-Type": type, "Accept-Ranges": "bytes" } });
  }
  let start;
  let end;
  if (match[1] === "") {
    start = Math.max(size - Number(match[2]), 0); // bytes=-500: the last 500 bytes
    end = size - 1;
    if (Number(match[2]) === 0) start = size;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== "" && Number(match[2]) < start) {
      return new Response(buffer, { status: 200, headers: { "Content-Type": type, "Accept-Ranges": "bytes" } });
    }
  }
  if (start >= size) {
    return new Response(null, {
      status: 416,
      statusText: "Range Not Satisfiable",
      headers: { "Content-Range": `bytes */${size}`, "Accept-Ranges": "bytes" },
    });
  }
  return new Response(buffer.slice(start, end + 1), {
    status: 206,
    statusText: "Partial Content",
    headers: {
      "Content-Type": type,
      "Content-Range": `bytes ${start}-${end}/${size}`,
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
    },
  });
}

// App files: exact version from any cache, else this build's copy, else the network.
async function staticFile(request) {
  const exact = await caches.match(request, { ignoreVary: true });
  if (exact) return exact;
  const shell = await caches.open(SHELL_CACHE);
  const current = await shell.match(request, { ignoreSearch: true, ignoreVary: true });
  if (current) return current;
  try {
    return await fetch(request);
  } catch (error) {
    const older = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (older) return older;
    throw error;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
