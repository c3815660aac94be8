#!/usr/bin/env bash
# Builds one CMake preset (dev, release, asan, ci; see CMakePresets.json).
#   scripts/build.sh [PRESET]      default: dev
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${1:-dev}"
bash scripts/install-deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
