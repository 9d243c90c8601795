#!/usr/bin/env bash
# The README's commands: `scripts/run.sh example` and `scripts/run.sh test:all`.
# Runs `npm ci` and then `npx projen <task>` on Node.js >= 22.13. When the machine's `node` is older
# (Node 20 is past end of life but still common), Node 22 is installed from the npm registry
# (package node-linux-<arch>) into .test-env/ once and put first on PATH, so neither `npm ci`
# (EBADENGINE) nor the AWS SDK (NodeVersionSupportWarning) complains and the suite runs on the
# Node version the package declares in `engines`.
#   RUN_NODE_VERSION=24.22.3 scripts/run.sh test:all   runs on another Node release instead.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] || { echo "usage: scripts/run.sh <projen task> [args...]  (e.g. example, test:all)" >&2; exit 2; }

want="${RUN_NODE_VERSION:-}"
have="$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)"
older_than_22_13() { node -e 'const [a,b]=process.argv[1].split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?1:0)' "$1"; }

if [ -n "$want" ] || older_than_22_13 "$have"; then
  want="${want:-22.23.5}"
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "run: no Node binary package for $(uname -m); install Node >= 22.13" >&2; exit 1 ;; esac
  prefix=".test-env/node-$want"
  bin="$prefix/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ]; then
    echo "run: machine has Node $have; installing Node $want (npm package node-linux-$arch) into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-$arch@$want" >/dev/null
  fi
  PATH="$PWD/$bin:$PATH"
  export PATH
fi
echo "run: Node $(node -p 'process.versions.node'), npm $(npm --version)"

echo "run: npm ci"
npm ci --no-audit --no-fund
echo "run: npx projen $*"
exec npx projen "$@"
