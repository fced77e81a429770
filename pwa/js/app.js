// Dalil's page script: service worker, remembered language, offline packs, audio and scanner.
// Every page works without it; it only adds what needs a script.
import { config } from "./common.js";

const STATE_CACHE = "dalil-state";
const LANGUAGE_KEY = "/__dalil/language";

// The service worker answers /q/<CODE> offline in the visitor's language: tell it which one.
async function rememberLanguage() {
  const fromUrl = location.pathname.split("/")[1];
  const cookie = document.cookie.split("; ").find((part) => part.startsWith(`${config.cookie}=`));
  let lang = cookie ? cookie.split("=")[1] : "";
  if ((config.languages || []).includes(fromUrl)) {
    // Reading a page under /<lang>/ is a choice, as the server sees it; offline it can't set it.
    lang = fromUrl;
    if (!cookie || lang !== cookie.split("=")[1]) {
      const secure = location.protocol === "https:" ? "; secure" : "";
      document.cookie = `${config.cookie}=${lang}; path=/; max-age=31536000; samesite=lax${secure}`;
    }
  }
  if (!lang || !("caches" in window)) return;
  const cache = await caches.open(STATE_CACHE);
  const stored = await cache.match(LANGUAGE_KEY);
  if (!stored || (await stored.text()) !== lang) {
    await cache.put(LANGUAGE_KEY, new Response(lang, { headers: { "Content-Type": "text/plain" } }));
  }
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" });
  const banner = document.querySelector(".update-banner");
  let accepted = false;
  const offer = (worker) => {
    if (!worker || !navigator.serviceWorker.controller || !banner) return;
    banner.hidden = false;
    banner.querySelector("[data-sw-reload]").onclick = () => {
      banner.hidden = true;
      accepted = true;
      worker.postMessage({ type: "SKIP_WAITING" });
    };
  };
  offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed") offer(worker);
    });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only the version the visitor accepted reloads the page; a first install does not.
    if (!accepted) return;
    accepted = false;
    location.reload();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

function start() {
  rememberLanguage().catch(() => {});
  registerWorker().catch(() => {});
  if ("caches" in window && document.querySelector("[data-pack-box], [data-pack-list]")) {
    import("./packs.js").then((module) => module.initPacks()).catch(() => {});
  }
  if (document.querySelector(".audio-guide, .story")) {
    import("./listen.js").then((module) => module.initListening()).catch(() => {});
  }
  if (document.querySelector("[data-search-results]")) {
    import("./search.js").then((module) => module.initSearch()).catch(() => {});
  }
  if (document.querySelector("[data-near]")) {
    import("./near.js").then((module) => module.initNearMe()).catch(() => {});
  }
  const scan = document.querySelector("[data-scan]");
  if (scan && navigator.mediaDevices?.getUserMedia && typeof HTMLDialogElement === "function") {
    scan.hidden = false;
    scan.addEventListener("click", () => {
      import("./scanner.js").then((module) => module.openScanner()).catch(() => {});
    });
  }
}

start();
