#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12.2.3, its default mobile profile: a mid-range phone on a
# throttled 4G connection) on the portal's home, a procedure's page and the lookup page of a
# dossier, with Debian's Chromium. Prints the performance and accessibility scores and the
# bytes each page transferred.
# Usage: scripts/lighthouse.sh            (installs lighthouse into a temporary directory)
#        LIGHTHOUSE=/path/to/lighthouse scripts/lighthouse.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
motcua="$here/target/release/motcua"
[ -x "$motcua" ] || (cd "$here" && cargo build --release -p motcua-cli)
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
work="$(mktemp -d)"
if [ -z "${LIGHTHOUSE:-}" ]; then
  (cd "$work" && npm install --silent --no-audit --no-fund lighthouse@12.2.3 > /dev/null)
  LIGHTHOUSE="$work/node_modules/.bin/lighthouse"
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && exec "$motcua" serve --addr "127.0.0.1:$port" --database "sqlite://$work/lh.db" > serve.out 2> serve.log) &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/readyz" > /dev/null && break; sleep 0.2; done
for path in / /thu-tuc/XD-GPXD-MOI /tra-cuu/000.00.04.H53-260302-0001; do
  "$LIGHTHOUSE" "$base$path" --quiet --output=json --output-path="$work/report.json" \
    --only-categories=performance,accessibility \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" > /dev/null 2>&1
  python3 - "$work/report.json" "$path" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["categories"]
weight = r["audits"]["total-byte-weight"]["numericValue"]
lcp = r["audits"]["largest-contentful-paint"]["displayValue"]
failed = [a for a in c["accessibility"]["auditRefs"]
          if r["audits"][a["id"]].get("score") == 0]
print(f"{sys.argv[2]:42} performance {c['performance']['score'] * 100:.0f}  "
      f"accessibility {c['accessibility']['score'] * 100:.0f}  "
      f"transferred {weight / 1024:.1f} KB  LCP {lcp}"
      + (f"  failing: {', '.join(a['id'] for a in failed)}" if failed else ""))
EOF
done
