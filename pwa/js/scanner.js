// The in-app scanner, loaded when the visitor opens it: the camera, the native BarcodeDetector
// where the browser has one, else the barcode-detector polyfill and its wasm, served by Dalil.
import { t } from "./common.js";

const VENDOR = "/static/vendor";
const SCAN_INTERVAL_MS = 150;
const CODE_IN_PATH = /^\/q\/([0-9A-Za-z-]{1,32})\/?$/i;
const BARE_CODE = /^[0-9A-Za-z]{5}$/;

let detectorPromise = null;

async function polyfillDetector() {
  const { BarcodeDetector, prepareZXingModule } = await import(`${VENDOR}/barcode-detector/ponyfill.js`);
  // Never the CDN the polyfill defaults to: the wasm comes from this server (or the pack).
  prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? `${VENDOR}/zxing_reader.wasm` : prefix + path),
    },
  });
  return new BarcodeDetector({ formats: ["qr_code"] });
}

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  } catch {
    return null;
  }
}

function detector() {
  detectorPromise ??= nativeDetector().then((native) => native || polyfillDetector());
  return detectorPromise;
}

/** The page a scanned text leads to: a Dalil plaque URL (any host) or a bare code. */
export function targetOf(text) {
  const value = text.trim();
  // via=scan: the scan statistics tell the in-app scanner from the phone's camera.
  if (BARE_CODE.test(value)) return `/q/${value.toUpperCase()}?via=scan`;
  try {
    const match = CODE_IN_PATH.exec(new URL(value).pathname);
    if (match) return `/q/${match[1].toUpperCase()}?via=scan`;
  } catch {
    // Not a URL.
  }
  return null;
}

export async function openScanner() {
  const dialog = document.getElementById("scanner");
  const video = dialog.querySelector("video");
  const status = dialog.querySelector(".scanner-status");
  let stream = null;
  let timer = null;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
  dialog.addEventListener("close", stop, { once: true });
  dialog.querySelector("[data-scan-close]").onclick = () => dialog.close();
  dialog.querySelector("[data-scan-type]").onclick = () => {
    dialog.close();
    const field = document.querySelector(".offline-controls .keypad input[name=code]");
    field?.scrollIntoView({ block: "center" });
    field?.focus();
  };
  status.textContent = t("scan_hint");
  dialog.showModal();
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 640 } },
      audio: false,
    });
    if (stopped) return stop();
    video.srcObject = stream;
    await video.play();
  } catch {
    status.textContent = t("no_camera");
    return;
  }
  let reader;
  try {
    reader = await detector();
  } catch {
    status.textContent = t("no_camera");
    return;
  }
  let fellBack = false;
  const scan = async () => {
    if (stopped) return;
    try {
      for (const barcode of await reader.detect(video)) {
        const target = targetOf(barcode.rawValue);
        if (target) {
          status.textContent = "";
          stop();
          location.assign(target);
          return;
        }
        status.textContent = t("not_a_plaque");
      }
    } catch {
      // Native detection fails on phones that lack the platform's service: use the polyfill.
      if (!fellBack && "BarcodeDetector" in window && reader instanceof window.BarcodeDetector) {
        fellBack = true;
        detectorPromise = polyfillDetector();
        reader = await detectorPromise;
      }
    }
    timer = setTimeout(scan, SCAN_INTERVAL_MS);
  };
  scan();
}
