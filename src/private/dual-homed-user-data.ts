/**
 * Rendering of the operating-system configuration of a dual-homed instance. Pure functions, no
 * construct state: the construct renders the script once and the tests check it (content and
 * shellcheck).
 *
 * Everything that depends on the deployment (the management interface's MAC, address, subnet and
 * gateway) is read from the instance metadata service (IMDSv2) at boot, not baked in at synth,
 * so the same script works for every instance of a fleet and never embeds CloudFormation tokens.
 */

/** The operating systems the configuration is written for. */
export type DualHomedOsFlavour = 'al2023' | 'ubuntu-22.04' | 'ubuntu-24.04';

/** Inputs of the rendered configuration. */
export interface DualHomedScriptOptions {
  /** Which distribution the script configures. */
  readonly os: DualHomedOsFlavour;
  /** The device index of the management interface (1 for a dual-homed instance). */
  readonly managementDeviceIndex: number;
  /** The TCP port sshd listens on, on the management address only. */
  readonly sshPort: number;
}

/** Where the setup script is installed on the instance (it can be run again by an administrator). */
export const SETUP_SCRIPT_PATH = '/usr/local/sbin/dual-homed-setup';

/** The sshd drop-in that binds SSH to the management address. */
export const SSHD_DROP_IN_PATH = '/etc/ssh/sshd_config.d/10-dual-homed.conf';

/** The netplan file written on Ubuntu when no policy routing exists for the management address. */
export const NETPLAN_PATH = '/etc/netplan/60-dual-homed.yaml';

/**
 * Routing table (and rule priority) of the management interface: 10000 + device index, the
 * numbering amazon-ec2-net-utils uses on Amazon Linux 2023, so both distributions look alike.
 */
export function managementRouteTable(deviceIndex: number): number {
  return 10000 + deviceIndex;
}

const HEREDOC_END = 'DUAL_HOMED_SETUP_EOF';

/** The rendered user-data commands by options (os/device index/SSH port). */
const renderedCommands = new Map<string, readonly string[]>();

/**
 * The user-data commands: install the setup script and run it. A failure of the script stops the
 * user data with a non-zero status, so cloud-init reports it and later commands do not run on a
 * half-configured host.
 */
export function renderUserDataCommands(options: DualHomedScriptOptions): string[] {
  // The commands depend on the options only: a fleet of instances renders them once per combination.
  const key = `${options.os}/${options.managementDeviceIndex}/${options.sshPort}`;
  let commands = renderedCommands.get(key);
  if (commands === undefined) {
    commands = renderCommands(options);
    renderedCommands.set(key, commands);
  }
  return [...commands];
}

function renderCommands(options: DualHomedScriptOptions): string[] {
  const script = renderSetupScript(options);
  if (script.split('\n').includes(HEREDOC_END)) {
    throw new Error(`the rendered setup script contains the heredoc terminator ${HEREDOC_END}`);
  }
  return [
    '# Dual-homed network configuration: policy routing for the management interface, SSH on the management address only.',
    `install -d -m 0755 ${dirname(SETUP_SCRIPT_PATH)}`,
    `cat > ${SETUP_SCRIPT_PATH} <<'${HEREDOC_END}'`,
    script,
    HEREDOC_END,
    `chmod 0750 ${SETUP_SCRIPT_PATH}`,
    `if ! ${SETUP_SCRIPT_PATH}; then`,
    '  echo "dual-homed setup failed: see the output above and \'journalctl -t dual-homed\'" >&2',
    '  exit 1',
    'fi',
  ];
}

