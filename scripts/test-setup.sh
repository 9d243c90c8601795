#!/usr/bin/env bash
# Installs the test tools that do not come from npm. Safe to run repeatedly; quiet when all is present.
#  - cfn-lint and moto[server] (Python): linting of synthesized templates, the EC2 emulator for the
#    failover engine tests. Pinned in requirements-test.txt.
#  - shellcheck (Debian): linting of the user-data scripts the constructs generate.
#  - the OS harness (test/os, Debian/Ubuntu packages): iproute2, nftables, dnsmasq-base, socat,
#    procps (ps), openssh-server, systemd-networkd (package systemd, or systemd-networkd on Debian 13+), dbus,
#    netplan.io, curl, python3. Installed without starting their services (policy-rc.d), so a
#    workstation does not get an SSH server or a DNS server by running the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- Node.js: the suite runs on the Node release the package declares (engines: >= 22.13). ---
# scripts/run.sh (the README's command) installs Node 22 into .test-env/ where the machine's is older.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'; then
  echo "test-setup: Node $(node -p process.versions.node) is older than 22.13; run the tests with scripts/run.sh test:all" >&2
  exit 1
fi
# --- end Node.js ---

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

# The OS harness: installed only where the kernel tools are missing, quietly, services not started.
os_missing=()
for pair in ip:iproute2 ss:iproute2 ps:procps nft:nftables dnsmasq:dnsmasq-base socat:socat /usr/sbin/sshd:openssh-server \
            dbus-daemon:dbus netplan:netplan.io networkctl:systemd curl:curl /usr/bin/python3:python3; do
  command -v "${pair%%:*}" >/dev/null || os_missing+=("${pair#*:}")
done
[ -x /lib/systemd/systemd-networkd ] || os_missing+=(systemd)
if [ "${#os_missing[@]}" -gt 0 ]; then
  echo "test-setup: installing the OS harness packages: ${os_missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  policy_rc=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy_rc=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "${policy_rc}" >/dev/null
    $sudo_cmd chmod 0755 "${policy_rc}"
  fi
  $sudo_cmd apt-get update -qq >/dev/null
  rc=0
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${os_missing[@]}" >/dev/null || rc=$?
  [ -z "${policy_rc}" ] || $sudo_cmd rm -f "${policy_rc}"
  [ "${rc}" -eq 0 ] || { echo "test-setup: apt-get install ${os_missing[*]} failed" >&2; exit "${rc}"; }
fi

echo "test-setup: cfn-lint $(cfn-lint --version 2>&1 | awk '{print $2}'), moto_server $("$py" -c 'import moto; print(moto.__version__)'), $(shellcheck --version | awk '/^version:/{print "shellcheck " $2}'), OS harness tools present"
