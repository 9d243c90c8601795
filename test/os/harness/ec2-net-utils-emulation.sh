#!/bin/bash
# Emulation of amazon-ec2-net-utils 2.x (github.com/amazonlinux/amazon-ec2-net-utils, read at
# lib/lib.sh, bin/setup-policy-routes.sh, systemd/system/policy-routes@.service and
# udev/99-vpc-policy-routes.rules) for the Amazon Linux 2023 flavour of the OS harness. Written from
# its documented behaviour, not copied. What is emulated:
#  - `start <if>` (udev "add" -> policy-routes@<if>.service): read the interface's MAC from sysfs and
#    its device-number, local-ipv4s and subnet-ipv4-cidr-block from IMDSv2; write a
#    systemd-networkd unit /run/systemd/network/70-<if>.network matching the MAC with DHCP, route
#    metric 512 + device-number, and in table 10000 + device-number a default route through the
#    DHCP router (Gateway=_dhcp4) and the subnet route; for a secondary interface (device-number
#    not 0) a drop-in 70-<if>.network.d/ec2net_policy_4.conf with one rule per local IPv4 address
#    `from <address> lookup 10000+device-number` at priority 10000+device-number; then
#    `networkctl reload`. As upstream, the rule and the table's routes are applied by
#    systemd-networkd, so the rule exists before the DHCP lease fills the table.
#  - `remove <if>` (udev "remove"): delete those files and reload systemd-networkd.
# Not emulated: network cards other than 0, IPv6, delegated prefixes, secondary-address aliases,
# altnames, the refresh timer, the wait for systemd-networkd-wait-online, and the reload lock.
set -euo pipefail
action="$1" iface="$2"
unitdir=/run/systemd/network
IMDS=http://169.254.169.254/latest
case "${action}" in
  start)
    mac="$(cat "/sys/class/net/${iface}/address")"
    token="$(curl -sS --fail -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "${IMDS}/api/token")"
    imds() { curl -sS --fail -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/meta-data/network/interfaces/macs/${mac}/$1"; }
    dev="$(imds device-number)"
    table=$((10000 + dev))
    cidr="$(imds subnet-ipv4-cidr-block)"
    mkdir -p "${unitdir}/70-${iface}.network.d"
    cat >"${unitdir}/70-${iface}.network.tmp" <<UNIT
[Match]
MACAddress=${mac}
[Network]
DHCP=ipv4
[DHCPv4]
RouteMetric=$((512 + dev))
UseRoutes=true
UseGateway=true
[Route]
Gateway=_dhcp4
Table=${table}
[Route]
Destination=${cidr}
Table=${table}
UNIT
    mv "${unitdir}/70-${iface}.network.tmp" "${unitdir}/70-${iface}.network"
    if [ "${dev}" != 0 ]; then
      : >"${unitdir}/70-${iface}.network.d/ec2net_policy_4.conf.tmp"
      for ip in $(imds local-ipv4s); do
        printf '[RoutingPolicyRule]\nFrom=%s\nPriority=%s\nTable=%s\n' "${ip}" "${table}" "${table}" \
          >>"${unitdir}/70-${iface}.network.d/ec2net_policy_4.conf.tmp"
      done
      mv "${unitdir}/70-${iface}.network.d/ec2net_policy_4.conf.tmp" "${unitdir}/70-${iface}.network.d/ec2net_policy_4.conf"
    fi
    networkctl reload
    ;;
  remove)
    rm -rf "${unitdir}/70-${iface}.network" "${unitdir}/70-${iface}.network.d"
    networkctl reload
    ;;
  *) echo "usage: $0 start|remove <interface>" >&2; exit 2 ;;
esac
