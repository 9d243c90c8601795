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

/** The ExecStartPre= guard of the sshd unit (refuses to start sshd on any other address). */
export const SSHD_GUARD_PATH = '/usr/local/sbin/dual-homed-sshd-guard';

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
    ...renderSshdLockDown(os),
    '',
    ...renderDiscovery(),
    '',
    ...(os === 'al2023' ? renderAmazonLinuxRouting() : renderUbuntuRouting()),
    '',
    ...renderSshd(),
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

/**
 * Logging and sshd helpers. No pipeline in the script ends in a reader that exits early (`grep -q`,
 * `head`): under `set -o pipefail` the writer then dies of SIGPIPE (status 141) whenever it has
 * not finished writing, which depends on timing, and the script fails at random.
 */
function renderCommon(): string[] {
  return [
    `readonly SSHD_DROP_IN=${SSHD_DROP_IN_PATH}`,
    '',
    'log() { echo "dual-homed: $*"; logger -t dual-homed -- "$*" 2>/dev/null || true; }',
    'fail() { log "ERROR: $*"; exit 1; }',
    '',
    '# The addresses sshd is bound to on SSH_PORT, one per line.',
    'sshd_bound() { ss -ltnH "sport = :${SSH_PORT}" | awk \'{ print $4 }\' | sort -u; }',
    '',
    '# Binds sshd to address $1 only: writes the drop-in, checks the configuration, restarts sshd when',
    '# the drop-in changed or sshd listens elsewhere, and waits until it listens on $1 only.',
    'bind_sshd() {',
    '  local address="$1" content listen bound="" _',
    '  content="$(printf \'# Written by the dual-homed setup: SSH is served on the management interface only.\\nPort %s\\nListenAddress %s\' "${SSH_PORT}" "${address}")"',
    '  local changed=0',
    '  if [ "$(cat "${SSHD_DROP_IN}" 2>/dev/null || true)" != "${content}" ]; then',
    '    printf \'%s\\n\' "${content}" > "${SSHD_DROP_IN}.new"',
    '    chmod 0644 "${SSHD_DROP_IN}.new"',
    '    mv -f "${SSHD_DROP_IN}.new" "${SSHD_DROP_IN}"',
    '    changed=1',
    '  fi',
    '  /usr/sbin/sshd -t || fail "sshd rejects its configuration"',
    '  listen="$(/usr/sbin/sshd -T | awk \'$1 == "listenaddress" { print $2 }\' | sort -u)"',
    '  [ "${listen}" = "${address}:${SSH_PORT}" ] \\',
    '    || fail "sshd would listen on $(echo "${listen}" | tr \'\\n\' \' \'), not only on ${address}:${SSH_PORT}: remove other ListenAddress lines from /etc/ssh/sshd_config"',
    '  if [ "${changed}" = 1 ] || [ "$(sshd_bound)" != "${address}:${SSH_PORT}" ]; then',
    '    systemctl restart "${SSH_UNIT}.service"',
    '  fi',
    '  for _ in $(seq 1 30); do',
    '    bound="$(sshd_bound)"',
    '    [ "${bound}" = "${address}:${SSH_PORT}" ] && return 0',
    '    sleep 1',
    '  done',
    '  fail "port ${SSH_PORT} is bound on $(echo "${bound}" | tr \'\\n\' \' \'), expected only ${address}:${SSH_PORT}"',
    '}',
    '',
    '# Every address:port an sshd process listens on, one per line (whatever its port: the image\'s',
    '# sshd may still be on port 22 when SSH_PORT is another).',
    'sshd_sockets() { ss -ltnpH | awk \'/users:\\(\\("sshd"/ { print $4 }\' | sort -u; }',
    '',
    '# A run that fails leaves sshd on the loopback or the management address only, or stops it.',
    'MGMT_IP=""',
    'on_exit() {',
    '  local status=$? address stop=0',
    '  [ "${status}" -eq 0 ] && return 0',
    '  # Socket activation (Ubuntu 24.04) listens for sshd on every address.',
    '  if systemctl is-active --quiet "${SSH_UNIT}.socket" 2>/dev/null; then stop=1; fi',
    '  for address in $(sshd_sockets); do',
    '    case "${address}" in',
    '      "127.0.0.1:${SSH_PORT}" | "${MGMT_IP:-none}:${SSH_PORT}") ;;',
    '      *) log "the setup failed while sshd listens on ${address}"; stop=1 ;;',
    '    esac',
    '  done',
    '  if [ "${stop}" = 1 ]; then',
    '    log "stopping sshd: it would serve SSH on other addresses than the management address"',
    '    systemctl stop "${SSH_UNIT}.socket" 2>/dev/null || true',
    '    systemctl stop "${SSH_UNIT}.service" || true',
    '  fi',
    '  return "${status}"',
    '}',
    'trap on_exit EXIT',
  ];
}

