#!/usr/bin/env bash
# Runs schemathesis with all its default checks against a fresh demo server, three times:
# without a session, as an applicant, and as a reception officer. Fails on any failure.
#   scripts/schemathesis.sh BINARY ST   (the motcua binary and the schemathesis `st` command)
# MAX_EXAMPLES bounds the examples per operation (default 20).
set -euo pipefail
bin=$1
st=$2
max=${MAX_EXAMPLES:-20}
here="$(cd "$(dirname "$0")" && pwd)"
dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin" serve --database "sqlite://$dir/demo.db" --addr "127.0.0.1:$port" > "$dir/serve.out" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null || true; rm -rf "$dir"' EXIT
API="http://127.0.0.1:$port/api/v1"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
field() { grep -o "\"$1\":\"\{0,1\}[^\",}]*" | head -n 1 | sed "s/^\"$1\":\"\{0,1\}//"; }
post() { curl -sf -X POST "$API/$1" -H 'content-type: application/json' ${3:+-H "authorization: Bearer $3"} -d "$2"; }
post accounts '{"id":"kiem-thu","name":"Người Kiểm Thử","password":"song-hau-phu-sa-42"}' > /dev/null
applicant=$(post sessions '{"id":"kiem-thu","password":"song-hau-phu-sa-42"}' | field token)
once=$(grep " mot-cua.tp " "$dir/serve.out" | awk '{print $4}')
first=$(post sessions "{\"id\":\"mot-cua.tp\",\"password\":\"$once\"}" | field token)
post me/password "{\"current\":\"$once\",\"new\":\"ben-ninh-kieu-17\"}" "$first" > /dev/null
staff=$(post sessions '{"id":"mot-cua.tp","password":"ben-ninh-kieu-17"}' | field token)
run() {
  echo "== schemathesis: $1"
  shift
  # A logout in the middle would end the session the rest of the run uses.
  (cd "$dir" && "$st" --config-file "$here/schemathesis.toml" run "$API/openapi.json" \
    --max-examples "$max" --no-color --seed 1 "$@")
}
run "no session"
run "an applicant" -H "Authorization: Bearer $applicant" --exclude-path /api/v1/sessions/current
run "a reception officer" -H "Authorization: Bearer $staff" --exclude-path /api/v1/sessions/current
