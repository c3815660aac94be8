#!/usr/bin/env bash
# End-to-end check of `earshot train` and `earshot classify` with the real binary
# (registered with CTest in src/earshot/cli/CMakeLists.txt):
#   - train on a small simulated scene gives a model and a report, identical when run again;
#   - a folder that is not a simulation output, or one simulated with --pulses-only, is refused;
#   - classify: a simulated recording gives JSON per file; silence gives "no impulse";
#     an unreadable file or a rate outside 8-48 kHz is reported, status 1, never a crash.
#   classify_cli_test.sh EARSHOT SCENARIOS_DIR
set -euo pipefail
readonly earshot="$1"
readonly scenarios="$2"
# shellcheck source=tests/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh"

echo "== train twice on unit-three-shots: identical models"
"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/sim" >/dev/null
"$earshot" train --sim "$tmp/sim" --out "$tmp/m1" --rounds 5 --threads 1 2>/dev/null
"$earshot" train --sim "$tmp/sim" --out "$tmp/m2" --rounds 5 --threads 2 2>/dev/null
cmp "$tmp/m1/pulse_classifier.json" "$tmp/m2/pulse_classifier.json" || fail "models differ"
grep -q "Confusion matrix\|No held-out rows" "$tmp/m1/pulse_classifier_report.md" ||
  fail "report without results"

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
expect_status 1 "$earshot" classify --json --model "$tmp/m1/pulse_classifier.json" \
  "$tmp/bad.wav" "$tmp/rate96k.wav" "$tmp/missing.wav" "$tmp/silence.wav"
[[ "$(grep -c '"error"' "$tmp/out.log")" == 3 ]] || fail "bad files not each reported"
expect_status 2 "$earshot" classify --model "$tmp/missing_model.json" "$tmp/silence.wav"
echo "PASS"
