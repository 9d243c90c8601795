/**
 * Operating-system configuration for a floating network interface: an ENI that is attached to a
 * running instance (a failover candidate, a routing appliance, a replacement instance) and may be
 * detached from it again. Within seconds of the attach, the interface must carry its address and
 * the policy routing that sends replies from that address back out through it; on detach, that
 * configuration goes away with it.
 *
 * - Amazon Linux 2023: amazon-ec2-net-utils does exactly this for every interface (a udev rule
 *   starts `policy-routes@<interface>.service`, which writes a systemd-networkd unit with DHCP,
 *   a table 10000 + device number and a rule from each address of the interface). The user data
 *   only verifies that the package is installed.
 * - Ubuntu 22.04 and 24.04: cloud-init renders the interfaces present at boot and nothing else,
 *   so a hot-attached interface stays unconfigured. The user data installs a handler: a udev rule
 *   starts `cdk-eni-floating@<interface>.service` when an interface appears and stops it when it
 *   goes away; the service reads the interface's addresses, subnet and device number from IMDSv2
 *   and writes a systemd-networkd unit (static addresses, table 10000 + device number with a
 *   default route through the subnet router, a rule from each address, no main-table subnet
 *   route), then reloads systemd-networkd. The handler acts on the interfaces whose ids are files
 *   in FLOATING_ENI_DIR (each floating interface of the instance adds its own) and leaves any
 *   other alone.
 */
import { DualHomedOsFlavour } from './dual-homed-user-data';

/** Where the Ubuntu handler is installed. */
export const FLOATING_HANDLER_PATH = '/usr/local/sbin/cdk-eni-floating';

/** The systemd template unit that runs the handler for one interface. */
export const FLOATING_UNIT_PATH = '/etc/systemd/system/cdk-eni-floating@.service';

/**
 * The directory of the floating interfaces' ids: one empty file per interface id. Several
 * floating interfaces (EniFailover, SelfHealingInstance) can share an instance and its handler.
 */
export const FLOATING_ENI_DIR = '/etc/cdk-eni-floating';

/** The udev rule that starts and stops the unit. */
export const FLOATING_UDEV_RULE_PATH = '/etc/udev/rules.d/90-cdk-eni-floating.rules';

/** Options of the rendered commands. */
export interface FloatingInterfaceOptions {
  /** The distribution of the instance. */
  readonly os: DualHomedOsFlavour;
  /** The id of the floating network interface (may be a token). */
  readonly networkInterfaceId: string;
}

/** The user-data commands that give a hot-attached floating interface its address and routing. */
export function renderFloatingInterfaceCommands(options: FloatingInterfaceOptions): string[] {
  if (options.os === 'al2023') {
    return [
      '# Floating interface: amazon-ec2-net-utils configures every attached interface (address, policy routing).',
      'rpm -q amazon-ec2-net-utils >/dev/null || { echo "amazon-ec2-net-utils is not installed: the floating interface would get no address after a failover; dnf install amazon-ec2-net-utils" >&2; exit 1; }',
    ];
  }
  return [
    '# Floating interface: a udev rule configures it whenever it is attached (address, policy routing).',
    '# The handler is the same for every floating interface; each one registers its id in the directory.',
    `install -d -m 0755 ${dirname(FLOATING_HANDLER_PATH)} ${dirname(FLOATING_UDEV_RULE_PATH)} ${FLOATING_ENI_DIR}`,
    `touch ${FLOATING_ENI_DIR}/${options.networkInterfaceId}`,
    `cat > ${FLOATING_HANDLER_PATH} <<'CDK_ENI_FLOATING_EOF'`,
    ...renderHandler(),
    'CDK_ENI_FLOATING_EOF',
    `chmod 0755 ${FLOATING_HANDLER_PATH}`,
    `cat > ${FLOATING_UNIT_PATH} <<'CDK_ENI_FLOATING_EOF'`,
    '[Unit]',
    'Description=Address and policy routing of a floating network interface on %I',
    '# At boot the interface may appear before the network (and so instance metadata) is reachable.',
    'Wants=network-online.target',
    'After=network-online.target systemd-networkd.service',
    'StartLimitIntervalSec=0',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    '# The handler fails while instance metadata does not list the interface yet: try again.',
    'Restart=on-failure',
    'RestartSec=5s',
    `ExecStart=${FLOATING_HANDLER_PATH} add %I`,
    `ExecStop=${FLOATING_HANDLER_PATH} remove %I`,
    'CDK_ENI_FLOATING_EOF',
    `cat > ${FLOATING_UDEV_RULE_PATH} <<'CDK_ENI_FLOATING_EOF'`,
    '# EC2 network interfaces only (ENA, Intel VF, Xen netfront): not bridges, veths or tunnels.',
    'SUBSYSTEM=="net", ACTION=="add", KERNEL!="lo", ENV{ID_NET_DRIVER}=="ena|ixgbevf|vif", RUN+="/usr/bin/systemctl --no-block start cdk-eni-floating@$name.service"',
    'SUBSYSTEM=="net", ACTION=="remove", KERNEL!="lo", RUN+="/usr/bin/systemctl --no-block stop cdk-eni-floating@$name.service"',
    'CDK_ENI_FLOATING_EOF',
    'udevadm control --reload',
    'systemctl daemon-reload',
    '# The interface may be attached already (placement at deploy time).',
    'for dev in /sys/class/net/*; do',
    '  driver="$(readlink "${dev}/device/driver" 2>/dev/null || true)"',
    '  case "${driver##*/}" in ena | ixgbevf | vif) systemctl --no-block start "cdk-eni-floating@${dev##*/}.service" ;; esac',
    'done',
  ];
}