/** The complete setup script (bash, with shebang) for the given distribution. */
export function renderSetupScript(options: DualHomedScriptOptions): string {
  const { os, managementDeviceIndex, sshPort } = options;
  if (!Number.isInteger(managementDeviceIndex) || managementDeviceIndex < 1) {
    throw new Error(`managementDeviceIndex ${managementDeviceIndex} is not allowed: the management interface is a secondary interface (index 1 or more)`);
  }
  if (!Number.isInteger(sshPort) || sshPort < 1 || sshPort > 65535) {
    throw new Error(`sshPort ${sshPort} is not a TCP port: use an integer from 1 to 65535`);
  }
  const table = managementRouteTable(managementDeviceIndex);
  const sshUnit = os === 'al2023' ? 'sshd' : 'ssh';
  return [
    '#!/bin/bash',
    `# Configures a dual-homed instance (${describeOs(os)}): replies leave through the interface`,
    '# they arrived on, and sshd listens on the management address only. Safe to run again.',
    'set -euo pipefail',
    '',
    `readonly MGMT_DEVICE_INDEX=${managementDeviceIndex}`,
    `readonly MGMT_TABLE=${table}`,
    `readonly SSH_PORT=${sshPort}`,
    `readonly SSH_UNIT=${sshUnit}`,
    ...renderCommon(),
    '',
    ...(os === 'al2023' ? renderAmazonLinuxRouting() : renderUbuntuRouting()),
    '',
    ...renderSshd(os),
    '',
    'log "done: ${MGMT_IF} (${MGMT_MAC}) ${MGMT_IP} uses table ${MGMT_TABLE}; sshd listens on ${MGMT_IP}:${SSH_PORT} only"',
    '',
  ].join('\n');
}

function describeOs(os: DualHomedOsFlavour): string {
  switch (os) {
    case 'al2023': return 'Amazon Linux 2023';
    case 'ubuntu-22.04': return 'Ubuntu 22.04';
    case 'ubuntu-24.04': return 'Ubuntu 24.04';
  }
}

/** Logging, IMDSv2 access and discovery of the management interface by its device number. */
function renderCommon(): string[] {
  return [
    '',
    'log() { echo "dual-homed: $*"; logger -t dual-homed -- "$*" || true; }',
    'fail() { log "ERROR: $*"; exit 1; }',
    '',
    'readonly IMDS=http://169.254.169.254/latest',
    'IMDS_TOKEN="$(curl -sS --fail --retry 10 --retry-connrefused -X PUT \\',
    '  -H "X-aws-ec2-metadata-token-ttl-seconds: 900" "${IMDS}/api/token")" || fail "no IMDSv2 token"',
    'imds() { curl -sS --fail --retry 5 -H "X-aws-ec2-metadata-token: ${IMDS_TOKEN}" "${IMDS}/meta-data/$1"; }',
    '',
    '# The management interface is the one attached at MGMT_DEVICE_INDEX. IMDS can lag behind the',
    '# attachment for a few seconds after launch, so look for it for up to two minutes.',
    'find_mgmt_mac() {',
    '  local mac',
    '  for mac in $(imds network/interfaces/macs/); do',
    '    mac="${mac%/}"',
    '    if [ "$(imds "network/interfaces/macs/${mac}/device-number")" = "${MGMT_DEVICE_INDEX}" ]; then',
    '      echo "${mac}"',
    '      return 0',
    '    fi',
    '  done',
    '  return 1',
    '}',
    'MGMT_MAC=""',
    'for _ in $(seq 1 60); do',
    '  if MGMT_MAC="$(find_mgmt_mac)"; then break; fi',
    '  sleep 2',
    'done',
    '[ -n "${MGMT_MAC}" ] || fail "no network interface with device-number ${MGMT_DEVICE_INDEX} in instance metadata"',
    'MGMT_IP="$(imds "network/interfaces/macs/${MGMT_MAC}/local-ipv4s" | head -n 1)" || fail "cannot read the addresses of ${MGMT_MAC}"',
    'MGMT_CIDR="$(imds "network/interfaces/macs/${MGMT_MAC}/subnet-ipv4-cidr-block")" || fail "cannot read the subnet of ${MGMT_MAC}"',
    '[ -n "${MGMT_IP}" ] || fail "the management interface ${MGMT_MAC} has no IPv4 address"',
    '',
    'MGMT_IF=""',
    'for _ in $(seq 1 60); do',
    '  for dev in /sys/class/net/*; do',
    '    if [ "$(cat "${dev}/address")" = "${MGMT_MAC}" ]; then MGMT_IF="${dev##*/}"; fi',
    '  done',
    '  [ -n "${MGMT_IF}" ] && break',
    '  sleep 2',
    'done',
    '[ -n "${MGMT_IF}" ] || fail "no kernel network device has MAC ${MGMT_MAC}"',
    'log "management interface: ${MGMT_IF} (${MGMT_MAC}) ${MGMT_IP} in ${MGMT_CIDR}"',
    '',
    '# True when a rule sends traffic from the management address to table $1 (any table when empty).',
    'has_policy_rule() {',
    '  ip -4 rule show | awk -v ip="${MGMT_IP}" -v table="${1:-}" \\',
    '    \'$2 == "from" && $3 == ip && $4 == "lookup" && (table == "" || $5 == table) { found = 1 } END { exit !found }\'',
    '}',
    'wait_for_policy_rule() {',
    '  local _',
    '  for _ in $(seq 1 "$2"); do',
    '    if has_policy_rule "$1"; then return 0; fi',
    '    sleep 2',
    '  done',
    '  return 1',
    '}',
  ];
}

