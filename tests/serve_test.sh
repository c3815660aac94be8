#!/usr/bin/env bash
# End-to-end check of `earshot serve` with the real binary (registered with CTest in
# src/earshot/cli/CMakeLists.txt; docs/serving.md):
#   - a simulated scene's pulses posted in batches, one batch twice: every pulse stored
#     once, duplicates acknowledged as such, 3 shots, incidents not doubled;
#   - live push: a subscribed client sees shot.new and incident.new with ingested_ns and
#     published_ns;
#   - the CAP alert of an incident validates against CAP-v1.2.xsd (skipped without it);
#   - refusals: 401 without a token, 403 for the wrong role, 400 for malformed JSON, 413
#     for an oversized body, refused pulses by index inside a 200;
#   - review, disposition, audited snippet access;
#   - kill -9 during a second ingest, restart on the same database: every acknowledged
#     pulse is there once and the audit chain verifies.
# Usage: serve_test.sh EARSHOT_BINARY SCENARIOS_DIR
set -euo pipefail
earshot="$1"
scenarios="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/cli_test_lib.sh"
schema="$here/../../shared/data/schemas/CAP-v1.2.xsd"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

server_pid=""
sse_pid=""
stop_all() {
  [[ -n "$sse_pid" ]] && kill "$sse_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap stop_all EXIT

"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/sim" --pulses-only \
  >"$tmp/simulate.log" 2>&1 || { cat "$tmp/simulate.log"; fail "simulate"; }
n_pulses=$(grep -c . "$tmp/sim/pulses.jsonl")
[[ "$n_pulses" -ge 15 ]] || fail "expected a few dozen simulated pulses, got $n_pulses"

# Tokens: one per role; the file keeps only their SHA-256.
token_entry() {  # NAME TOKEN ROLE
  printf '{"name": "%s", "token_sha256": "%s", "roles": ["%s"]}' "$1" \
    "$(printf %s "$2" | sha256sum | cut -d' ' -f1)" "$3"
}
cat >"$tmp/tokens.json" <<EOF
{"tokens": [
  $(token_entry ingest tok-admin admin),
  $(token_entry dispatch-1 tok-dispatcher dispatcher),
  $(token_entry officer-12 tok-officer officer),
  $(token_entry auditor-1 tok-auditor auditor)
]}
EOF
temperature=$(python3 -c "import json,sys; w=json.load(open(sys.argv[1])); print(w.get('temperature_c', w.get('temperature', 15)))" "$tmp/sim/weather.json" 2>/dev/null || echo 15)
# Low thresholds, so that the simulated shots (whose pulses carry no detector features:
# p(gunfire) about 0.16) are dispatched and the reasons path is exercised too.
echo '{"gunfire_min_p": 0.1, "probable_gunfire_min_p": 0.05}' >"$tmp/dispatch.json"
cat >"$tmp/serve.json" <<EOF
{"listen": {"address": "127.0.0.1", "port": 8080},
 "database": "earshot.db", "tokens": "tokens.json", "sensors": "sim/sensors.json",
 "models": {"dispatch": "dispatch.json"},
 "weather": {"temperature_c": $temperature},
 "limits": {"max_body_bytes": 1048576, "requests_per_second_per_token": 10000},
 "pipeline": {"advance_interval_s": 0.2}}
EOF

start_server() {
  "$earshot" serve --config "$tmp/serve.json" --port 0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$tmp/serve.out" 2>/dev/null; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/serve.err" >&2; fail "serve exited"; }
    sleep 0.1
  done
  base=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$tmp/serve.out")
  [[ -n "$base" ]] || { cat "$tmp/serve.err" >&2; fail "serve did not say where it listens"; }
}

