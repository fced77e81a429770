// Copy the QR scanner polyfill and its wasm, and the Arabic font, from node_modules into vendor/, which Dalil
// serves itself under /static/vendor/: the scanner must never load code from a CDN.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const vendor = join(root, "vendor");

// Node's resolution, by hand: both packages' "exports" hide the files we copy.
function packageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed: run npm ci in pwa/`);
  }
}

const detectorDir = packageDir("barcode-detector", root);
// zxing-wasm is barcode-detector's own dependency: find it from there, wherever npm put it.
const zxingDir = packageDir("zxing-wasm", detectorDir);

rmSync(vendor, { recursive: true, force: true });
mkdirSync(join(vendor, "barcode-detector"), { recursive: true });
for (const name of ["ponyfill.js", "zxing-exported.js"]) {
  copyFileSync(join(detectorDir, "dist", "es", name), join(vendor, "barcode-detector", name));
}
copyFileSync(join(detectorDir, "LICENSE"), join(vendor, "barcode-detector", "LICENSE"));
copyFileSync(join(zxingDir, "LICENSE"), join(vendor, "zxing-wasm-LICENSE"));
copyFileSync(join(zxingDir, "dist", "reader", "zxing_reader.wasm"), join(vendor, "zxing_reader.wasm"));

// The polyfill knows the hash of the wasm it was built for: refuse a mismatched pair.
const { ZXING_WASM_SHA256 } = await import(join(vendor, "barcode-detector", "ponyfill.js"));
const actual = createHash("sha256").update(readFileSync(join(vendor, "zxing_reader.wasm"))).digest("hex");
if (ZXING_WASM_SHA256 && ZXING_WASM_SHA256 !== actual) {
  console.error(`zxing_reader.wasm is ${actual}, the polyfill expects ${ZXING_WASM_SHA256}`);
  process.exit(1);
}
console.log(`vendor/: barcode-detector and zxing_reader.wasm (${actual.slice(0, 12)})`);

// Noto Naskh Arabic for Arabic pages (iPhones have no Naskh): the Arabic subset only, regular
// and bold, with its OFL licence. app.css's @font-face rules point at these names.
const naskhDir = packageDir("@fontsource/noto-naskh-arabic", root);
mkdirSync(join(vendor, "fonts"), { recursive: true });
for (const weight of [400, 700]) {
  const name = `noto-naskh-arabic-arabic-${weight}-normal.woff2`;
  copyFileSync(join(naskhDir, "files", name), join(vendor, "fonts", name));
}
copyFileSync(join(naskhDir, "LICENSE"), join(vendor, "fonts", "OFL.txt"));
console.log("vendor/fonts/: Noto Naskh Arabic 400 and 700 (Arabic subset), OFL.txt");
