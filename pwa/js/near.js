// "Near me" on the home page: sort the monuments by distance from the phone. The list and its
// links work without it; the texts come from the page ([data-near-sorted], [data-near-failed]),
// the numbers from Intl.
import { locale } from "./common.js";

const EARTH_RADIUS_M = 6371e3;

/** Great-circle distance in metres between two points given in degrees. */
export function distance(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2
    + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
}

function formatDistance(metres) {
  const [unit, value] = metres < 1000 ? ["meter", Math.round(metres / 10) * 10] : ["kilometer", metres / 1000];
  return new Intl.NumberFormat(locale(), { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
}

/** Put each list's monuments, and the sites themselves, nearest first. */
export function sortByDistance(box, latitude, longitude) {
  const groups = [...box.querySelectorAll("[data-near-group]")];
  const nearest = new Map();
  for (const group of groups) {
    const list = group.querySelector("[data-near-list]");
    const items = [...list.children].map((item) => {
      const known = item.dataset.lat !== undefined && item.dataset.lon !== undefined;
      const metres = known ? distance(latitude, longitude, Number(item.dataset.lat), Number(item.dataset.lon)) : Infinity;
      const label = item.querySelector("[data-near-distance]");
      if (label) label.textContent = known ? formatDistance(metres) : "";
      return { item, metres };
    });
    items.sort((a, b) => a.metres - b.metres);
    for (const { item } of items) list.append(item);
    nearest.set(group, items.length ? items[0].metres : Infinity);
  }
  const parent = groups[0]?.parentElement;
  for (const group of [...groups].sort((a, b) => nearest.get(a) - nearest.get(b))) parent.append(group);
}

export function initNearMe() {
  const box = document.querySelector("[data-near]");
  const button = box?.querySelector("[data-near-me]");
  if (!button) return;
  const status = box.querySelector("[data-near-status]");
  if (!("geolocation" in navigator)) {
    // The button would do nothing: say why the list keeps its order instead.
    status.textContent = box.querySelector("[data-near-failed]").textContent;
    return;
  }
  button.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        sortByDistance(box, position.coords.latitude, position.coords.longitude);
        status.textContent = box.querySelector("[data-near-sorted]").textContent;
        button.disabled = false;
      },
      (error) => {
        // Refused (by the visitor or an insecure page) or unavailable (no fix, timeout): each says so.
        const refused = error.code === error.PERMISSION_DENIED;
        status.textContent = box.querySelector(refused ? "[data-near-refused]" : "[data-near-failed]").textContent;
        button.disabled = false;
      },
      { enableHighAccuracy: false, maximumAge: 60_000, timeout: 15_000 },
    );
  });
}
