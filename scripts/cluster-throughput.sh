#!/usr/bin/env bash
# Write throughput of three `motcua serve` processes on one PostgreSQL next to one server, in
# the same run (issue 14; docs/benchmarks.md, "Several servers on one PostgreSQL").
#
#   scripts/cluster-throughput.sh [DURATION, default 8s]
#
# Starts its own PostgreSQL (initdb on a temporary directory, a free port, fsync off as in
# CI, pg_stat_statements loaded) and, for each layout, a fresh database with the demo:
#   1. one server, wrk with 2 threads and 64 connections;
#   2. three servers, three wrk processes with 1 thread and 22 connections each, one per server.
# The load is scripts/load/submit-accept.lua: the district's reception officer registers
# desk dossiers and accepts each one once. Committed commands are counted in the database
# (dossiers registered plus dossiers accepted, divided by the duration), not from wrk's
# answers. For each layout it
# prints the CPU seconds the servers and PostgreSQL used and how busy the machine was (from
# /proc), and the statements that took
# the most time in PostgreSQL (pg_stat_statements), to name the bottleneck.
# At most 10 s per layout: a dossier code allows 9 999 acceptances per agency and day.
# Needs wrk (Debian package) and a release build (built if missing). Run as root (runuser).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
duration="${1:-8s}"
secs="${duration%s}"
motcua="$here/target/release/motcua"
[ -x "$motcua" ] || (cd "$here" && cargo build --release -p motcua-cli)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | tail -n 1)")"
work="$(mktemp -d)"
chown postgres "$work"
pg_port="$(free_port)"
runuser -u postgres -- "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust > "$work/initdb.log"
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c shared_preload_libraries=pg_stat_statements -c max_connections=200" \
  start > /dev/null
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -m fast stop > /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
admin="postgres://postgres@127.0.0.1:$pg_port/postgres"
psql() { "$pg_bin/psql" -X -q -At "$@"; }

# CPU seconds (user + system) used so far by the processes whose command name is $1.
cpu() {
  local ticks=0
  for stat in /proc/[0-9]*/stat; do
    { read -r line < "$stat"; } 2> /dev/null || continue
    local name="${line#*(}"; name="${name%%)*}"
    [ "$name" = "$1" ] || continue
    # shellcheck disable=SC2086
    set -- "$1" ${line##*) }
    ticks=$((ticks + ${13} + ${14}))
  done
  echo "$ticks"
}

# Busy and total ticks of the whole machine (/proc/stat).
busy() {
  read -r _ user nice system idle iowait irq softirq steal _ < /proc/stat
  echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

layout() {
  local servers="$1" db="bench_$1"
  psql "$admin" -c "CREATE DATABASE $db"
  local url="postgres://postgres@127.0.0.1:$pg_port/$db"
  local ports=()
  for n in $(seq 1 "$servers"); do
    local port; port="$(free_port)"
    ports+=("$port")
    (cd "$work" && exec "$motcua" serve --addr "127.0.0.1:$port" --database "$url" --no-outbox-worker \
      > "$work/serve-$servers-$n.out" 2> "$work/serve-$servers-$n.log") &
    pids+=($!)
    for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
  done
  local api="http://127.0.0.1:${ports[0]}/api/v1"
  token() { curl -sf -X POST "$api/sessions" -H 'content-type: application/json' -d "{\"id\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
  local once; once="$(grep ' mot-cua.tp ' "$work/serve-$servers-1.out" | awk '{print $4}')"
  local first; first="$(token mot-cua.tp "$once")"
  curl -sf -X POST "$api/me/password" -H "authorization: Bearer $first" -H 'content-type: application/json' -d "{\"current\":\"$once\",\"new\":\"mot-cua-tp-tai-thu\"}"
  DESK_TOKEN="$(token mot-cua.tp mot-cua-tp-tai-thu)"
  export DESK_TOKEN
  psql "$url" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" > /dev/null
  local before; before="$(psql "$url" -c "SELECT (SELECT count(*) FROM dossiers) + (SELECT count(*) FROM dossiers WHERE code IS NOT NULL)")"
  local cpu_m cpu_p busy0
  cpu_m="$(cpu motcua)"; cpu_p="$(cpu postgres)"; busy0="$(busy)"
  local wrks=()
  if [ "$servers" = 1 ]; then
    wrk -t2 -c64 -d"$duration" -s "$here/scripts/load/submit-accept.lua" "http://127.0.0.1:${ports[0]}" > "$work/wrk-1-1.txt" &
    wrks+=($!)
  else
    for n in $(seq 1 "$servers"); do
      wrk -t1 -c22 -d"$duration" -s "$here/scripts/load/submit-accept.lua" "http://127.0.0.1:${ports[$((n - 1))]}" > "$work/wrk-$servers-$n.txt" &
      wrks+=($!)
    done
  fi
  wait "${wrks[@]}"
  local cpu_m1 cpu_p1 busy1
  cpu_m1="$(cpu motcua)"; cpu_p1="$(cpu postgres)"; busy1="$(busy)"
  local after; after="$(psql "$url" -c "SELECT (SELECT count(*) FROM dossiers) + (SELECT count(*) FROM dossiers WHERE code IS NOT NULL)")"
  local hz; hz="$(getconf CLK_TCK)"
  echo "== $servers server(s) on one PostgreSQL, $duration"
  echo "committed commands: $((after - before)), $(python3 -c "print(f'{($after - $before) / $secs:.0f}')") per second"
  grep -h "Requests/sec\|Non-2xx\|99%" "$work"/wrk-"$servers"-*.txt | sed 's/^/  wrk: /'
  python3 -c "
hz = $hz
for name, a, b in (('motcua', $cpu_m, $cpu_m1), ('postgres', $cpu_p, $cpu_p1)):
    print(f'  CPU {name:9} {(b - a) / hz:5.1f} s of {2 * $secs} s available (2 cores)')
b0, t0 = map(int, '$busy0'.split()); b1, t1 = map(int, '$busy1'.split())
print(f'  machine busy {100 * (b1 - b0) / (t1 - t0):.0f} % (the rest of the busy time is wrk and the kernel)')"
  echo "  pg_stat_statements, the five statements with the most total time:"
  psql "$url" -F ' | ' -c "SELECT calls, round(total_exec_time)::bigint AS ms, round(mean_exec_time::numeric, 3) AS mean_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 90) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 5" | sed 's/^/    /'
  echo "  time waiting on locks (pg_stat_database is per database; deadlocks, and lock waits logged):"
  psql "$url" -c "SELECT 'xact_commit=' || xact_commit || ' xact_rollback=' || xact_rollback || ' deadlocks=' || deadlocks FROM pg_stat_database WHERE datname = current_database()" | sed 's/^/    /'
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  wait "${pids[@]}" 2> /dev/null || true
  pids=()
}

layout 1
layout 3
