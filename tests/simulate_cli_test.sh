#!/usr/bin/env bash
# End-to-end check of `earshot simulate` with the real binary (registered with CTest in
# src/earshot/cli/CMakeLists.txt):
#   - the same scenario and seed give byte-identical folders, whatever the thread count;
#   - a non-empty --out is refused (status 2) unless --force replaces an earlier output;
#   - a bad scenario is refused with status 2;
#   - `earshot eval livefire` reads a simulated live-fire position, also --from-audio.
#   simulate_cli_test.sh EARSHOT SCENARIOS_DIR
set -euo pipefail
readonly earshot="$1"
readonly scenarios="$2"
# shellcheck source=tests/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh"

echo "== determinism: unit-three-shots twice, 1 and 2 threads"
"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/a" --seed 11 --threads 1
"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/b" --seed 11 --threads 2 >/dev/null
diff -r "$tmp/a" "$tmp/b" || fail "two runs with the same seed differ"
[[ -s "$tmp/a/pulses.jsonl" && -s "$tmp/a/truth.json" ]] || fail "missing pulses or truth"
compgen -G "$tmp/a/*/test_*/test_*.audio.*.wav" >/dev/null || fail "no audio written"

echo "== another seed gives other pulses"
"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/c" --seed 12 --pulses-only >/dev/null
if cmp -s "$tmp/a/pulses.jsonl" "$tmp/c/pulses.jsonl"; then fail "seeds 11 and 12 gave the same pulses"; fi

echo "== the pulses locate as they are"
"$earshot" locate "$tmp/a/pulses.jsonl" --sensors "$tmp/a/sensors.json" \
  --weather "$tmp/a/weather.json" --json >"$tmp/fixes.jsonl"
[[ -s "$tmp/fixes.jsonl" ]] || fail "earshot locate found no shot in the simulated pulses"

echo "== refusals"
expect_status 2 "$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/a"
grep -q -- "--force" "$tmp/out.log" || fail "the refusal of a non-empty --out does not mention --force"
mkdir "$tmp/other" && touch "$tmp/other/keep.txt"
expect_status 2 "$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/other" --force
[[ -f "$tmp/other/keep.txt" ]] || fail "--force deleted a folder that was no simulation output"
echo '{"name": "bad", "events": [' >"$tmp/bad.json"
expect_status 2 "$earshot" simulate "$tmp/bad.json" --out "$tmp/bad"
expect_status 2 "$earshot" simulate "$tmp/missing.json" --out "$tmp/missing"
"$earshot" simulate "$scenarios/unit-three-shots.json" --out "$tmp/a" --seed 11 --force >/dev/null
diff -r "$tmp/a" "$tmp/b" || fail "--force output differs from a fresh one"

# livefire-fp1.json takes its sensors from the shared live-fire data beside the clone.
if [[ -d "$scenarios/../../shared/data/pittsburgh-livefire-2018/FP1" ]]; then
  echo "== eval livefire on a simulated live-fire position"
  "$earshot" simulate "$scenarios/livefire-fp1.json" --out "$tmp/fp1" >/dev/null
  "$earshot" eval livefire "$tmp/fp1" >"$tmp/eval.txt" || fail "earshot eval livefire failed"
  grep -q "^FP1 " "$tmp/eval.txt" || fail "no FP1 row in the evaluation"
  "$earshot" eval livefire "$tmp/fp1" --from-audio >"$tmp/eval_audio.txt" ||
    fail "earshot eval livefire --from-audio failed"
else
  echo "== eval livefire: skipped, the shared live-fire data is not beside the clone"
fi
echo "simulate_cli_test: all checks passed"