/**
 * Amazon Linux 2023: amazon-ec2-net-utils (installed and enabled by default) writes a
 * systemd-networkd drop-in per secondary interface with a routing table 10000 + device number, a
 * default route through the subnet's router in that table, and a rule `from <address> lookup
 * <table>`. The script verifies the package and the rule and relies on them; it writes nothing.
 */
function renderAmazonLinuxRouting(): string[] {
  return [
    '# Policy routing: amazon-ec2-net-utils configures it for every secondary interface.',
    'rpm -q amazon-ec2-net-utils >/dev/null || fail "amazon-ec2-net-utils is not installed: dnf install amazon-ec2-net-utils, then run this script again"',
    'systemctl is-active --quiet systemd-networkd || fail "systemd-networkd is not running: amazon-ec2-net-utils needs it"',
    'if ! wait_for_policy_rule "${MGMT_TABLE}" 30; then',
    '  log "no policy rule for ${MGMT_IP} yet: restarting policy-routes@${MGMT_IF}.service"',
    '  systemctl restart "policy-routes@${MGMT_IF}.service" || true',
    '  wait_for_policy_rule "${MGMT_TABLE}" 30 || fail "amazon-ec2-net-utils did not add the rule from ${MGMT_IP} lookup ${MGMT_TABLE}"',
    'fi',
    'ip -4 route show table "${MGMT_TABLE}" | grep -q "^default " \\',
    '  || fail "routing table ${MGMT_TABLE} has no default route for ${MGMT_IF}"',
    'log "policy routing by amazon-ec2-net-utils: from ${MGMT_IP} lookup ${MGMT_TABLE}"',
  ];
}

/**
 * Ubuntu: cloud-init 24.1 and later renders policy routing for secondary interfaces on EC2 (table
 * 100 + device number). When the management address has a rule already, the script relies on it;
 * otherwise it writes a netplan file for the management interface (matched by MAC) with its own
 * table and rule, and applies it.
 */
function renderUbuntuRouting(): string[] {
  return [
    '# Policy routing: rely on cloud-init when it configured it, otherwise add it through netplan.',
    'if has_policy_rule; then',
    '  log "policy routing for ${MGMT_IP} exists already (cloud-init): relying on it"',
    'else',
    '  IFS=/ read -r MGMT_NET _ <<<"${MGMT_CIDR}"',
    '  IFS=. read -r o1 o2 o3 o4 <<<"${MGMT_NET}"',
    '  MGMT_GW="${o1}.${o2}.${o3}.$((o4 + 1))"',
    '  umask 077',
    `  cat > ${NETPLAN_PATH} <<EOF`,
    '# Written by the dual-homed setup: replies from the management address leave through ${MGMT_IF}.',
    'network:',
    '  version: 2',
    '  ethernets:',
    '    ${MGMT_IF}:',
    '      match:',
    '        macaddress: "${MGMT_MAC}"',
    '      set-name: ${MGMT_IF}',
    '      dhcp4: true',
    '      dhcp4-overrides:',
    '        route-metric: 200',
    '      routes:',
    '        - to: 0.0.0.0/0',
    '          via: ${MGMT_GW}',
    '          table: ${MGMT_TABLE}',
    '        - to: ${MGMT_CIDR}',
    '          scope: link',
    '          table: ${MGMT_TABLE}',
    '      routing-policy:',
    '        - from: ${MGMT_IP}',
    '          table: ${MGMT_TABLE}',
    '          priority: ${MGMT_TABLE}',
    'EOF',
    `  chmod 0600 ${NETPLAN_PATH}`,
    '  netplan generate',
    '  netplan apply',
    '  wait_for_policy_rule "${MGMT_TABLE}" 30 || fail "netplan did not add the rule from ${MGMT_IP} lookup ${MGMT_TABLE}"',
    '  log "policy routing by netplan: from ${MGMT_IP} lookup ${MGMT_TABLE} via ${MGMT_GW}"',
    'fi',
  ];
}