/** The handler (a quoted heredoc body: nothing is expanded at install time). */
function renderHandler(): string[] {
  return [
    '#!/bin/bash',
    '# cdk-eni-floating add|remove <interface>: configures a floating network interface (one whose id',
    `# is a file in ${FLOATING_ENI_DIR}) when it is attached to this instance (started by udev`,
    '# through cdk-eni-floating@.service) and removes its configuration when it is detached. Any other',
    '# interface is left alone.',
    'set -euo pipefail',
    `readonly ENI_DIR=${FLOATING_ENI_DIR}`,
    'readonly UNIT_DIR=/run/systemd/network STATE_DIR=/run/cdk-eni-floating',
    'readonly IMDS=http://169.254.169.254/latest',
    'action="${1:?add or remove}" iface="${2:?interface}"',
    'unit="${UNIT_DIR}/05-cdk-eni-floating-${iface}.network"',
    'log() { echo "cdk-eni-floating: $*"; logger -t cdk-eni-floating -- "$*" 2>/dev/null || true; }',
    '',
    'if [ "${action}" = remove ]; then',
    '  [ -e "${STATE_DIR}/${iface}" ] || exit 0',
    '  read -r table eni <"${STATE_DIR}/${iface}" || true',
    '  rm -f "${unit}" "${STATE_DIR}/${iface}"',
    '  networkctl reload || true',
    '  while ip -4 rule del priority "${table}" 2>/dev/null; do :; done',
    '  ip -4 route flush table "${table}" 2>/dev/null || true',
    '  log "${eni:-the floating interface} left ${iface}: table ${table} and its rules removed"',
    '  exit 0',
    'fi',
    '[ "${action}" = add ] || { echo "usage: $0 add|remove <interface>" >&2; exit 2; }',
    '',
    'mac="$(cat "/sys/class/net/${iface}/address" 2>/dev/null)" || exit 0',
    '# --retry-all-errors: at boot the network may be unreachable for a moment.',
    'token="$(curl -sS --fail --retry 10 --retry-delay 1 --retry-all-errors -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "${IMDS}/api/token")"',
    'imds() { curl -sS --fail -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/meta-data/network/interfaces/macs/$1"; }',
    '# Instance metadata can lag behind an attachment by a few seconds.',
    'eni=""',
    'for _ in $(seq 1 60); do',
    '  if eni="$(imds "${mac}/interface-id" 2>/dev/null)"; then break; fi',
    '  eni=""',
    '  sleep 0.5',
    'done',
    'if [ -z "${eni}" ]; then',
    '  # Not listed yet: fail, and systemd starts the handler again (Restart=on-failure).',
    '  log "${iface} (${mac}) is not in instance metadata yet"',
    '  exit 1',
    'fi',
    'if [ ! -e "${ENI_DIR}/${eni}" ]; then',
    '  log "${iface} (${mac}) is ${eni}, not a floating interface of this instance: nothing to do"',
    '  exit 0',
    'fi',
    'device="$(imds "${mac}/device-number")"',
    'cidr="$(imds "${mac}/subnet-ipv4-cidr-block")"',
    'addresses="$(imds "${mac}/local-ipv4s")"',
    'table=$((10000 + device))',
    'IFS=/ read -r network prefix <<<"${cidr}"',
    'IFS=. read -r o1 o2 o3 o4 <<<"${network}"',
    'gateway="${o1}.${o2}.${o3}.$((o4 + 1))"',
    'mkdir -p "${UNIT_DIR}" "${STATE_DIR}"',
    '{',
    '  echo "# Written by cdk-eni-floating for ${eni} on ${iface}."',
    '  printf \'[Match]\\nMACAddress=%s\\n[Link]\\nRequiredForOnline=no\\n[Network]\\nDHCP=no\\nLinkLocalAddressing=no\\n\' "${mac}"',
    '  # No prefix route in the main table: the floating interface is in a subnet the instance may',
    '  # share (eth0), and a main-table route through it (metric 0) would win over eth0\'s DHCP route,',
    '  # sending eth0\'s replies to its own subnet out of the wrong interface. The subnet route lives',
    '  # in the interface\'s own table only.',
    '  for address in ${addresses}; do printf \'[Address]\\nAddress=%s/%s\\nAddPrefixRoute=no\\n\' "${address}" "${prefix}"; done',
    '  printf \'[Route]\\nGateway=%s\\nGatewayOnLink=yes\\nTable=%s\\n\' "${gateway}" "${table}"',
    '  printf \'[Route]\\nDestination=%s\\nScope=link\\nTable=%s\\n\' "${cidr}" "${table}"',
    '  for address in ${addresses}; do',
    '    printf \'[RoutingPolicyRule]\\nFrom=%s\\nTable=%s\\nPriority=%s\\n\' "${address}" "${table}" "${table}"',
    '  done',
    '} > "${unit}.new"',
    'mv -f "${unit}.new" "${unit}"',
    'echo "${table} ${eni}" > "${STATE_DIR}/${iface}"',
    'networkctl reload',
    'networkctl reconfigure "${iface}"',
    'log "${eni} on ${iface}: ${addresses//$\'\\n\'/ } routed through table ${table} via ${gateway}"',
  ];
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
