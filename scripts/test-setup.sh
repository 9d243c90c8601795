#!/usr/bin/env bash
# Installs the test tools that do not come from npm. Safe to run repeatedly; quiet when all is present.
#  - cfn-lint and moto[server] (Python): linting of synthesized templates, the EC2 emulator for the
#    failover engine tests. Pinned in requirements-test.txt.
#  - shellcheck (Debian): linting of the user-data scripts the constructs generate.
set -euo pipefail
cd "$(dirname "$0")/.."

py=python3
command -v "$py" >/dev/null || { echo "test-setup: python3 is required" >&2; exit 1; }
if ! "$py" -c 'import cfnlint, moto, flask, flask_cors, boto3' 2>/dev/null \
   || ! command -v cfn-lint >/dev/null || ! command -v moto_server >/dev/null; then
  echo "test-setup: installing Python test tools (requirements-test.txt)"
  "$py" -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
  hash -r
fi

if ! command -v shellcheck >/dev/null; then
  echo "test-setup: installing shellcheck"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq >/dev/null
  $sudo_cmd apt-get install -y -qq shellcheck >/dev/null
fi

echo "test-setup: cfn-lint $(cfn-lint --version 2>&1 | awk '{print $2}'), moto_server $("$py" -c 'import moto; print(moto.__version__)'), $(shellcheck --version | awk '/^version:/{print "shellcheck " $2}')"
