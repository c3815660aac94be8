#!/usr/bin/env bash
# Installs the Debian 12 packages that Earshot builds and tests with (DESIGN.md §8).
#
# Idempotent: only missing packages are installed, and apt-get update runs only when
# something is missing. As root it installs; as another user it succeeds when nothing is
# missing and otherwise says what to install, without trying sudo behind your back.
set -euo pipefail

packages=(
  build-essential cmake ninja-build g++ pkg-config
  libeigen3-dev libceres-dev libgeographiclib-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsndfile1-dev libfftw3-dev libasound2-dev libssl-dev
  libxgboost-dev libsqlite3-dev libboost-dev libxml2-utils
  clang-format clang-tidy
  clang-16 libclang-rt-16-dev  # fuzz targets (docs/fuzzing.md)
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: dpkg-query not found; Earshot builds on Debian 12 (bookworm)." >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}\n' "$package" 2>/dev/null || true)
  if ! grep -qx installed <<<"$status"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
