#!/usr/bin/env bash
# Lighthouse accessibility and best-practices scores of Dalil's main pages, with Debian Chromium.
# Start the app first (.ci/serve), then:  bench/lighthouse.sh [BASE_URL] [PATH...]
# Lighthouse 12 is the last line that runs on Node 20; npx fetches it from npm once.
# Reports go to bench/results/lighthouse/; exit status 1 when a score is below 100.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${1:-http://127.0.0.1:8000}"
shift || true
PATHS=("$@")
[ "${#PATHS[@]}" -gt 0 ] || PATHS=(/fr/ /ar/ /fr/sites/casablanca /ar/monuments/hassan-ii-mosque
                                   /fr/monuments/hassan-ii-mosque/minaret /ar/offline /q/H3J4Y)
OUT=bench/results/lighthouse
mkdir -p "$OUT"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
status=0
for path in "${PATHS[@]}"; do
  name="$(echo "$path" | tr '/' '_' | sed 's/^_//; s/_$//')"
  report="$OUT/${name:-root}.json"
  npx --yes lighthouse@12.8.2 "$BASE$path" --quiet --output=json --output-path="$report" \
    --only-categories=accessibility,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run" >/dev/null 2>&1 || {
      echo "lighthouse failed on $path" >&2; status=1; continue; }
  node -e '
    const r = require(process.argv[1]);
    const a = Math.round(r.categories.accessibility.score * 100);
    const b = Math.round(r.categories["best-practices"].score * 100);
    const failed = Object.values(r.audits).filter((x) => x.score !== null && x.score < 1 &&
      x.scoreDisplayMode !== "informative" && x.scoreDisplayMode !== "manual").map((x) => x.id);
    console.log(`${process.argv[2].padEnd(42)} accessibility ${a}  best-practices ${b}` +
      (failed.length ? `  failing: ${failed.join(", ")}` : ""));
    process.exit(a === 100 && b === 100 ? 0 : 1);
  ' "$PWD/$report" "$path" || status=1
done
exit $status
