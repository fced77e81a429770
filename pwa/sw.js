/* Dalil's service worker, hand-written, no build step.
 *
 * The server prefixes this file with BUILD, SHELL, LANGUAGES and DEFAULT_LANGUAGE (see
 * guide/offline/services.py sw_script). Caches:
 *   shell-<BUILD>         offline pages, CSS, JS, icons and manifest, precached at install;
 *   pack-<site>-<version> one site's pages, media and app files, written by the page
 *                         (js/packs.js); the pack descriptor, stored last, marks it complete;
 *   dalil-state           the visitor's language, written by the page, read here.
 */
/* global BUILD, SHELL, LANGUAGES, DEFAULT_LANGUAGE */

const SHELL_CACHE = `shell-${BUILD}`;
const STATE_CACHE = "dalil-state";
const LANGUAGE_KEY = "/__dalil/language";
const PACK_PREFIX = "pack-";
// A slow network must not keep a visitor in a stone-walled hall waiting: fall back to the pack.
const NETWORK_TIMEOUT_MS = 3500;
// Plaques print the URL in upper case (/Q/CODE, for a denser QR symbol): any case matches.
const CODE_PATH = /^\/q\/([^/]+)\/?$/i;
// The typed-entry form of guide/qr: /<lang>/enter?code=…&site=…, or /q?code=…
const ENTRY_PATH = /^\/(?:([a-z]{2,3})\/enter|[qQ])\/?$/;

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
    event.respondWith(navigate(request, url));
  } else if (url.pathname.startsWith("/media/")) {
    event.respondWith(media(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(staticFile(request));
  }
  // Everything else, the API included, goes to the network untouched.
});

// Navigations: the network first, so online visitors see the latest text; then the packs.
async function navigate(request, url) {
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.status < 500) return response;
  } catch {
    // Offline, or too slow: answer from the phone.
  }
  return offlinePage(url);
}

async function offlinePage(url) {
  const code = CODE_PATH.exec(url.pathname);
  if (code) return codePage(normalizeCode(decodeURIComponent(code[1])));
  const entry = ENTRY_PATH.exec(url.pathname);
  if (entry && url.searchParams.get("code")) {
    const lang = LANGUAGES.includes(entry[1]) ? entry[1] : undefined;
    return keypadPage(url.searchParams.get("code"), url.searchParams.get("site"), lang);
  }
  const path = url.pathname === "/" ? `/${await rememberedLanguage()}/` : url.pathname;
  const cached = (await caches.match(path, { ignoreVary: true })) ||
    (await caches.match(path.endsWith("/") ? path.slice(0, -1) : `${path}/`, { ignoreVary: true }));
  if (cached) return unredirected(cached);
  const prefix = path.split("/")[1];
  const lang = LANGUAGES.includes(prefix) ? prefix : await rememberedLanguage();
  return shellPage(`/${lang}/offline/not-saved`, 503);
}

// /q/<CODE>, any case: the page of the remembered language, from whichever pack has it.
async function codePage(code, chosen) {
  const lang = chosen || (await rememberedLanguage());
  for (const pack of await completePacks()) {
    const pages = pack.codes[code];
    if (!pages) continue;
    const url = pages[lang] || pages[pack.default_language] || Object.values(pages)[0];
    const cached = await caches.match(url, { ignoreVary: true });
    if (cached) return unredirected(cached);
  }
  return shellPage(`/${lang}/offline/unknown-code`, 404, code);
}

// The keypad form, offline, in its page's language: a number is looked up in the packs,
// of this site first.
async function keypadPage(typed, site, lang) {
  const value = typed.trim();
  if (/^[0-9]{1,6}$/.test(value)) {
    const packs = await completePacks();
    packs.sort((a, b) => (b.site === site) - (a.site === site));
    const pack = packs.find((candidate) => candidate.numbers[String(Number(value))]);
    if (pack) return codePage(pack.numbers[String(Number(value))], lang);
  }
  return codePage(normalizeCode(value), lang);
}

function normalizeCode(raw) {
  return raw.replace(/[\s-]/g, "").toUpperCase().slice(0, 32);
}

async function shellPage(path, status, code) {
  const cached = await caches.match(path);
  if (!cached) return new Response("Offline", { status, headers: { "Content-Type": "text/plain" } });
  let html = await cached.text();
  if (code) {
    // Only the code alphabet's characters go into the page: nothing to escape.
    const safe = code.replace(/[^A-Z0-9]/g, "");
    html = html.replace("data-code-slot></bdi>", `data-code-slot>${safe}</bdi>`);
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

async function rememberedLanguage() {
  const cache = await caches.open(STATE_CACHE);
  const stored = await cache.match(LANGUAGE_KEY);
  const lang = stored ? (await stored.text()).trim() : "";
  if (LANGUAGES.includes(lang)) return lang;
  for (const tag of self.navigator.languages || []) {
    const primary = tag.toLowerCase().split("-")[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
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
