#!/usr/bin/env bash
# Load test of `motcua serve` with wrk (Debian package `wrk`): 64 connections, 2 threads, on
# this machine's loopback. Measures, in one run against one server:
#   trivial handler (/healthz), public lookup by code, the staff queue, desk registration +
#   accept.
# Usage: scripts/load.sh [DURATION, default 20s] [DATABASE URL]
# It starts its own server and stops it: on a fresh SQLite file in a temporary directory, or
# on the PostgreSQL database given, which must be empty (the server seeds the demo in it).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
duration="${1:-20s}"
database="${2:-}"
# MOTCUA_BIN: another build to measure (e.g. the previous commit's, for a before/after).
motcua="$(realpath "${MOTCUA_BIN:-$here/target/release/motcua}")"
[ -x "$motcua" ] || (cd "$here" && cargo build --release -p motcua-cli)
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# exec: $! is then the server itself, so that the trap stops it (not just a subshell).
[ -n "$database" ] || database="sqlite://$work/load.db"
(cd "$work" && exec "$motcua" serve --addr "127.0.0.1:$port" --database "$database" > serve.out 2> serve.log) &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
api="http://127.0.0.1:$port/api/v1"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
token() { curl -sf -X POST "$api/sessions" -H 'content-type: application/json' -d "{\"id\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
once="$(grep ' mot-cua.tp ' "$work/serve.out" | awk '{print $4}')"
first="$(token mot-cua.tp "$once")"
curl -sf -X POST "$api/me/password" -H "authorization: Bearer $first" -H 'content-type: application/json' -d "{\"current\":\"$once\",\"new\":\"mot-cua-tp-tai-thu\"}"
export DESK_TOKEN="$(token mot-cua.tp mot-cua-tp-tai-thu)"
run() { echo "== $1"; shift; wrk -t2 -c64 -d"$duration" --latency "$@" | grep -E "Requests/sec|Latency|99%|50%|Non-2xx|requests in"; }
run "trivial handler: GET /healthz" "http://127.0.0.1:$port/healthz"
run "public lookup: GET /api/v1/lookup/{code}" "$api/lookup/000.00.04.H53-260302-0001"
run "staff queue: GET /api/v1/queue" -H "authorization: Bearer $DESK_TOKEN" "$api/queue"
# At most 10 s: the agency accepts about 750 dossiers a second here, and a dossier code
# allows 9 999 acceptances per agency per day (later ones are refused, as the law's format
# requires).
accept_duration="$duration"
[ "${duration%s}" -gt 10 ] 2>/dev/null && accept_duration=10s
run "desk registration + accept (queue of registered ids, each accepted once)" -d"$accept_duration" -s "$here/scripts/load/submit-accept.lua" "http://127.0.0.1:$port"
