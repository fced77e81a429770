/* Rules the service worker shares with the server, kept apart so Node can test them.
 *
 * negotiate() is the server's Accept-Language choice (tests/reference.py negotiate);
 * foldCode() is guide/codes/format.py's folding of a typed or scanned plaque code;
 * readCode() and readEntry() are guide/codes/services.py's reading of what was scanned or typed.
 * The server inlines this file into /sw.js; tests run it in Node as a classic script.
 */

// Python's str.isspace() set: the reference strips with it, and JS trim() differs (BOM, \x1c-\x1f).
const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");
// What Python's float() reads, once any decimal digit is made ASCII: sign, digits with single
// underscores between them, a fraction, an exponent. inf and nan fall outside [0, 1] anyway.
const PY_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

function pyStrip(text) {
  return text.replace(PY_STRIP, "");
}

/** Map every Unicode decimal digit (category Nd) to its ASCII digit. */
function asciiDigits(text) {
  return text.replace(/\p{Nd}/gu, (digit) => {
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

function qWeight(value) {
  const text = pyStrip(asciiDigits(value));
  if (!PY_FLOAT.test(text)) return -1;
  const weight = Number(text.replace(/_/g, ""));
  return weight >= 0 && weight <= 1 ? weight : -1;
}

/** RFC 4647 lookup over Accept-Language by primary subtag, in descending q; ties in header order. */
function negotiate(header, supported, fallback) {
  const ranges = [];
  String(header || "").split(",").forEach((item, position) => {
    const [tag, ...params] = item.split(";").map(pyStrip);
    if (!tag) return;
    let weight = 1;
    for (const param of params) {
      const cut = param.indexOf("=");
      const key = cut < 0 ? param : param.slice(0, cut);
      if (pyStrip(key).toLowerCase() === "q") weight = qWeight(cut < 0 ? "" : param.slice(cut + 1));
    }
    if (weight >= 0) ranges.push({ weight, position, tag: tag.toLowerCase() });
  });
  // q=0 rules a language out wherever else it appears.
  const excluded = new Set(ranges.filter((range) => range.weight === 0).map((range) => range.tag));
  const allowed = supported.filter((lang) => !excluded.has(lang));
  ranges.sort((a, b) => b.weight - a.weight || a.position - b.position);
  for (const range of ranges) {
    if (range.weight === 0) continue;
    if (range.tag === "*") return allowed.includes(fallback) ? fallback : (allowed[0] ?? fallback);
    const primary = range.tag.split("-")[0];
    if (allowed.includes(primary)) return primary;
  }
  return fallback;
}

// Invisible or separating characters: format marks, controls, spaces, line breaks and dashes.
const DROPPED = /[\p{Cf}\p{Cc}\p{Zs}\p{Zl}\p{Zp}\p{Pd}]/gu;

/** Fold a typed or scanned code exactly as guide/codes/format.py fold() does (its docstring has the rules). */
/** Upper-case the characters whose upper case is ASCII, as guide/codes/format.py does. */
function upperToAscii(text) {
  return [...text].map((char) => {
    const upper = char.toUpperCase();
    return /^[\x00-\x7f]*$/.test(upper) ? upper : char;
  }).join("");
}

function foldCode(raw) {
  let text = String(raw).replace(DROPPED, "");
  text = upperToAscii(text.normalize("NFKC")).normalize("NFKC");
  text = text.replace(DROPPED, "").normalize("NFKC");
  return asciiDigits(text);
}

/** Fold a scanned or typed code as guide/codes/services.py read_code(); null when too long to be one. */
function readCode(raw, limits) {
  // Python's len() counts code points, not UTF-16 units.
  if ([...String(raw)].length > limits.raw) return null;
  const folded = foldCode(raw);
  return [...folded].length <= limits.typed ? folded : null;
}

/**
 * Read a typed entry as guide/codes/services.py resolve_entry() does before any lookup:
 * {problem: "too-long" | "empty"}, {number} for a keypad number (#12 and №12 too), else {code}.
 * limits: {typed, raw, digits}, the server's MAX_TYPED_LENGTH, MAX_RAW_LENGTH and MAX_NUMBER_DIGITS.
 */
function readEntry(raw, limits) {
  // NFKC would spell № as "NO": it is read as the # people also type before a number.
  const text = readCode(String(raw).replaceAll("№", "#"), limits);
  if (text === null) return { problem: "too-long" };
  if (!text) return { problem: "empty" };
  const digits = text.startsWith("#") ? text.slice(1) : text;
  if (digits && digits.length <= limits.digits && /^[0-9]+$/.test(digits)) return { number: Number(digits) };
  return { code: text };
}