/**
 * sshd on the management address only. The address is fixed for the life of the interface, so it
 * is written once. sshd starts after network-online.target (the address must exist to bind it)
 * and restarts on failure. Ubuntu 22.10+ (and so 24.04) starts sshd through ssh.socket, whose
 * ListenStream fails when an address is not up at boot: the script switches back to ssh.service.
 */
function renderSshd(os: DualHomedOsFlavour): string[] {
  const lines = [
    '# sshd: listen on the management address only.',
    'install -d -m 0755 /etc/ssh/sshd_config.d',
    'if ! grep -Eq "^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/\\*\\.conf" /etc/ssh/sshd_config; then',
    '  sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config',
    'fi',
    `cat > ${SSHD_DROP_IN_PATH} <<EOF`,
    '# Written by the dual-homed setup: SSH is served on the management interface only.',
    'Port ${SSH_PORT}',
    'ListenAddress ${MGMT_IP}',
    'EOF',
    `chmod 0644 ${SSHD_DROP_IN_PATH}`,
    ...(os === 'al2023' ? [] : ['# sshd -t needs its privilege separation directory, absent until sshd first ran under ssh.socket.', 'install -d -m 0755 /run/sshd']),
    '/usr/sbin/sshd -t || fail "sshd rejects its configuration"',
    'LISTEN="$(/usr/sbin/sshd -T | awk \'$1 == "listenaddress" { print $2 }\' | sort -u)"',
    '[ "${LISTEN}" = "${MGMT_IP}:${SSH_PORT}" ] \\',
    '  || fail "sshd would listen on $(echo "${LISTEN}" | tr \'\\n\' \' \'), not only on ${MGMT_IP}:${SSH_PORT}: remove other ListenAddress lines from /etc/ssh/sshd_config"',
    '',
    'install -d -m 0755 "/etc/systemd/system/${SSH_UNIT}.service.d"',
    'cat > "/etc/systemd/system/${SSH_UNIT}.service.d/10-dual-homed.conf" <<EOF',
    '[Unit]',
    'Wants=network-online.target',
    'After=network-online.target',
    '[Service]',
    'Restart=on-failure',
    'RestartSec=5s',
    'EOF',
  ];
  if (os !== 'al2023') {
    lines.push(
      'if systemctl is-enabled --quiet ssh.socket 2>/dev/null || systemctl is-active --quiet ssh.socket; then',
      '  log "switching sshd from socket activation (ssh.socket) to ssh.service"',
      '  systemctl disable --now ssh.socket',
      '  rm -f /etc/systemd/system/ssh.service.d/00-socket.conf /etc/systemd/system/ssh.socket.d/addresses.conf',
      'fi',
    );
  }
  lines.push(
    'systemctl daemon-reload',
    'systemctl enable "${SSH_UNIT}.service"',
    'systemctl restart "${SSH_UNIT}.service"',
    '',
    'for _ in $(seq 1 15); do',
    '  BOUND="$(ss -ltnH "sport = :${SSH_PORT}" | awk \'{ print $4 }\' | sort -u)"',
    '  [ -n "${BOUND}" ] && break',
    '  sleep 1',
    'done',
    '[ "${BOUND}" = "${MGMT_IP}:${SSH_PORT}" ] \\',
    '  || fail "port ${SSH_PORT} is bound on $(echo "${BOUND}" | tr \'\\n\' \' \'), expected only ${MGMT_IP}:${SSH_PORT}"',
  );
  return lines;
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
