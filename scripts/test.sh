#!/usr/bin/env bash
# Everything CI checks, in order: dependencies, the ci build (warnings are errors), the
# unit tests, formatting, and the live-fire evaluation when the shared data is beside the
# clone. Runs every check it can after a failure, then exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

readonly livefire_dir="../shared/data/pittsburgh-livefire-2018"
readonly log_dir="build/ci/logs"
passed=0
failed=0
failures=()

summary_and_exit() {
  local detail=""
  if ((${#failures[@]} > 0)); then detail=" (failed: ${failures[*]})"; fi
  echo "test: ${passed} passed, ${failed} failed${detail}"
  if ((failed > 0)); then exit 1; fi
  exit 0
}

fail() {
  failed=$((failed + 1))
  failures+=("$1")
}

echo "== dependencies"
if ! bash scripts/install-deps.sh; then
  fail dependencies
  summary_and_exit
fi

echo "== build (preset ci)"
if ! cmake --preset ci || ! cmake --build --preset ci; then
  fail build
  summary_and_exit
fi
mkdir -p "$log_dir"

echo "== unit tests"
ctest --preset ci --output-on-failure -j2 2>&1 | tee "$log_dir/ctest.log"
ctest_status=${PIPESTATUS[0]}
# "100% tests passed, 0 tests failed out of 119"
if read -r ctest_failed ctest_total < <(sed -nE \
    's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/p' "$log_dir/ctest.log"); then
  passed=$((passed + ctest_total - ctest_failed))
  failed=$((failed + ctest_failed))
  if ((ctest_failed > 0)); then failures+=("${ctest_failed} unit tests"); fi
fi
if ((ctest_status != 0)) && ! grep -qE 'tests? failed out of' "$log_dir/ctest.log"; then
  fail ctest  # ctest itself failed (no tests found, bad preset)
fi

echo "== clang-format"
mapfile -t sources < <(find src bench -type f \
  \( -name '*.h' -o -name '*.cc' -o -name '*.hpp' -o -name '*.cpp' \) 2>/dev/null | sort)
if ((${#sources[@]} == 0)) || clang-format --dry-run -Werror "${sources[@]}"; then
  passed=$((passed + 1))
else
  echo "clang-format: run clang-format -i on the files above" >&2
  fail clang-format
fi

# Fuzz targets (docs/fuzzing.md): their own clang 16 build, each target 10 s on a copy of
# its seed corpus. A crash fails the run and prints the reproducer's path.
readonly fuzz_cxx=clang++-16
if command -v "$fuzz_cxx" >/dev/null 2>&1; then
  echo "== fuzz"
  if cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER="$fuzz_cxx" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEARSHOT_FUZZ=ON \
      -DEARSHOT_BUILD_TESTS=OFF -DEARSHOT_BUILD_BENCHMARKS=OFF >"$log_dir/fuzz-configure.log" 2>&1 \
    && cmake --build build/fuzz --target earshot_fuzz; then
    if bash fuzz/run.sh build/fuzz 10; then
      passed=$((passed + 1))
    else
      fail fuzz
    fi
  else
    echo "fuzz: configure or build failed (configure log: $log_dir/fuzz-configure.log)" >&2
    fail "fuzz build"
  fi
else
  echo "== fuzz: skipped, $fuzz_cxx not installed"
fi

if [[ -d "$livefire_dir" ]]; then
  echo "== eval livefire"
  if build/ci/earshot eval livefire "$livefire_dir"; then
    passed=$((passed + 1))
  else
    fail "eval livefire"
  fi
  echo "== eval livefire --from-audio"
  if build/ci/earshot eval livefire "$livefire_dir" --from-audio; then
    passed=$((passed + 1))
  else
    fail "eval livefire --from-audio"
  fi
else
  echo "== eval livefire: skipped, $livefire_dir not found"
fi

summary_and_exit
