#!/usr/bin/env bash
# Re-projection of the deadlines of dossiers in flight, at scale (issue 15, docs/benchmarks.md).
#
# Fills a fresh database with N open dossiers (motcua-store's loadgen --in-flight: accepted on
# the working days of the twelve weeks before today, through the real engine, left at their
# first step), adds a day off for the whole deployment on the next working day after
# tomorrow, then, one process each, timed:
#   1. `motcua verify`                the baseline: reads every dossier and its events;
#   2. `motcua calendar preview`      reads every open dossier, decides what would move;
#   3. `motcua calendar apply`        brings the day off into force, reprojects every dossier
#                                     it concerns (one event, projection, legal clock and
#                                     notice each), in batches;
#   4. `motcua calendar reproject`    a second pass: reads them again, nothing left to move;
#   5. `motcua verify`                every chain still holds.
# Usage: scripts/reproject-bench.sh [DATABASE_URL, default sqlite:///tmp/inflight.db] [N, default 1000000]
# The database is deleted first when it is a SQLite file. Needs the release build.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
db="${1:-sqlite:///tmp/inflight.db}"
n="${2:-1000000}"
motcua="$here/target/release/motcua"
loadgen="$here/target/release/examples/loadgen"
[ -x "$motcua" ] && [ -x "$loadgen" ] || (cd "$here" && cargo build --release -p motcua-cli -p motcua-store --example loadgen)
if [[ "$db" == sqlite://* ]]; then
  file="${db#sqlite://}"
  rm -f "$file" "$file-wal" "$file-shm"
fi
timed() { # label, command...
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@" > /tmp/reproject-bench.out 2>&1 || { cat /tmp/reproject-bench.out; exit 1; }
  end=$(date +%s.%N)
  printf '%-28s %8.1f s   %s\n' "$label" "$(echo "$end - $start" | bc)" "$(tail -n 1 /tmp/reproject-bench.out)"
}
timed "fill ($n in flight)" "$loadgen" --database "$db" --dossiers "$n" --in-flight --fill-only
# The next working day after tomorrow (Monday to Friday; a holiday there is harmless: the
# day off is then already off and fewer deadlines move, which the output shows).
day="$(python3 -c '
import datetime as d
t = d.date.today() + d.timedelta(days=2)
while t.weekday() > 4: t += d.timedelta(days=1)
print(t)')"
"$motcua" calendar except --date "$day" --kind off --name "Nghỉ (đo hiệu năng)" \
  --source "scripts/reproject-bench.sh" --database "$db" > /dev/null
echo "day off added for every agency: $day"
timed "verify (baseline)" "$motcua" verify --database "$db"
timed "preview" "$motcua" calendar preview --limit 0 --database "$db"
python3 - <<'PY'
import re
o = m = 0
for line in open("/tmp/reproject-bench.out"):
    x = re.search(r"; (\d+) open dossier\(s\), (\d+) with deadlines that would move", line)
    if x:
        o += int(x.group(1)); m += int(x.group(2))
print(f"  preview: {o} open dossiers, {m} would move")
PY
timed "apply (reproject)" "$motcua" calendar apply --database "$db"
timed "second pass" "$motcua" calendar reproject --database "$db"
timed "verify (after)" "$motcua" verify --database "$db"
