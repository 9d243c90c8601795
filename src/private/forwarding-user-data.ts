/**
 * User data of routing appliances on Amazon Linux 2023. Not exported from the package.
 *
 * Every role persists IP forwarding (and loose reverse-path filtering, since forwarded traffic
 * arrives and leaves on an interface that is not the primary one) in /etc/sysctl.d.
 *
 * The NAT role also:
 * - persists an nftables masquerade rule for the routed CIDRs (/etc/nftables/cdk-eni-nat.nft,
 *   included from /etc/sysconfig/nftables.conf and loaded by nftables.service at boot);
 * - installs `cdk-eni-forwarding`, a oneshot systemd service that finds the forwarding interface
 *   by its ENI id (instance metadata, IMDSv2) and routes everything that arrives on it back out of
 *   it (policy routing table 4242), so NAT traffic leaves through the interface that holds the
 *   Elastic IP. A udev rule reruns it whenever an interface appears, which is how a standby picks
 *   the interface up after a failover.
 */

/** Policy routing table of the forwarding interface. */
export const FORWARDING_TABLE = 4242;

/** Options of the rendered script. */
export interface ForwardingScriptOptions {
  /** Whether to masquerade (NAT role) or only forward (proxy role). */
  readonly masquerade: boolean;
  /** The id of the forwarding network interface (may be a token). */
  readonly networkInterfaceId: string;
  /** The CIDRs whose traffic is masqueraded (may contain tokens). */
  readonly sourceCidrs: string[];
}

/** Renders the commands of the appliance's user data (one string per line). */
export function renderForwardingCommands(options: ForwardingScriptOptions): string[] {
  const lines = [
    'set -euo pipefail',
    '# IP forwarding, persisted across reboots.',
    "cat > /etc/sysctl.d/90-cdk-eni-forwarding.conf <<'SYSCTL'",
    'net.ipv4.ip_forward = 1',
    'net.ipv4.conf.all.rp_filter = 2',
    'net.ipv4.conf.default.rp_filter = 2',
    'SYSCTL',
    'sysctl --system >/dev/null',
  ];
  if (!options.masquerade) {
    return lines;
  }
  const cidrs = options.sourceCidrs.length > 0 ? options.sourceCidrs.join(', ') : '0.0.0.0/0';
  return [
    ...lines,
    '# NAT: masquerade the routed subnets, persisted through nftables.service.',
    'if ! command -v nft >/dev/null 2>&1; then',
    '  for attempt in 1 2 3 4 5; do',
    '    if dnf install -y nftables; then break; fi',
    '    echo "dnf install nftables failed (attempt ${attempt}), retrying" >&2',
    '    sleep 10',
    '  done',
    'fi',
    'mkdir -p /etc/nftables',
    "cat > /etc/nftables/cdk-eni-nat.nft <<'NFT'",
    'table ip cdk_eni_nat {',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr { ${cidrs} } masquerade`,
    '  }',
    '}',
    'NFT',
    "grep -qs 'cdk-eni-nat.nft' /etc/sysconfig/nftables.conf || echo 'include \"/etc/nftables/cdk-eni-nat.nft\"' >> /etc/sysconfig/nftables.conf",
    'systemctl enable nftables.service',
    'systemctl restart nftables.service',
    '# Forwarded traffic leaves through the forwarding interface (the one with the Elastic IP).',
    "cat > /usr/local/sbin/cdk-eni-forwarding <<'SCRIPT'",
    ...renderRoutingScript(options.networkInterfaceId),
    'SCRIPT',
    'chmod 0755 /usr/local/sbin/cdk-eni-forwarding',
    "cat > /etc/systemd/system/cdk-eni-forwarding.service <<'UNIT'",
    '[Unit]',
    'Description=Policy routing for the forwarding network interface',
    'Wants=network-online.target',
    'After=network-online.target',
    '[Service]',
    'Type=oneshot',
    'ExecStart=/usr/local/sbin/cdk-eni-forwarding',
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
    "cat > /etc/udev/rules.d/90-cdk-eni-forwarding.rules <<'UDEV'",
    'ACTION=="add", SUBSYSTEM=="net", KERNEL!="lo", RUN+="/usr/bin/systemctl --no-block restart cdk-eni-forwarding.service"',
    'UDEV',
    'udevadm control --reload',
    'systemctl daemon-reload',
    'systemctl enable cdk-eni-forwarding.service',
    'systemctl start --no-block cdk-eni-forwarding.service',
  ];
}

/** The policy-routing script the NAT role installs (a heredoc body: no unquoted expansion at install time). */
function renderRoutingScript(networkInterfaceId: string): string[] {
  return [
    '#!/bin/bash',
    '# Routes traffic that arrives on the forwarding interface back out of it. Does nothing while',
    '# the interface is attached to another instance.',
    'set -euo pipefail',
    `ENI_ID='${networkInterfaceId}'`,
    `TABLE=${FORWARDING_TABLE}`,
    'IMDS=http://169.254.169.254/latest',
    'token=$(curl -sf -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "${IMDS}/api/token")',
    'imds() { curl -sf -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/meta-data/$1"; }',
    '# Instance metadata lists a new attachment a few seconds after the device appears (udev runs this',
    '# script at that moment): look for the interface for up to 30 seconds.',
    'mac=""',
    'for _ in $(seq 1 60); do',
    '  for m in $(imds network/interfaces/macs/); do',
    '    m=${m%/}',
    '    if [ "$(imds "network/interfaces/macs/${m}/interface-id")" = "${ENI_ID}" ]; then mac=${m}; fi',
    '  done',
    '  [ -n "${mac}" ] && break',
    '  sleep 0.5',
    'done',
    'if [ -z "${mac}" ]; then',
    '  echo "${ENI_ID} is not attached to this instance: nothing to do"',
    '  exit 0',
    'fi',
    'iface=""',
    'for i in $(seq 1 120); do',
    '  for dev in /sys/class/net/*; do',
    '    if [ "$(cat "${dev}/address" 2>/dev/null)" = "${mac}" ]; then iface=${dev##*/}; fi',
    '  done',
    '  if [ -n "${iface}" ]; then',
    '    addresses="$(ip -o -4 addr show dev "${iface}")"',
    '    [[ "${addresses}" == *" inet "* ]] && break',
    '  fi',
    '  echo "waiting for ${ENI_ID} (${mac}) to come up (${i})"',
    '  sleep 0.5',
    'done',
    'if [ -z "${iface}" ]; then',
    '  echo "no interface with MAC ${mac} found" >&2',
    '  exit 1',
    'fi',
    'cidr=$(imds "network/interfaces/macs/${mac}/subnet-ipv4-cidr-block")',
    'IFS=/ read -r network _ <<< "${cidr}"',
    'IFS=. read -r o1 o2 o3 o4 <<< "${network}"',
    'gateway="${o1}.${o2}.${o3}.$((o4 + 1))"',
    'ip route replace default via "${gateway}" dev "${iface}" onlink table "${TABLE}"',
    'while ip rule del lookup "${TABLE}" 2>/dev/null; do :; done',
    'ip rule add iif "${iface}" lookup "${TABLE}" priority 100',
    'echo "forwarding through ${iface} (${ENI_ID}) via ${gateway}"',
  ];
}
