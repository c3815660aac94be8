# Shared by the command-line tests (tests/*_cli_test.sh): a temporary folder removed on
# exit, and the two checks every such test makes. Source it after `set -euo pipefail`.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

expect_status() {  # expect_status N COMMAND...
  local want="$1"
  shift
  local got=0
  "$@" >"$tmp/out.log" 2>&1 || got=$?
  if [[ "$got" != "$want" ]]; then
    cat "$tmp/out.log" >&2
    fail "expected exit status $want, got $got: $*"
  fi
}
