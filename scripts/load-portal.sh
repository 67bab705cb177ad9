#!/usr/bin/env bash
# Load test of the portal's pages with wrk (Debian package `wrk`): 64 connections, 2 threads,
# on this machine's loopback, against one release server on a fresh SQLite file with the
# demo. In the same run, one after another:
#   the trivial handler (/healthz, the baseline), the lookup page of a dossier's code
#   (/tra-cuu/{code}), a procedure's page (/thu-tuc/XD-GPXD-MOI), and the home page (/),
# each asked as a browser asks (Accept-Encoding: gzip, so the answers are compressed).
# Prints each one's requests per second, p50 and p99, and the ratio to /healthz.
# Usage: scripts/load-portal.sh [DURATION, default 15s] [RUNS, default 1]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
duration="${1:-15s}"
runs="${2:-1}"
motcua="$here/target/release/motcua"
[ -x "$motcua" ] || (cd "$here" && cargo build --release -p motcua-cli)
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && exec "$motcua" serve --addr "127.0.0.1:$port" --database "sqlite://$work/load.db" > serve.out 2> serve.log) &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/readyz" > /dev/null && break; sleep 0.2; done
# A code the demo has: the building permit's scenario is accepted on 2026-03-02.
code=000.00.04.H53-260302-0001
curl -sf "$base/tra-cuu/$code" | grep -q "$code" || { echo "the lookup page does not show $code" >&2; exit 1; }
one() {
  # requests/s p50 p99 (ms) of one wrk run.
  wrk -t2 -c64 -d"$duration" --latency -H 'accept-encoding: gzip' "$1" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", text)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50, p99 = ms("50%"), ms("99%")
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {bad.group(1) if bad else 0}")'
}
for run in $(seq 1 "$runs"); do
  echo "== run $run ($duration each, 64 connections)"
  read -r base_rps base_p50 base_p99 base_bad < <(one "$base/healthz")
  printf '%-34s %8s req/s  p50 %6s ms  p99 %6s ms\n' "GET /healthz (baseline)" "$base_rps" "$base_p50" "$base_p99"
  for path in "/tra-cuu/$code" "/thu-tuc/XD-GPXD-MOI" "/"; do
    read -r rps p50 p99 bad < <(one "$base$path")
    ratio="$(python3 -c "print(f'{$rps / $base_rps:.2f}')")"
    printf '%-34s %8s req/s  p50 %6s ms  p99 %6s ms  ratio %s  non-2xx %s\n' "GET $path" "$rps" "$p50" "$p99" "$ratio" "$bad"
  done
done