/** IMDSv2 access and discovery of the management interface by its device number. */
function renderDiscovery(): string[] {
  return [
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
    'MGMT_IPS="$(imds "network/interfaces/macs/${MGMT_MAC}/local-ipv4s")" || fail "cannot read the addresses of ${MGMT_MAC}"',
    'MGMT_IP="${MGMT_IPS%%$\'\\n\'*}"',
    'MGMT_CIDR="$(imds "network/interfaces/macs/${MGMT_MAC}/subnet-ipv4-cidr-block")" || fail "cannot read the subnet of ${MGMT_MAC}"',
    '[ -n "${MGMT_IP}" ] || fail "the management interface ${MGMT_MAC} has no IPv4 address"',
    '',
    'MGMT_IF=""',
    'for _ in $(seq 1 60); do',
    '  for dev in /sys/class/net/*; do',
    '    if [ "$(cat "${dev}/address" 2>/dev/null)" = "${MGMT_MAC}" ]; then MGMT_IF="${dev##*/}"; fi',
    '  done',
    '  [ -n "${MGMT_IF}" ] && break',
    '  sleep 2',
    'done',
    '[ -n "${MGMT_IF}" ] || fail "no kernel network device has MAC ${MGMT_MAC}"',
    'log "management interface: ${MGMT_IF} (${MGMT_MAC}) ${MGMT_IP} in ${MGMT_CIDR}"',
    '',
    '# True when a rule sends traffic from the management address to a routing table.',
    'has_policy_rule() {',
    '  local rules',
    '  rules="$(ip -4 rule show)"',
    '  awk -v ip="${MGMT_IP}" \'$2 == "from" && $3 == ip && $4 == "lookup" { found = 1 } END { exit !found }\' <<<"${rules}"',
    '}',
    '# True when replies from the management address are routed through the management interface:',
    '# a rule from the address to table $1 (any table when empty), the address on the interface, and a',
    '# default route in that table. systemd-networkd adds the rule when it configures the interface',
    '# and the table\'s routes only once DHCP answered, so the rule alone proves nothing yet.',
    'policy_routing_ready() {',
    '  local rules table addresses routes',
    '  rules="$(ip -4 rule show)"',
    '  table="$(awk -v ip="${MGMT_IP}" -v want="${1:-}" \'$2 == "from" && $3 == ip && $4 == "lookup" && (want == "" || $5 == want) { t = $5 } END { print t }\' <<<"${rules}")"',
    '  [ -n "${table}" ] || return 1',
    '  addresses="$(ip -4 -o addr show dev "${MGMT_IF}")"',
    '  [[ "${addresses}" == *" ${MGMT_IP}/"* ]] || return 1',
    '  routes="$(ip -4 route show table "${table}")"',
    '  [[ $\'\\n\'"${routes}" == *$\'\\n\'"default "* ]]',
    '}',
    'wait_for_policy_routing() {',
    '  local _',
    '  for _ in $(seq 1 "$2"); do',
    '    if policy_routing_ready "$1"; then return 0; fi',
    '    sleep 1',
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
    'if ! wait_for_policy_routing "${MGMT_TABLE}" 60; then',
    '  log "no policy routing for ${MGMT_IP} yet: restarting policy-routes@${MGMT_IF}.service"',
    '  systemctl restart "policy-routes@${MGMT_IF}.service" || true',
    '  wait_for_policy_routing "${MGMT_TABLE}" 60 \\',
    '    || fail "amazon-ec2-net-utils did not route ${MGMT_IP} through table ${MGMT_TABLE} (rule, address on ${MGMT_IF}, default route)"',
    'fi',
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
    '  wait_for_policy_routing "" 60 || fail "the policy rule for ${MGMT_IP} has no default route through ${MGMT_IF} in its table"',
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
    '  # netplan apply reconfigures every interface, the public one included: wait for its addresses too.',
    '  BEFORE="$(ip -4 -o addr show scope global | awk \'{ print $2, $4 }\' | sort)"',
    '  netplan generate',
    '  netplan apply',
    '  for _ in $(seq 1 60); do',
    '    AFTER="$(ip -4 -o addr show scope global | awk \'{ print $2, $4 }\' | sort)"',
    '    [ -z "$(comm -23 <(echo "${BEFORE}") <(echo "${AFTER}"))" ] && break',
    '    sleep 1',
    '  done',
    '  wait_for_policy_routing "${MGMT_TABLE}" 60 \\',
    '    || fail "netplan did not route ${MGMT_IP} through table ${MGMT_TABLE} (rule, address on ${MGMT_IF}, default route)"',
    '  log "policy routing by netplan: from ${MGMT_IP} lookup ${MGMT_TABLE} via ${MGMT_GW}"',
    'fi',
  ];
}

/**
 * sshd is restricted before anything else can fail. On the first run (no drop-in yet) it is bound
 * to the loopback address until the management address is known and routed: a run that stops
 * half-way, even killed, leaves SSH closed to the networks, never open on every address. Later runs
 * find the management address in the drop-in and keep it. sshd starts after network-online.target
 * (the address must exist to bind it) and restarts on failure. Ubuntu 22.10+ (and so 24.04) starts
 * sshd through ssh.socket, whose ListenStream fails when an address is not up at boot: the script
 * switches back to ssh.service.
 */
