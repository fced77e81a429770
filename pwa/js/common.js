// Shared by Dalil's page modules: the server's settings and translated texts, and formats.

export const config = JSON.parse(document.getElementById("dalil-config")?.textContent || "{}");
const strings = config.strings || {};

/** Translate a string of the server's catalog, filling %(name)s placeholders. */
export function t(key, values = {}) {
  return (strings[key] || key).replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
}

/** Format a byte count in the page's language: "38 Mo", "38 MB". */
export function formatBytes(bytes) {
  const [unit, value] = bytes >= 1e6 ? ["megabyte", bytes / 1e6] : ["kilobyte", Math.max(bytes / 1e3, 1)];
  return new Intl.NumberFormat(locale(), { style: "unit", unit, maximumFractionDigits: value < 10 ? 1 : 0 })
    .format(value);
}

/** The page's formatting locale: ar-MA and fr-MA write Latin digits, as the server does. */
export function locale() {
  return `${config.lang}-${config.territory}`;
}
