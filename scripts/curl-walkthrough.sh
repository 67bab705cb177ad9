#!/usr/bin/env bash
# Carries a dossier from online submission to returned result with curl only.
# Start the server on a fresh database first, keeping what it prints:
#   cargo run -p motcua-cli -- serve --database sqlite://walkthrough.db | tee serve.out
# then, in another terminal in the same folder: scripts/curl-walkthrough.sh
set -e
API=http://127.0.0.1:8080/api/v1
JSON='content-type: application/json'
# 1. An applicant registers, logs in and submits a birth registration online.
curl -s -X POST $API/accounts -H "$JSON" -d '{"id":"tranthimai","name":"Trần Thị Mai","password":"mat-khau-dai-10"}'; echo
MAI=$(curl -s -X POST $API/sessions -H "$JSON" -d '{"id":"tranthimai","password":"mat-khau-dai-10"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
ID=$(curl -s -X POST $API/dossiers -H "authorization: Bearer $MAI" -H "$JSON" \
  -d '{"procedure":"1.001193","agency":"000.31.12.H53","applicant":{"name":"Trần Thị Mai"},"form":{"ten_tre":"Lâm Gia Bảo"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "dossier $ID"
# 2. The commune's reception officer logs in with the one-time password printed by serve,
#    changes it, and accepts the dossier.
DESK_ONCE=$(grep ' mot-cua.p2 ' serve.out | awk '{print $4}')
DESK=$(curl -s -X POST $API/sessions -H "$JSON" -d "{\"id\":\"mot-cua.p2\",\"password\":\"$DESK_ONCE\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -X POST $API/me/password -H "authorization: Bearer $DESK" -H "$JSON" -d "{\"current\":\"$DESK_ONCE\",\"new\":\"mot-cua-p2-moi\"}"
DESK=$(curl -s -X POST $API/sessions -H "$JSON" -d '{"id":"mot-cua.p2","password":"mot-cua-p2-moi"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -X POST $API/dossiers/$ID/commands -H "authorization: Bearer $DESK" -H "$JSON" -d '{"command":"accept","sequence":0}' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["code"], d["national_status"], d["appointment"])'
curl -s -X POST $API/dossiers/$ID/commands -H "authorization: Bearer $DESK" -H "$JSON" -d '{"command":"forward","to":"ky"}' > /dev/null
# 3. The chairman signs (the birth certificate is issued within the day).
LEAD_ONCE=$(grep ' chu-tich.p2 ' serve.out | awk '{print $4}')
LEAD=$(curl -s -X POST $API/sessions -H "$JSON" -d "{\"id\":\"chu-tich.p2\",\"password\":\"$LEAD_ONCE\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -X POST $API/me/password -H "authorization: Bearer $LEAD" -H "$JSON" -d "{\"current\":\"$LEAD_ONCE\",\"new\":\"chu-tich-p2-moi\"}"
LEAD=$(curl -s -X POST $API/sessions -H "$JSON" -d '{"id":"chu-tich.p2","password":"chu-tich-p2-moi"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -X POST $API/dossiers/$ID/commands -H "authorization: Bearer $LEAD" -H "$JSON" -d '{"command":"mark-finished","outcome":{"kind":"granted"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["national_status"])'
# 4. The desk returns the result; anyone can look the dossier up by its code.
CODE=$(curl -s -X POST $API/dossiers/$ID/commands -H "authorization: Bearer $DESK" -H "$JSON" -d '{"command":"return-result"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')
curl -s $API/lookup/$CODE; echo
