#!/usr/bin/env bash
# Reproduces models/ (the pulse and shot classifiers, the calibration and both training
# reports) from nothing but the scenarios and the live-fire data beside the checkout:
#   scripts/train-models.sh [EARSHOT] [SIM_DIR] [OUT_DIR]
# EARSHOT defaults to build/release/earshot, SIM_DIR (scratch, about 2 GB) to
# /tmp/earshot-sim, OUT_DIR to models. About 10 minutes on 2 cores. Every step is
# deterministic: the same binary gives byte-identical models.
set -euo pipefail
cd "$(dirname "$0")/.."
earshot="${1:-build/release/earshot}"
sims="${2:-/tmp/earshot-sim}"
out="${3:-models}"
livefire="../shared/data/pittsburgh-livefire-2018"

simulate() {  # simulate SCENARIO SEED NAME
  [[ -f "$sims/$3/truth.json" ]] && return 0
  "$earshot" simulate "scenarios/$1.json" --seed "$2" --out "$sims/$3" --threads 2 --force >/dev/null
}
# Training scenes: two districts (row houses in summer at 12 kHz, a cold windy suburb at
# 16 kHz), several hours each, the row houses on an evening of everyday bangs (backfires,
# doors, construction), and the simulated live-fire positions.
simulate classifier-training 505 classifier-training
for seed in 507 508 509 510 511; do
  simulate classifier-training "$seed" "classifier-training-$seed"
done
simulate classifier-training-suburb 606 classifier-training-suburb
for seed in 608 609; do
  simulate classifier-training-suburb "$seed" "classifier-training-suburb-$seed"
done
for seed in 701 702; do
  simulate classifier-training-street "$seed" "classifier-training-street-$seed"
done
for fp in 1 2 3; do simulate "livefire-fp$fp" "2018$fp" "livefire-fp$fp"; done
# Held-out scenes: only scored, never trained on.
simulate classifier-training 506 classifier-heldout-506
simulate classifier-training-suburb 607 classifier-heldout-suburb
simulate classifier-training-street 703 classifier-heldout-street

args=()
for name in classifier-training classifier-training-507 classifier-training-508 \
  classifier-training-509 classifier-training-510 classifier-training-511 \
  classifier-training-suburb classifier-training-suburb-608 classifier-training-suburb-609 \
  classifier-training-street-701 classifier-training-street-702 livefire-fp1 livefire-fp2 livefire-fp3; do
  args+=(--sim "$sims/$name")
done
"$earshot" train "${args[@]}" \
  --heldout-sim "$sims/classifier-heldout-506" --heldout-sim "$sims/classifier-heldout-suburb" \
  --heldout-sim "$sims/classifier-heldout-street" \
  --livefire "$livefire" --out "$out" --threads 2
