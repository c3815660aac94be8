#!/usr/bin/env bash
# Runs every fuzz target of a fuzz build for a while on a copy of its seed corpus
# (docs/fuzzing.md). Usage: fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]
#
# The corpus grows in a temporary folder, never in fuzz/corpus/. A crash, leak, timeout or
# sanitizer report fails the run; the input that caused it is kept under
# BUILD_DIR/fuzz-artifacts/<target>/ and its path printed. Exits 0 when every target ran clean.
set -uo pipefail

if (($# < 1)); then
  echo "usage: $0 BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd) || exit 2
seconds=${2:-10}
shift $(($# >= 2 ? 2 : 1))
source_dir=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(find "$source_dir/corpus" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/earshot-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz/${target}_fuzz"
  if [[ ! -x "$binary" ]]; then
    echo "fuzz: $target: $binary not built" >&2
    failed+=("$target")
    continue
  fi
  corpus="$work/$target"
  artifacts="$build_dir/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  cp -r "$source_dir/corpus/$target/." "$corpus/" 2>/dev/null || true
  log="$work/$target.log"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GB is an allocation bomb.
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
  status=$?
  stats=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  if ((status == 0)); then
    echo "fuzz: $target: ok, ${stats:-?} runs in ${seconds} s, corpus $(find "$corpus" -type f | wc -l) inputs"
  else
    failed+=("$target")
    tail -n 60 "$log" >&2
    crash=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
    echo "fuzz: $target: FAILED (exit $status); reproducer: ${crash:-none written, see the log above}" >&2
    if [[ -n "$crash" ]]; then
      echo "fuzz: reproduce with: $binary $crash" >&2
    fi
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran clean"
