#!/usr/bin/env bash
# Carries a dossier from online submission to returned result with curl only (and sed to
# pick fields out of the JSON answers).
# Start the server on a fresh database first, keeping what it prints:
#   cargo run -p motcua-cli -- serve --database sqlite://walkthrough.db | tee serve.out
# then, in another terminal in the same folder: scripts/curl-walkthrough.sh
# (MOTCUA_API and SERVE_OUT override the address and the file with the printed passwords.)
set -euo pipefail
API=${MOTCUA_API:-http://127.0.0.1:8080/api/v1}
SERVE_OUT=${SERVE_OUT:-serve.out}
JSON='content-type: application/json'
# The value of the first field with this name in a one-line JSON answer (a string or a
# number; the server writes top-level fields in alphabetical order, before nested ones).
field() { grep -o "\"$1\":\"\{0,1\}[^\",}]*" | head -n 1 | sed "s/^\"$1\":\"\{0,1\}//"; }
post() { curl -sf -X POST "$API/$1" -H "$JSON" ${3:+-H "authorization: Bearer $3"} -d "$2"; }
# A staff member's first login: log in with the one-time password printed by serve, change
# it (required before anything else), and log in again.
first_login() {
  local once token
  once=$(grep " $1 " "$SERVE_OUT" | awk '{print $4}')
  token=$(post sessions "{\"id\":\"$1\",\"password\":\"$once\"}" | field token)
  post me/password "{\"current\":\"$once\",\"new\":\"$2\"}" "$token"
  post sessions "{\"id\":\"$1\",\"password\":\"$2\"}" | field token
}

# 1. An applicant registers, logs in and submits a birth registration online.
post accounts '{"id":"tranthimai","name":"Trần Thị Mai","password":"mat-khau-dai-10"}'; echo
MAI=$(post sessions '{"id":"tranthimai","password":"mat-khau-dai-10"}' | field token)
ID=$(post dossiers '{"procedure":"1.001193","agency":"000.31.12.H53","applicant":{"name":"Trần Thị Mai"},"form":{"ten_tre":"Lâm Gia Bảo","ngay_sinh":"27/02/2026"},"components":["Tờ khai đăng ký khai sinh","Giấy chứng sinh"]}' "$MAI" | field id)
echo "dossier $ID"
# 2. The commune's reception officer (first login) accepts the dossier and sends it to the
#    chairman's signature step.
DESK=$(first_login mot-cua.p2 mot-cua-p2-moi)
ACCEPTED=$(post "dossiers/$ID/commands" '{"command":"accept"}' "$DESK")
echo "accepted: code $(field code <<< "$ACCEPTED"), appointment $(field appointment <<< "$ACCEPTED")"
post "dossiers/$ID/commands" '{"command":"forward","to":"ky"}' "$DESK" > /dev/null
# 3. The chairman (first login) signs: the birth certificate is issued within the day.
LEAD=$(first_login chu-tich.p2 chu-tich-p2-moi)
FINISHED=$(post "dossiers/$ID/commands" '{"command":"mark-finished","outcome":{"kind":"granted"}}' "$LEAD")
echo "processing finished: national status $(field national_status <<< "$FINISHED")"
# 4. The desk returns the result; anyone can look the dossier up by its code.
CODE=$(post "dossiers/$ID/commands" '{"command":"return-result"}' "$DESK" | field code)
curl -sf "$API/lookup/$CODE"; echo
