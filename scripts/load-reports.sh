#!/usr/bin/env bash
# The reports on a large database (the 1-million-dossier one from motcua-store's loadgen),
# one request at a time as a leader asks for them, on one release server:
#   the province's statistics for a year as JSON (the baseline), as XLSX (one sheet), as
#   XLSX with one sheet per agency, and a district's register for a month as PDF and XLSX.
# The first request after the server starts is reported on its own (cold), then RUNS more
# of each (warm): each one's median and slowest, and the XLSX's ratio to the JSON.
# Usage: scripts/load-reports.sh DATABASE_URL [RUNS, default 5]
# Needs the accounts scripts/load-office.sh creates on the database (it runs it once if not).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
db="$1"
runs="${2:-5}"
motcua="$here/target/release/motcua"
[ -x "$motcua" ] || (cd "$here" && cargo build --release -p motcua-cli)
secrets="/tmp/motcua-load-office-${db//[^A-Za-z0-9]/_}"
[ -f "$secrets" ] || "$here/scripts/load-office.sh" "$db" 1s 1 > /dev/null
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && exec "$motcua" serve --no-demo --addr "127.0.0.1:$port" --database "$db" >> serve.out 2>> serve.log) &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port/api/v1"
token="$(curl -sf -X POST "$base/sessions" -H 'content-type: application/json' \
  -d '{"id":"bench.admin","password":"dong-bang-song-cuu-long-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
year="agency=000.00.00.H53&from=2025-01-01&to=2025-12-31"
month="agency=000.20.03.H53&from=2025-03-01&to=2025-03-31"
declare -A paths=(
  [json]="/reports/statistics?$year"
  [xlsx]="/reports/statistics?$year&format=xlsx"
  [xlsx_by_agency]="/reports/statistics?$year&format=xlsx&sheets=agency"
  [register_pdf]="/reports/register?$month"
  [register_xlsx]="/reports/register?$month&format=xlsx"
)
order="json xlsx xlsx_by_agency register_pdf register_xlsx"
time_one() { # path -> seconds and bytes
  curl -sf -o "$work/out" -w '%{time_total} %{size_download}\n' "$base$1" -H "authorization: Bearer $token"
}
read -r cold size < <(time_one "${paths[xlsx]}")
echo "first request after the start: province-year XLSX $(python3 -c "print(f'{$cold*1000:.0f} ms')") ($size bytes)"
declare -A median
for name in $order; do
  times=()
  for _ in $(seq 1 "$runs"); do
    read -r t size < <(time_one "${paths[$name]}")
    times+=("$t")
  done
  read -r med worst < <(python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(statistics.median(v), max(v))' "${times[@]}")
  median[$name]="$med"
  printf '%-16s median %7.0f ms  slowest %7.0f ms  %9s bytes\n' "$name" "$(python3 -c "print($med*1000)")" "$(python3 -c "print($worst*1000)")" "$size"
done
python3 -c "print(f'ratio xlsx / json: {${median[xlsx]}/${median[json]}:.2f}; by agency / json: {${median[xlsx_by_agency]}/${median[json]}:.2f}')"
