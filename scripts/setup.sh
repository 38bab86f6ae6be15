#!/usr/bin/env bash
# Installs everything gatebench needs to build and test, on Debian 12. Idempotent: when all is
# there it only checks (a second or two). Usage: scripts/setup.sh [--no-npm]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_npm=1
[ "${1:-}" = "--no-npm" ] && want_npm=0

# Build: compiler, meson, libraries. Test: real third-party servers and tools the tests start.
packages=(
  g++ pkg-config meson ninja-build git python3 python3-jsonschema
  libboost1.81-dev nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  openssl curl procps nginx-light wrk prometheus
  clang libclang-rt-14-dev clang-format
)

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# A fresh Debian 12 has neither node nor npm: take Debian's when they are missing, keep any
# newer ones already present.
if [ "$want_npm" = 1 ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's nginx and prometheus packages may start system services; the tests start their own
# instances on ephemeral loopback ports and need nothing from those.

if [ "$want_npm" = 1 ]; then
  npm_dir="$root/tests/npm"
  stamp="$npm_dir/node_modules/.gatebench-lock-sha"
  want=$(sha256sum "$npm_dir/package-lock.json" "$npm_dir/package.json" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing test npm packages into tests/npm/node_modules"
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
  fi
fi