function renderSshdLockDown(os: DualHomedOsFlavour): string[] {
  const lines = [
    '# sshd: restrict it first (loopback only until the management address is routed).',
    ...(os === 'al2023' ? [] : ['# sshd -t needs its privilege separation directory, absent until sshd first ran under ssh.socket.', 'install -d -m 0755 /run/sshd']),
    '# The guard refuses to start sshd (at any later boot too) while its configuration listens on any',
    '# address but the loopback and the one of the drop-in: a run that failed half-way never leaves',
    '# SSH open on every address after a reboot. Installed before anything else can fail.',
    `GUARD=${SSHD_GUARD_PATH}`,
    'GUARD_CONTENT="$(cat <<\'SSHD_GUARD_EOF\'',
    ...renderSshdGuard(),
    'SSHD_GUARD_EOF',
    ')"',
    'if [ "$(cat "${GUARD}" 2>/dev/null || true)" != "${GUARD_CONTENT}" ]; then',
    '  install -d -m 0755 "${GUARD%/*}"',
    '  printf \'%s\\n\' "${GUARD_CONTENT}" > "${GUARD}.new"',
    '  chmod 0755 "${GUARD}.new"',
    '  mv -f "${GUARD}.new" "${GUARD}"',
    'fi',
    'UNIT_DROP_IN="/etc/systemd/system/${SSH_UNIT}.service.d/10-dual-homed.conf"',
    'UNIT_CONTENT="$(printf \'[Unit]\\nWants=network-online.target\\nAfter=network-online.target\\n[Service]\\nExecStartPre=%s\\nRestart=on-failure\\nRestartSec=5s\' "${GUARD}")"',
    'if [ "$(cat "${UNIT_DROP_IN}" 2>/dev/null || true)" != "${UNIT_CONTENT}" ]; then',
    '  install -d -m 0755 "${UNIT_DROP_IN%/*}"',
    '  printf \'%s\\n\' "${UNIT_CONTENT}" > "${UNIT_DROP_IN}"',
    '  systemctl daemon-reload',
    'fi',
    'install -d -m 0755 /etc/ssh/sshd_config.d',
    'if ! grep -Eq "^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/\\*\\.conf" /etc/ssh/sshd_config; then',
    '  sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config',
    'fi',
  ];
  if (os !== 'al2023') {
    lines.push(
      'if systemctl is-enabled --quiet ssh.socket 2>/dev/null || systemctl is-active --quiet ssh.socket; then',
      '  log "switching sshd from socket activation (ssh.socket) to ssh.service"',
      '  systemctl disable --now ssh.socket',
      '  rm -f /etc/systemd/system/ssh.service.d/00-socket.conf /etc/systemd/system/ssh.socket.d/addresses.conf',
      '  systemctl daemon-reload',
      'fi',
    );
  }
  lines.push(
    'if ! systemctl is-enabled --quiet "${SSH_UNIT}.service"; then systemctl enable "${SSH_UNIT}.service"; fi',
    'if ! grep -qs "^ListenAddress " "${SSHD_DROP_IN}"; then',
    '  log "restricting sshd to the loopback address until the management interface is configured"',
    '  bind_sshd 127.0.0.1',
    'fi',
  );
  return lines;
}

/**
 * The ExecStartPre= guard of the sshd unit: exits non-zero unless every address sshd's effective
 * configuration listens on is the loopback or the one ListenAddress of the dual-homed drop-in
 * (absent: loopback only). It needs nothing of the setup script, so it holds after a failed run.
 */
function renderSshdGuard(): string[] {
  return [
    '#!/bin/bash',
    '# Written by the dual-homed setup: refuses to start sshd on any address but the loopback and',
    `# the management address (the ListenAddress of ${SSHD_DROP_IN_PATH}).`,
    'set -uo pipefail',
    'install -d -m 0755 /run/sshd 2>/dev/null || true',
    `allowed="$(awk '$1 == "ListenAddress" { print $2 }' ${SSHD_DROP_IN_PATH} 2>/dev/null)"`,
    'config="$(/usr/sbin/sshd -T 2>&1)" || { echo "dual-homed: sshd -T failed: ${config}" >&2; exit 1; }',
    'listen="$(awk \'$1 == "listenaddress" { print $2 }\' <<<"${config}")"',
    '[ -n "${listen}" ] || { echo "dual-homed: sshd -T lists no listen address" >&2; exit 1; }',
    'for address in ${listen}; do',
    '  host="${address%:*}"',
    '  case "${host}" in',
    '    127.0.0.1 | "[::1]") continue ;;',
    '  esac',
    '  if [ -n "${allowed}" ] && [ "${host}" = "${allowed}" ] && [ "${host}" != 0.0.0.0 ]; then continue; fi',
    '  echo "dual-homed: sshd would listen on ${address}: refusing to start it (only the loopback and the management address are allowed; see /usr/local/sbin/dual-homed-setup)" >&2',
    '  exit 1',
    'done',
    'exit 0',
  ];
}

/** sshd on the management address only (the address is fixed for the life of the interface). */
function renderSshd(): string[] {
  return [
    '# sshd: listen on the management address only.',
    'bind_sshd "${MGMT_IP}"',
  ];
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
