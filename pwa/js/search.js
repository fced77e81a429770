// Searching the guides saved on this phone, when the search page came from the phone (offline,
// or the network failed): the service worker answers /<lang>/search?q=… with the empty page it
// keeps, and this fills it from each saved pack's search index (guide/search/services.py
// pack_index). fold() is guide/search/normalize.py fold(); the tests compare the two.
import { config } from "./common.js";

const PREFIX = "pack-";
// The server's limits (guide/search/services.py MAX_QUERY_LENGTH, MAX_QUERY_WORDS).
const MAX_QUERY_LENGTH = 200;
const MAX_QUERY_WORDS = 12;
// Longest first, as guide/search/terms.py ARTICLES; a word keeps its start when too little is left.
const ARTICLES = ["وال", "بال", "فال", "كال", "لل", "ال"];
const MIN_STEM = 2;
const DROPPED = /[\u0640\u200b-\u200f\u061c\ufeff\u202a-\u202e\u2066-\u2069]/g;
const LETTERS = { "\u0649": "\u064a", "\u0629": "\u0647", "\u0671": "\u0627", "œ": "oe", "æ": "ae", "ß": "ss" };

/** Map every non-ASCII decimal digit (category Nd) to its ASCII digit, as unicodedata.digit. */
function asciiDigits(text) {
  return text.replace(/\p{Nd}/gu, (digit) => {
    if (digit <= "9") return digit;
    // Decimal digits come in runs of ten from zero: count back to the run's start.
    let position = digit.codePointAt(0);
    let steps = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(position - 1))) {
      position -= 1;
      steps += 1;
    }
    return String(steps % 10);
  });
}

/** Fold text for search exactly as guide/search/normalize.py fold() does. */
export function fold(text) {
  // casefold(): lower case, plus the folds toLowerCase() lacks that matter here.
  let folded = String(text).normalize("NFKD").toLowerCase().replace(/ς/g, "σ").replace(/ẞ/g, "ss");
  folded = folded.normalize("NFKD").replace(/\p{Mn}/gu, "").replace(DROPPED, "");
  folded = folded.replace(/[\u0649\u0629\u0671œæß]/g, (char) => LETTERS[char]);
  // Python's \s also holds \x1c-\x1f and \x85.
  return asciiDigits(folded).replace(/[\s\x1c-\x1f\x85]+/gu, " ").trim();
}

/** Drop a leading Arabic article (with و ب ف ك or ل before it) when a word remains. */
export function stripArticle(word) {
  const article = ARTICLES.find((prefix) => word.startsWith(prefix) && [...word].length - prefix.length >= MIN_STEM);
  return article ? word.slice(article.length) : word;
}

/** The words of a text, folded, article stripped: runs of letters and digits. */
export function searchWords(text) {
  return (fold(text).match(/[\p{L}\p{N}]+/gu) || []).map(stripArticle);
}

const slugOf = (url) => url.split("/").pop();

/**
 * Find in packs' indexes the monuments holding every word of query (each as a word's start),
 * in any language, as the server does; each is shown in lang when the pack has it.
 */
export function searchPacks(query, packs, lang) {
  const wanted = [...new Set(searchWords(query))].slice(0, MAX_QUERY_WORDS);
  if (!wanted.length) return [];
  const found = [];
  for (const pack of packs) {
    const index = pack.search || {};
    const shown = new Map((index[lang] || []).map((entry) => [slugOf(entry[0]), entry]));
    const best = new Map();
    for (const entries of Object.values(index)) {
      for (const entry of entries) {
        const words = entry[2].split(" ");
        if (!wanted.every((word) => words.some((candidate) => candidate.startsWith(word)))) continue;
        // Words of the name count most, as on the server.
        const named = searchWords(entry[1]);
        const score = wanted.filter((word) => named.some((candidate) => candidate.startsWith(word))).length;
        const slug = slugOf(entry[0]);
        if (!best.has(slug) || best.get(slug).score < score) best.set(slug, { entry: shown.get(slug) || entry, score });
      }
    }
    const site = pack.names?.[lang] || Object.values(pack.names || {})[0] || "";
    for (const { entry, score } of best.values()) found.push({ url: entry[0], name: entry[1], site, score });
  }
  return found.sort((a, b) => b.score - a.score);
}

/** Every complete pack saved on this phone: its descriptor, stored last, marks it complete. */
async function savedPacks() {
  const packs = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX)) continue;
    const site = name.slice(PREFIX.length).replace(/-[0-9a-f]+$/, "");
    const marker = await (await caches.open(name)).match(`/api/v1/packs/${site}`);
    if (marker) packs.push(await marker.json());
  }
  return packs;
}

function paragraph(text, className) {
  const element = document.createElement("p");
  element.className = className;
  element.textContent = text;
  return element;
}

function render(container, strings, query, results, havePacks) {
  container.replaceChildren();
  if (!havePacks) {
    container.append(paragraph(strings.noPacks, "search-message"));
    return;
  }
  if (!results.length) {
    container.append(paragraph(strings.none.replace("{query}", query), "search-message"));
    return;
  }
  container.append(paragraph(strings.found.replace("{num}", new Intl.NumberFormat(`${config.lang}-${config.territory}`)
    .format(results.length)), "search-message"));
  const list = document.createElement("ol");
  list.className = "search-results";
  for (const result of results) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = result.url;
    const name = document.createElement("bdi");
    name.textContent = result.name;
    link.append(name);
    const site = document.createElement("span");
    site.className = "search-site";
    site.textContent = result.site;
    item.append(link, site);
    list.append(item);
  }
  container.append(list);
}

/** Fill the kept search page with what the saved packs hold for the address's q. */
export async function initSearch() {
  const container = document.querySelector("[data-search-results]");
  const query = new URLSearchParams(location.search).get("q") || "";
  // Only the kept copy of the empty page has data-query="" with a q in the address: a page the
  // server answered for this q is left as it is.
  if (!container || !query.trim() || container.dataset.query !== "" || [...query].length > MAX_QUERY_LENGTH) return;
  const input = document.querySelector("#search-page-q");
  if (input) input.value = query;
  const strings = document.querySelector("[data-search-strings]")?.dataset || {};
  const packs = "caches" in window ? await savedPacks() : [];
  render(container, strings, query, searchPacks(query, packs, config.lang), packs.length > 0);
}
