#!/usr/bin/env bash
# Load test of the back office's pages on a large database (the 1-million-dossier one from
# motcua-store's loadgen): wrk, 16 connections, 2 threads, this machine's loopback, one
# release server (the monitoring page with one connection: a report, asked one at a time).
# In the same run, one after another:
#   /healthz (the baseline), a reception officer's queue page (/can-bo), the workspace of
#   one of the district's dossiers (/can-bo/ho-so/{id}), the queue searched by a full name
#   without diacritics (/can-bo?q=...), and the monitoring page of the province for a year,
#   first once after the server started (cold), then under load.
# Prints each one's requests per second, p50 and p99 and the ratio to /healthz.
# Usage: scripts/load-office.sh DATABASE_URL [DURATION, default 15s] [RUNS, default 1]
# The database gets (once) a system administrator and a district reception officer.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
db="$1"
duration="${2:-15s}"
runs="${3:-1}"
motcua="$here/target/release/motcua"
[ -x "$motcua" ] || (cd "$here" && cargo build --release -p motcua-cli)
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
start() {
  (cd "$work" && exec "$motcua" serve --no-demo --addr "127.0.0.1:$port" --database "$db" >> serve.out 2>> serve.log) &
  server=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && return; sleep 0.2; done
  echo "the server did not start" >&2; exit 1
}
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
api() { # method path json [token]
  curl -sf -X "$1" "$base/api/v1$2" -H 'content-type: application/json' ${4:+-H "authorization: Bearer $4"} -d "$3"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
district=000.20.03.H53
secrets="${db//[^A-Za-z0-9]/_}"
secrets="/tmp/motcua-load-office-$secrets"
if [ ! -f "$secrets" ]; then
  once="$("$motcua" init --database "$db" --admin bench.admin | sed -n 's/.*shown only now: //p')"
  start
  t="$(api POST /sessions "{\"id\":\"bench.admin\",\"password\":\"$once\"}" | field '["token"]')"
  api POST /me/password "{\"current\":\"$once\",\"new\":\"dong-bang-song-cuu-long-1\"}" "$t" > /dev/null
  t="$(api POST /sessions '{"id":"bench.admin","password":"dong-bang-song-cuu-long-1"}' | field '["token"]')"
  once="$(api POST "/agencies/$district/users" '{"id":"bench.desk","name":"Cán bộ thử tải","roles":["reception-officer"]}' "$t" | field '["one_time_password"]')"
  d="$(api POST /sessions "{\"id\":\"bench.desk\",\"password\":\"$once\"}" | field '["token"]')"
  api POST /me/password "{\"current\":\"$once\",\"new\":\"dong-bang-song-cuu-long-2\"}" "$d" > /dev/null
  echo ok > "$secrets"
  kill $server; wait $server 2>/dev/null || true
fi
start
admin="$(api POST /sessions '{"id":"bench.admin","password":"dong-bang-song-cuu-long-1"}' | field '["token"]')"
desk="$(api POST /sessions '{"id":"bench.desk","password":"dong-bang-song-cuu-long-2"}' | field '["token"]')"
id="$(curl -sf "$base/api/v1/queue?agency=$district" -H "authorization: Bearer $desk" | field '["dossiers"][0]["id"]')"
name="$(curl -sf "$base/api/v1/dossiers/$id" -H "authorization: Bearer $desk" | field '["dossier"]["applicant"]["name"]')"
needle="$(python3 -c "import sys,unicodedata; s=unicodedata.normalize('NFD', sys.argv[1]).replace('đ','d').replace('Đ','D'); print(''.join(c for c in s if unicodedata.category(c) != 'Mn').lower().replace(' ', '+'))" "$name")"
year=/can-bo/theo-doi?co-quan=000.00.00.H53\&tu=2025-01-01\&den=2025-12-31
t0="$(date +%s.%N)"
curl -sf -o /dev/null "$base$year" -H "cookie: motcua_session=$admin"
echo "monitoring, province, 2025, first request after the start: $(python3 -c "print(f'{($(date +%s.%N) - $t0) * 1000:.0f} ms')")"
one() { # path cookie [connections, default 16] -> requests/s p50 p99 non-2xx
  local c="${3:-16}"
  wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"$duration" --latency -H "cookie: motcua_session=$2" "$base$1" | python3 -c '
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
for path in "/can-bo" "/can-bo/ho-so/$id" "/can-bo?q=$needle"; do
  curl -sf -o /dev/null "$base$path" -H "cookie: motcua_session=$desk" || { echo "$path does not answer 200" >&2; exit 1; }
done
for run in $(seq 1 "$runs"); do
  echo "== run $run ($duration each, 16 connections)"
  read -r base_rps base_p50 base_p99 _ < <(one /healthz "$desk")
  printf '%-40s %7s req/s  p50 %7s ms  p99 %7s ms\n' "GET /healthz (baseline)" "$base_rps" "$base_p50" "$base_p99"
  # The monitoring page is a report a leader opens, measured one request at a time.
  for entry in "queue|/can-bo|$desk|16" "workspace|/can-bo/ho-so/$id|$desk|16" "search by name|/can-bo?q=$needle|$desk|16" "monitoring, province year (1 conn)|$year|$admin|1"; do
    IFS='|' read -r label path who conns <<< "$entry"
    read -r rps p50 p99 bad < <(one "$path" "$who" "$conns")
    ratio="$(python3 -c "print(f'{$rps / $base_rps:.3f}')")"
    printf '%-40s %7s req/s  p50 %7s ms  p99 %7s ms  ratio %s  non-2xx %s\n' "$label" "$rps" "$p50" "$p99" "$ratio" "$bad"
  done
done
