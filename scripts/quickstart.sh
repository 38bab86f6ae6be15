#!/usr/bin/env bash
# The README's first command: sets up, builds, starts the bundled mock upstream on a free loopback
# port, runs scenarios/quickstart.yaml against it and prints the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --no-npm
"$root/scripts/build.sh" build
cd "$root"
build/gatebench version
