#!/usr/bin/env bash
# End-to-end check of `earshot train` and `earshot classify` with the real binary
# (registered with CTest in src/earshot/cli/CMakeLists.txt):
#   - train on a small simulated scene gives the pulse and shot models, the calibration and
#     the reports, identical when run again (with another thread count);
#   - a scene with gunfire only trains the pulse model with --pulse-model-only, and without it
#     is refused with the reason (the shot classifier needs two classes);
#   - a folder that is not a simulation output, or one simulated with --pulses-only, is refused;
#   - classify: a simulated recording gives JSON per file; silence gives "no impulse";
#     clipped samples and a very short file are noted;
#     an unreadable file or a rate outside 8-48 kHz is reported, status 1, never a crash.
#   classify_cli_test.sh EARSHOT SCENARIOS_DIR
set -euo pipefail
readonly earshot="$1"
readonly scenarios="$2"
# shellcheck source=tests/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh"

echo "== train twice on classifier-mini: identical models"
"$earshot" simulate "$scenarios/classifier-mini.json" --out "$tmp/mini" >/dev/null
"$earshot" train --sim "$tmp/mini" --out "$tmp/m1" --rounds 5 --threads 1 2>/dev/null
"$earshot" train --sim "$tmp/mini" --out "$tmp/m2" --rounds 5 --threads 2 2>/dev/null
for file in pulse_classifier.json shot_classifier.json shot_classifier.calibration.json; do
  cmp "$tmp/m1/$file" "$tmp/m2/$file" || fail "$file differs between runs"
done
grep -q "Confusion matrix" "$tmp/m1/pulse_classifier_report.md" || fail "pulse report without results"
grep -q "Calibration of the incidents' p_gunfire" "$tmp/m1/shot_classifier_report.md" ||
  fail "shot report without calibration"

echo "== gunfire only: the pulse model alone, or a clear refusal"
"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/sim" >/dev/null
"$earshot" train --sim "$tmp/sim" --out "$tmp/m4" --rounds 5 --pulse-model-only 2>/dev/null
[[ -f "$tmp/m4/pulse_classifier.json" && ! -f "$tmp/m4/shot_classifier.json" ]] ||
  fail "--pulse-model-only wrote the wrong files"
expect_status 1 "$earshot" train --sim "$tmp/sim" --out "$tmp/m5" --rounds 5
grep -q "at least two classes" "$tmp/out.log" || fail "unclear refusal of a one-class scene"

echo "== refusals"
mkdir -p "$tmp/empty"
expect_status 1 "$earshot" train --sim "$tmp/empty" --out "$tmp/m3"
grep -q "not an 'earshot simulate' output folder" "$tmp/out.log" || fail "unclear refusal"
"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/po" --pulses-only >/dev/null
expect_status 1 "$earshot" train --sim "$tmp/po" --out "$tmp/m3"
grep -q -- "--pulses-only" "$tmp/out.log" || fail "unclear refusal of a pulses-only folder"

echo "== classify"
wav="$(compgen -G "$tmp/sim/*/test_*/test_*.audio.*.wav" | head -1)"
"$earshot" classify --json --model "$tmp/m1/pulse_classifier.json" "$wav" >"$tmp/c.json"
grep -q '"clip":{"label":' "$tmp/c.json" || fail "no clip label"
cp "$wav" "$tmp/nosidecar.wav"
"$earshot" classify --json --model "$tmp/m1/pulse_classifier.json" "$tmp/nosidecar.wav" \
  >"$tmp/c2.json"
grep -q "no sidecar" "$tmp/c2.json" || fail "no note about the missing sidecar"
python3 - "$tmp" <<'PY'
import struct, sys, wave
def write(path, rate, frames):
    w = wave.open(path, "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(frames); w.close()
write(sys.argv[1] + "/silence.wav", 16000, b"\0\0" * 16000)
write(sys.argv[1] + "/short.wav", 8000, struct.pack("<4h", 32767, -32768, 32767, -32768))
write(sys.argv[1] + "/rate96k.wav", 96000, b"\1\0" * 960)
PY
echo "not audio" >"$tmp/bad.wav"
"$earshot" classify --json --model "$tmp/m1/pulse_classifier.json" "$tmp/silence.wav" \
  "$tmp/short.wav" >"$tmp/c3.json"
[[ "$(grep -c '"label":"no impulse"' "$tmp/c3.json")" == 2 ]] || fail "silence: not 'no impulse'"
grep -q "clipped" "$tmp/c3.json" || fail "clipped samples not noted"
grep -q "very short recording" "$tmp/c3.json" || fail "very short file not noted"
expect_status 1 "$earshot" classify --json --model "$tmp/m1/pulse_classifier.json" \
  "$tmp/bad.wav" "$tmp/rate96k.wav" "$tmp/missing.wav" "$tmp/silence.wav"
[[ "$(grep -c '"error"' "$tmp/out.log")" == 3 ]] || fail "bad files not each reported"
expect_status 2 "$earshot" classify --model "$tmp/missing_model.json" "$tmp/silence.wav"

echo "== locate --classify: detected pulses of one window, each shot classified"
# Not every window locates a shot (six sensors, quiet fireworks): take the first that does.
for window in $(compgen -G "$tmp/mini/*/test_*/" | sort); do
  "$earshot" detect "$window"/*.wav --json >"$tmp/window_pulses.jsonl" 2>/dev/null
  "$earshot" locate "$tmp/window_pulses.jsonl" --weather "$tmp/mini/weather.json" --json \
    >"$tmp/plain.jsonl" 2>/dev/null
  [[ -s "$tmp/plain.jsonl" ]] && break
done
[[ -s "$tmp/plain.jsonl" ]] || fail "no window of classifier-mini locates a shot"
"$earshot" locate "$tmp/window_pulses.jsonl" --weather "$tmp/mini/weather.json" --json \
  --classify --shot-model "$tmp/m1/shot_classifier.json" --incidents "$tmp/incidents.jsonl" \
  >"$tmp/classified.jsonl" 2>"$tmp/locate.log" || { cat "$tmp/locate.log" >&2; fail "locate --classify"; }
python3 - "$tmp/classified.jsonl" "$tmp/incidents.jsonl" <<'PY'
import json, sys
fixes = [json.loads(line) for line in open(sys.argv[1])]
incidents = [json.loads(line) for line in open(sys.argv[2])]
assert fixes, "no shot located in the window"
classes = {"gunfire", "aerial_firework", "firecracker", "other_impulsive"}
for fix in fixes:
    c = fix["classification"]
    assert set(c["p"]) == classes, c
    assert abs(sum(c["p"].values()) - 1) < 1e-4, c
    assert c["label"] in classes and 0 <= c["incident"] < len(incidents), c
    assert all(isinstance(r, str) for r in c["reasons"]), c
shots = sorted(i for incident in incidents for i in incident["shots"])
assert shots == list(range(len(fixes))), "incidents do not cover each shot once"
for incident in incidents:
    assert incident["dispatch"] in {"gunfire", "probable_gunfire", "not_gunfire"}, incident
    assert 0 <= incident["p_gunfire"] <= 1, incident
PY
if grep -q classification "$tmp/plain.jsonl"; then fail "locate without --classify classified"; fi
expect_status 2 "$earshot" locate "$tmp/window_pulses.jsonl" --json --classify \
  --shot-model "$tmp/missing_model.json"
grep -q "missing_model.json" "$tmp/out.log" || fail "the missing shot model is not named"
echo "PASS"