status_of() {  # status_of TOKEN METHOD PATH [BODY_FILE] -> prints the HTTP status
  local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$2")
  [[ -n "$1" ]] && args+=(-H "Authorization: Bearer $1")
  [[ $# -ge 4 ]] && args+=(-H 'Content-Type: application/json' --data-binary "@$4")
  curl "${args[@]}" "$base$3"
}

expect_http() {  # expect_http WANT TOKEN METHOD PATH [BODY_FILE]
  local want="$1"
  shift
  local got
  got=$(status_of "$@")
  [[ "$got" == "$want" ]] || { cat "$tmp/body" >&2; fail "expected HTTP $want, got $got: $*"; }
}

metric() {  # metric NAME -> its value in GET /api/v1/metrics/pipeline
  curl -s -H "Authorization: Bearer tok-auditor" "$base/api/v1/metrics/pipeline" |
    awk -v name="$1" '$1 == name {print $2}'
}

start_server

# Live push: subscribe before anything is ingested.
curl -sN -H "Authorization: Bearer tok-dispatcher" "$base/api/v1/events" >"$tmp/events.txt" &
sse_pid=$!

# Batches of the simulated pulses; two pulses carry audio snippets.
python3 - "$tmp/sim/pulses.jsonl" "$tmp" <<'EOF'
import base64, json, sys
pulses = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
for p in pulses[:2]:
    p["snippet"] = {"mime_type": "audio/wav",
                    "data_base64": base64.b64encode(b"RIFF-test-" + p["pulse_id"].encode()).decode()}
# The first batch spans two shots and more than the locator's horizon (a spooled sensor
# catching up); the second the rest.
split = 2 * len(pulses) // 3
json.dump({"pulses": pulses[:split]}, open(f"{sys.argv[2]}/batch0.json", "w"))
json.dump({"pulses": pulses[split:]}, open(f"{sys.argv[2]}/batch1.json", "w"))
# One good pulse and two bad ones: refused by index, the good one accepted.
bad = {"pulses": [{"pulse_id": "bad-1", "sensor": "UNIT-01", "time_utc": "yesterday"},
                  {k: v for k, v in pulses[0].items() if k != "snippet"} | {"pulse_id": "extra-good"},
                  {"pulse_id": "bad-2"},
                  {k: v for k, v in pulses[1].items() if k != "snippet"} |
                  {"pulse_id": "from-the-future", "time_utc": "2099-01-01T00:00:00Z"}]}
json.dump(bad, open(f"{sys.argv[2]}/mixed.json", "w"))
open(f"{sys.argv[2]}/first_pulse_id", "w").write(pulses[0]["pulse_id"])
EOF
batch_size=$(python3 -c "import json; print(len(json.load(open('$tmp/batch0.json'))['pulses']))")
for i in 0 1 0; do
  expect_http 200 tok-admin POST /api/v1/pulses "$tmp/batch$i.json"
done
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['accepted'] == 0 and r['duplicates'] == $batch_size, r" \
  "$tmp/body" || fail "the repeated batch was not all duplicates: $(cat "$tmp/body")"
expect_http 200 tok-admin POST /api/v1/pulses "$tmp/mixed.json"
python3 - "$tmp/body" <<'EOF' || fail "mixed batch: $(cat "$tmp/body")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["accepted"] == 1 and r["duplicates"] == 0, r
assert [x["index"] for x in r["refused"]] == [0, 2, 3], r
assert "sensor clock fault" in r["refused"][2]["error"], r
assert r["refused"][0]["error"].startswith("pulses[0], field time_utc"), r
assert r["results"] == ["refused", "accepted", "refused", "refused"], r
EOF

# Wait for the three shots and their incidents to be located, stored and pushed.
for _ in $(seq 1 150); do
  [[ "$(metric earshot_store_shots)" == "3" && "$(metric earshot_pipeline_queue_depth)" == "0" ]] && break
  sleep 0.1
done
sleep 0.5
[[ "$(metric earshot_store_pulses)" == "$((n_pulses + 1))" ]] ||
  fail "expected $((n_pulses + 1)) pulses stored once each, got $(metric earshot_store_pulses)"
[[ "$(metric earshot_pulses_duplicate_total)" == "$batch_size" ]] || fail "duplicate count"
[[ "$(metric earshot_pulses_refused_total)" == "3" ]] || fail "refused count"
[[ "$(metric earshot_store_shots)" == "3" ]] ||
  { cat "$tmp/serve.err" >&2; fail "expected 3 shots, got $(metric earshot_store_shots)"; }
[[ "$(metric earshot_store_snippets)" == "2" ]] || { curl -s -H "Authorization: Bearer tok-auditor" "$base/api/v1/metrics/pipeline" >&2; fail "expected 2 snippets"; }
grep -q "^event: shot.new" "$tmp/events.txt" || fail "no shot.new pushed"
grep -q "^event: incident.new" "$tmp/events.txt" || fail "no incident.new pushed"
grep -q '"ingested_ns"' "$tmp/events.txt" && grep -q '"published_ns"' "$tmp/events.txt" ||
  fail "pushed events lack ingested_ns/published_ns"
python3 - "$tmp/events.txt" <<'EOF' || fail "pushed incidents: $(grep -m1 -A1 '^event: incident' "$tmp/events.txt")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
incidents = [json.loads(lines[i + 1][len("data: "):]) for i, line in enumerate(lines)
             if line == "event: incident.new"]
assert incidents, "no incident.new"
for incident in incidents:
    assert incident["label"] == "gunfire", incident
    assert len(incident["reasons"]) == 3, incident["reasons"]
    assert 0 < incident["published_ns"] - incident["ingested_ns"] < 5e9, incident
EOF

expect_http 200 tok-dispatcher GET "/api/v1/incidents?limit=500"
python3 - "$tmp/body" "$(metric earshot_store_incidents)" "$tmp/incident_id" <<'EOF' || fail "incident list: $(head -c 600 "$tmp/body")"
import json, sys
incidents = json.load(open(sys.argv[1]))["incidents"]
ids = [i["id"] for i in incidents]
assert len(ids) == len(set(ids)) == int(sys.argv[2]) >= 1, (ids, sys.argv[2])
shots = [s for i in incidents for s in i["shot_ids"]]
assert len(shots) == len(set(shots)) == 3, shots
open(sys.argv[3], "w").write(ids[0])
EOF
incident_id=$(cat "$tmp/incident_id")
expect_http 200 tok-dispatcher GET "/api/v1/incidents?state=new,updated&label=gunfire,probable_gunfire,not_gunfire"
expect_http 200 tok-dispatcher GET "/api/v1/incidents/$incident_id"
expect_http 200 tok-dispatcher GET "/api/v1/incidents/$incident_id/shots"
shot_id=$(python3 -c "import json; print(json.load(open('$tmp/body'))['shots'][0]['id'])")
expect_http 200 tok-dispatcher GET "/api/v1/shots/$shot_id"
expect_http 404 tok-dispatcher GET "/api/v1/incidents/no-such-incident"
expect_http 200 tok-dispatcher GET "/api/v1/incidents.geojson"
python3 -c "import json; assert json.load(open('$tmp/body'))['type'] == 'FeatureCollection'"
expect_http 200 tok-dispatcher GET /api/v1/sensors
expect_http 200 tok-dispatcher GET /api/openapi.yaml
grep -q "^openapi:" "$tmp/body" || fail "openapi.yaml not served"

# Every operation of the served spec has a route (and the x-roles it names let its token in).
curl -s -H "Authorization: Bearer tok-auditor" "$base/api/openapi.yaml" >"$tmp/openapi.yaml"
python3 - "$tmp/openapi.yaml" "$base" <<'EOF' || fail "spec and routes disagree"
import http.client, sys, urllib.parse
try:
    import yaml
except ImportError:
    print("note: python3 has no yaml module; spec/route agreement not checked")
    sys.exit(0)
spec = yaml.safe_load(open(sys.argv[1]))
url = urllib.parse.urlparse(sys.argv[2])
tokens = {"admin": "tok-admin", "dispatcher": "tok-dispatcher", "officer": "tok-officer",
          "auditor": "tok-auditor", "any": "tok-auditor"}
problems = []
for path, item in spec["paths"].items():
    for method, op in item.items():
        if method not in ("get", "post") or path == "/api/v1/events":
            continue
        role = next(r for r in op["x-roles"] if r in tokens)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        conn.request(method.upper(), path.replace("{id}", "no-such-id"),
                     "{}" if method == "post" else None,
                     {"Authorization": f"Bearer {tokens[role]}",
                      "Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        if response.status in (401, 403, 405) or "no route" in body:
            problems.append(f"{method.upper()} {path} as {role}: {response.status} {body[:120]}")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF

# CAP 1.2 against the official schema.
expect_http 200 tok-dispatcher GET "/api/v1/incidents/$incident_id/cap"
cp "$tmp/body" "$tmp/cap.xml"
if [[ -f "$schema" ]] && command -v xmllint >/dev/null; then
  xmllint --noout --schema "$schema" "$tmp/cap.xml" 2>"$tmp/xmllint.log" ||
    { cat "$tmp/xmllint.log" >&2; fail "CAP alert does not validate"; }
else
  echo "note: CAP schema or xmllint absent; CAP validation skipped"
fi

# Refusals.
expect_http 401 "" GET /api/v1/incidents
expect_http 401 not-a-token GET /api/v1/incidents
expect_http 403 tok-dispatcher POST /api/v1/pulses "$tmp/batch0.json"
printf '{"pulses": [' >"$tmp/malformed.json"
expect_http 400 tok-admin POST /api/v1/pulses "$tmp/malformed.json"
head -c 1200000 /dev/zero | tr '\0' 'x' >"$tmp/huge.json"
expect_http 413 tok-admin POST /api/v1/pulses "$tmp/huge.json"
expect_http 400 tok-dispatcher GET "/api/v1/incidents?limit=0"

# A person's decisions; audio is audited.
echo '{"label": "gunfire", "note": "heard it"}' >"$tmp/review.json"
expect_http 403 tok-officer POST "/api/v1/incidents/$incident_id/review" "$tmp/review.json"
expect_http 200 tok-dispatcher POST "/api/v1/incidents/$incident_id/review" "$tmp/review.json"
python3 -c "import json; i=json.load(open('$tmp/body')); assert i['state'] == 'reviewed' and i['label'] == 'gunfire', i"
echo '{"expected_version": 1, "label": "not_gunfire"}' >"$tmp/stale.json"
expect_http 409 tok-dispatcher POST "/api/v1/incidents/$incident_id/review" "$tmp/stale.json"
echo '{"code": "evidence_found", "note": "casings", "close": true}' >"$tmp/disposition.json"
expect_http 200 tok-officer POST "/api/v1/incidents/$incident_id/disposition" "$tmp/disposition.json"
python3 -c "import json; i=json.load(open('$tmp/body')); assert i['state'] == 'closed' and i['disposition']['by'] == 'officer-12', i"
first_pulse=$(cat "$tmp/first_pulse_id")
expect_http 403 tok-officer GET "/api/v1/snippets/$first_pulse"
expect_http 200 tok-dispatcher GET "/api/v1/snippets/$first_pulse"
[[ "$(cat "$tmp/body")" == "RIFF-test-$first_pulse" ]] || fail "snippet bytes differ"
expect_http 404 tok-dispatcher GET "/api/v1/snippets/no-such-pulse"
sleep 0.3
grep -q "^event: incident.updated" "$tmp/events.txt" || fail "no incident.updated pushed"
expect_http 403 tok-dispatcher GET /api/v1/audit/verify

# kill -9 during a second ingest: what was acknowledged survives, once.
python3 - "$tmp/sim/pulses.jsonl" "$base" "$tmp/acked.txt" <<'EOF' &
import http.client, json, sys, urllib.parse
pulses = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
url = urllib.parse.urlparse(sys.argv[2])
acked = open(sys.argv[3], "w")
for round_ in range(100000):
    batch = [dict(p, pulse_id=f"{p['pulse_id']}-r{round_}") for p in pulses[:10]]
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        conn.request("POST", "/api/v1/pulses", json.dumps({"pulses": batch}),
                     {"Authorization": "Bearer tok-admin", "Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read()
    except Exception:
        break
    if response.status == 200:
        for p in batch:
            acked.write(p["pulse_id"] + "\n")
        acked.flush()
EOF
ingest_pid=$!
sleep 1.5
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
wait "$ingest_pid" 2>/dev/null || true
kill "$sse_pid" 2>/dev/null || true
sse_pid=""
n_acked=$(grep -c . "$tmp/acked.txt" || true)
[[ "$n_acked" -ge 10 ]] || fail "expected some acknowledged pulses before the kill, got $n_acked"

start_server
expect_http 200 tok-auditor GET /api/v1/audit/verify
python3 -c "import json; r=json.load(open('$tmp/body')); assert r['ok'] and r['entries_checked'] > 0, r" ||
  fail "audit chain after restart: $(cat "$tmp/body")"
python3 - "$tmp/earshot.db" "$tmp/acked.txt" <<'EOF' || fail "acknowledged pulses lost after kill -9"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
acked = [line.strip() for line in open(sys.argv[2]) if line.strip()]
missing = [a for a in acked if db.execute("SELECT COUNT(*) FROM pulses WHERE id = ?", (a,)).fetchone()[0] != 1]
assert not missing, f"{len(missing)} of {len(acked)} missing, e.g. {missing[:3]}"
EOF
# The incidents stored before the kill are still served, and take reviews.
expect_http 200 tok-dispatcher GET "/api/v1/incidents/$incident_id"
expect_http 200 tok-dispatcher POST "/api/v1/incidents/$incident_id/review" "$tmp/review.json"
# Ingest goes on after the restart.
expect_http 200 tok-admin POST /api/v1/pulses "$tmp/batch0.json"
kill "$server_pid"
wait "$server_pid" || fail "serve did not stop cleanly on SIGTERM"
server_pid=""
echo "serve_test: OK ($n_pulses pulses, $n_acked acknowledged before kill -9)"
