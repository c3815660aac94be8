#!/usr/bin/env bash
# Builds the release preset and shows Earshot working: the simulated-city demo when this
# build has one, otherwise the evaluation on the Pittsburgh live-fire data.
#   scripts/run.sh [ARGS...]       ARGS go to `earshot demo`
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh release
readonly earshot=build/release/earshot
# CLI11 answers `--help` with the top-level help (and status 0) when `demo` is no
# subcommand, so look for the demo's own usage line, not only the exit status.
if demo_help=$("$earshot" demo --help 2>/dev/null) && grep -q "^Usage: .* demo" <<<"$demo_help"; then
  exec "$earshot" demo "$@"
fi
readonly livefire_dir="../shared/data/pittsburgh-livefire-2018"
if [[ ! -d "$livefire_dir" ]]; then
  echo "run: no demo in this build and no live-fire data at $livefire_dir" >&2
  exit 1
fi
exec "$earshot" eval livefire "$livefire_dir"
