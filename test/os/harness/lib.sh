# shellcheck shell=bash
# A small EC2-like network on the real kernel, for running the user data the constructs render.
#
#   internet client (198.51.100.2)        admin (VPN) client (10.8.0.2)
#                 \                           /
#                  router: VPC router, internet gateway (1:1 NAT of the Elastic IPs),
#                  DHCP (dnsmasq), EC2's source/destination check on every instance port
#                 /                           \
#     public subnet 10.0.0.0/24          management subnet 10.0.1.0/24
#                 \                           /
#                  instance: eth0 10.0.0.10, eth1 10.0.1.10, strict rp_filter, IMDSv2 stand-in,
#                  systemd-networkd + dbus, sshd, a TCP service on port 8080
#
# Every namespace is named eos<id><role>; every process the harness starts runs inside one of its
# namespaces and is ended by cleanup (also on failure: callers set `trap eos_cleanup EXIT`).
# The instance has its own mount namespace: /etc is an overlay over the host's /etc, /run and
# /usr/local/sbin are private, /sys is a read-only sysfs of the instance's network namespace
# (systemd-networkd then does not wait for udev, as in a container), so the scripts under test
# write where they would on an instance and the host is left untouched.

EOS_HARNESS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EOS_ID="${EOS_ID:-$$}"
EOS_WORK=""
EOS_VERBOSE="${EOS_VERBOSE:-0}"

# Addresses of the emulated VPC.
readonly EOS_PUB_GW=10.0.0.1 EOS_MGMT_GW=10.0.1.1
readonly EOS_INET_CLIENT=198.51.100.2 EOS_ADMIN_CLIENT=10.8.0.2

eos_log() { echo "[eos $(date +%T.%3N)] $*" >&2; }
eos_die() { eos_log "FAIL: $*"; exit 1; }

# ns <role>: the namespace name of a role (i: instance, s: standby, r: router, n: internet, a: admin).
ns() { echo "eos${EOS_ID}$1"; }
in_ns() { local n; n="$(ns "$1")"; shift; ip netns exec "${n}" "$@"; }

# Runs a command on an instance (role i or s): its network namespace and its mount namespace, with
# the harness's stand-ins for systemctl, udevadm, rpm and sysctl first on PATH.
on_host() {
  local role="$1"; shift
  (exec_on_host "${role}" "$@")
}
exec_on_host() {
  local role="$1"; shift
  exec nsenter --net="/run/netns/$(ns "${role}")" --mount="${EOS_WORK}/${role}/mntns" \
    env PATH="${EOS_HARNESS_DIR}/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
    EOS_HOST_DIR="${EOS_WORK}/${role}" EOS_HARNESS_DIR="${EOS_HARNESS_DIR}" NETPLAN_GENERATE_PATH="${EOS_HARNESS_DIR}/bin/netplan-generate" "$@"
}

# Starts a daemon in the background and records its pid for cleanup.
eos_bg() {
  local log="$1"; shift
  "$@" >>"${log}" 2>&1 &
  echo "$!" >>"${EOS_WORK}/pids"
}

eos_init() {
  [ "$(id -u)" -eq 0 ] || eos_die "the OS harness needs root (network and mount namespaces)"
  local tool
  for tool in ip ss ps nft nsenter unshare dnsmasq socat /usr/sbin/sshd /lib/systemd/systemd-networkd dbus-daemon netplan networkctl curl /usr/bin/python3; do
    command -v "${tool}" >/dev/null || eos_die "${tool} is missing: run scripts/test-setup.sh"
  done
  EOS_WORK="$(mktemp -d "/tmp/eos${EOS_ID}.XXXX")"
  : >"${EOS_WORK}/pids"
  # The mount namespaces' files must live on a private mount.
  mount --bind "${EOS_WORK}" "${EOS_WORK}"
  mount --make-private "${EOS_WORK}"
}

eos_cleanup() {
  local rc=$?
  [ -n "${EOS_WORK}" ] || return "${rc}"
  local role pid n
  # Every process that runs in one of the harness's namespaces was started by the harness.
  for role in i s r n a q; do
    n="$(ns "${role}")"
    [ -e "/run/netns/${n}" ] || continue
    for pid in $(ip netns pids "${n}" 2>/dev/null); do kill "${pid}" 2>/dev/null || true; done
  done
  while read -r pid; do kill "${pid}" 2>/dev/null || true; done <"${EOS_WORK}/pids"
  sleep 0.2
  for role in i s r n a q; do
    n="$(ns "${role}")"
    [ -e "/run/netns/${n}" ] || continue
    for pid in $(ip netns pids "${n}" 2>/dev/null); do kill -9 "${pid}" 2>/dev/null || true; done
    ip netns del "${n}" 2>/dev/null || true
  done
  for role in i s; do
    if [ -e "${EOS_WORK}/${role}/mntns" ]; then umount "${EOS_WORK}/${role}/mntns" 2>/dev/null || true; fi
  done
  umount "${EOS_WORK}" 2>/dev/null || true
  if [ "${EOS_KEEP:-0}" = 1 ] || { [ "${rc}" -ne 0 ] && [ "${EOS_KEEP_ON_FAILURE:-0}" = 1 ]; }; then
    eos_log "work directory kept: ${EOS_WORK}"
  else
    rm -rf "${EOS_WORK}"
  fi
  EOS_WORK=""
  return "${rc}"
}

# veth <nsA> <ifA> <nsB> <ifB> [macA]
veth() {
  ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
  if [ -n "${5:-}" ]; then in_ns "$1" ip link set dev "$2" address "$5"; fi
  in_ns "$3" ip link set dev "$4" up
}

# The router, the two clients and the subnets' bridges.
eos_network() {
  local role
  for role in r n a; do
    ip netns add "$(ns "${role}")"
    in_ns "${role}" ip link set lo up
  done
  in_ns r sysctl -qw net.ipv4.ip_forward=1
  in_ns r ip link add brp type bridge
  in_ns r ip link add brm type bridge
  in_ns r ip addr add "${EOS_PUB_GW}/24" dev brp
  in_ns r ip addr add "${EOS_MGMT_GW}/24" dev brm
  in_ns r ip link set brp up
  in_ns r ip link set brm up
  veth n eth0 r wan
  in_ns r ip addr add 198.51.100.1/24 dev wan
  in_ns n ip addr add "${EOS_INET_CLIENT}/24" dev eth0
  in_ns n ip link set eth0 up
  in_ns n ip route add default via 198.51.100.1
  veth a eth0 r vpn
  in_ns r ip addr add 10.8.0.1/24 dev vpn
  in_ns a ip addr add "${EOS_ADMIN_CLIENT}/24" dev eth0
  in_ns a ip link set eth0 up
  in_ns a ip route add 10.0.0.0/16 via 10.8.0.1
  # EC2's source/destination check (bridge ports of instances, filled in by eos_port; ports in
# `unchecked` are interfaces whose check is off, as a routing appliance's) and the
  # internet gateway's 1:1 NAT (filled in by eos_elastic_ip).
  in_ns r nft -f - <<'EOF'
table bridge eos_srcdst {
  set allowed { type ifname . ipv4_addr; }
  set unchecked { type ifname; }
  chain prerouting {
    type filter hook prerouting priority 0; policy accept;
    iifname @unchecked accept
    iifname "p-*" ether type ip udp dport 67 accept
    iifname "m-*" ether type ip udp dport 67 accept
    iifname "p-*" ether type ip iifname . ip saddr != @allowed counter drop
    iifname "m-*" ether type ip iifname . ip saddr != @allowed counter drop
  }
}
table ip eos_igw {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
}
EOF
  mkdir -p "${EOS_WORK}/dnsmasq"
  : >"${EOS_WORK}/dnsmasq/hosts"
  eos_bg "${EOS_WORK}/dnsmasq.log" ip netns exec "$(ns r)" dnsmasq --keep-in-foreground --conf-file=/dev/null \
    --no-resolv --no-hosts --port=0 --user=root --bind-dynamic --interface=brp --interface=brm \
    --dhcp-range=10.0.0.0,static,255.255.255.0,1h --dhcp-range=10.0.1.0,static,255.255.255.0,1h \
    --dhcp-hostsfile="${EOS_WORK}/dnsmasq/hosts" --dhcp-leasefile="${EOS_WORK}/dnsmasq/leases" \
    --pid-file="${EOS_WORK}/dnsmasq/pid" --log-facility=- --quiet-dhcp
}

# eos_port <role> <ifname on instance> <bridge brp|brm> <mac> <ip>: plugs an interface of the
# instance into a subnet (the attachment of an ENI), with a DHCP reservation and the
# source/destination check for its address.
eos_port() {
  local role="$1" ifname="$2" bridge="$3" mac="$4" ip="$5"
  local port="${bridge#br}-${role}${ifname}"
  ip link add "${ifname}" netns "$(ns "${role}")" address "${mac}" type veth peer name "${port}" netns "$(ns r)"
  in_ns r ip link set "${port}" master "${bridge}" up
  in_ns r nft add element bridge eos_srcdst allowed "{ \"${port}\" . ${ip} }"
  if ! grep -q "^${mac}," "${EOS_WORK}/dnsmasq/hosts"; then
    echo "${mac},${ip}" >>"${EOS_WORK}/dnsmasq/hosts"
    kill -HUP "$(cat "${EOS_WORK}/dnsmasq/pid")"
  fi
}

# eos_unport <role> <ifname>: detaches the interface (the veth pair disappears).
eos_unport() {
  in_ns "$1" ip link del "$2"
}

# eos_elastic_ip <public ip> <private ip>: the internet gateway's 1:1 NAT.
eos_elastic_ip() {
  in_ns r nft add rule ip eos_igw prerouting iifname wan ip daddr "$1" dnat to "$2"
  in_ns r nft add rule ip eos_igw postrouting oifname wan ip saddr "$2" snat to "$1"
}

# The IMDS tree of a host: eos_imds_set <role> <mac> <device-number> <eni id> <ip> <cidr>;
# eos_imds_del <role> <mac>.
eos_imds_set() {
  local f="${EOS_WORK}/$1/imds.json"
  /usr/bin/python3 - "$f" "$2" "$3" "$4" "$5" "$6" <<'EOF'
import json, os, sys
f, mac, dev, eni, ip, cidr = sys.argv[1:]
data = json.load(open(f)) if os.path.exists(f) else {"interfaces": {}}
data["interfaces"][mac] = {"device-number": dev, "interface-id": eni, "local-ipv4s": [ip],
                           "subnet-ipv4-cidr-block": cidr, "mac": mac}
tmp = f + ".tmp"
json.dump(data, open(tmp, "w"))
os.replace(tmp, f)
EOF
}
eos_imds_del() {
  local f="${EOS_WORK}/$1/imds.json"
  /usr/bin/python3 - "$f" "$2" <<'EOF'
import json, os, sys
f, mac = sys.argv[1:]
data = json.load(open(f))
data["interfaces"].pop(mac, None)
json.dump(data, open(f + ".tmp", "w"))
os.replace(f + ".tmp", f)
EOF
}

# eos_host <role> <flavour>: a booted instance without its interfaces: namespaces, IMDS, dbus,
# systemd-networkd, strict rp_filter, and the image's sshd listening on every address.
eos_host() {
  local role="$1" flavour="$2" dir="${EOS_WORK}/$1"
  mkdir -p "${dir}/etc-upper" "${dir}/etc-work" "${dir}/sbin"
  echo "${flavour}" >"${dir}/flavour"
  echo '{"interfaces": {}}' >"${dir}/imds.json"
  touch "${dir}/mntns"
  ip netns add "$(ns "${role}")"
  in_ns "${role}" ip link set lo up
  # Strict reverse-path filtering (the kernel uses the maximum of "all" and the interface's value).
  in_ns "${role}" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1
  nsenter --net="/run/netns/$(ns "${role}")" unshare --mount="${dir}/mntns" --propagation private sh -ec "
    mount -t sysfs -o ro sysfs /sys
    mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/etc-upper,workdir=${dir}/etc-work /etc
    mount -t tmpfs -o mode=0755 tmpfs /run
    mount --bind ${dir}/sbin /usr/local/sbin
    mkdir -p /run/dbus /run/systemd/network /run/eos /run/sshd
    rm -rf /etc/netplan /etc/systemd/network /etc/ssh/sshd_config.d
    mkdir -p /etc/netplan /etc/systemd/network /etc/ssh/sshd_config.d /etc/udev/rules.d
    if [ ${flavour} = al2023 ]; then
      # As the nftables package of Amazon Linux 2023 ships it: the file nftables.service loads.
      mkdir -p /etc/sysconfig
      echo '# Uncomment the include statement here to load the default config sample' > /etc/sysconfig/nftables.conf
    fi
  "
  in_ns "${role}" ip addr add 169.254.169.254/32 dev lo
  eos_bg "${dir}/imds.log" ip netns exec "$(ns "${role}")" /usr/bin/python3 "${EOS_HARNESS_DIR}/imds.py" "${dir}/imds.json"
  eos_bg "${dir}/dbus.log" on_host "${role}" dbus-daemon --system --nofork --nopidfile
  local _
  for _ in $(seq 1 50); do
    if on_host "${role}" test -S /run/dbus/system_bus_socket; then break; fi
    sleep 0.1
  done
  # The image's sshd: listens on every address until the user data restricts it.
  on_host "${role}" sh -c 'grep -q "^Include /etc/ssh/sshd_config.d/" /etc/ssh/sshd_config || sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config'
  on_host "${role}" systemctl start ssh.service
  if [ "${flavour}" = ubuntu-24.04 ]; then on_host "${role}" systemctl enable ssh.socket; fi
  # A service on every address, naming the host that answers.
  eos_bg "${dir}/service.log" ip netns exec "$(ns "${role}")" socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:"echo service-ok-${role}"
}

# Starts systemd-networkd on a host (after its configuration is written, as at boot).
eos_networkd() {
  eos_bg "${EOS_WORK}/$1/networkd.log" on_host "$1" env SYSTEMD_LOG_LEVEL="${EOS_NETWORKD_LOG:-notice}" /lib/systemd/systemd-networkd
  echo "$(tail -n 1 "${EOS_WORK}/pids")" >"${EOS_WORK}/$1/networkd.pid"
}

# Waits until an address is on an interface of a host (bounded).
eos_wait_addr() {
  local role="$1" ifname="$2" ip="$3" _
  for _ in $(seq 1 "${4:-150}"); do
    if in_ns "${role}" ip -4 -o addr show dev "${ifname}" 2>/dev/null | grep -qF " ${ip}/"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Waits until a host has a default route in its main table (network-online, bounded).
eos_wait_online() {
  local _
  for _ in $(seq 1 150); do
    if [ -n "$(in_ns "$1" ip -4 route show default)" ]; then return 0; fi
    sleep 0.1
  done
  eos_die "$1 has no default route after 15 s"
}

# tcp <client role> <address> <port>: prints the first line the server sends (empty when nothing
# answers within 4 seconds: an answer takes milliseconds on these links, but sshd forks and
# re-executes itself per connection, which takes seconds on a machine loaded far beyond its cores).
tcp() {
  in_ns "$1" timeout 4 bash -c 'exec 3<>"/dev/tcp/$0/$1" && IFS= read -r -t 3 line <&3 && echo "${line%$'"'"'\r'"'"'}"' "$2" "$3" 2>/dev/null || true
}

# The instance of the dual-homed scenarios: MACs, addresses and Elastic IPs.
readonly EOS_ETH0_MAC=02:00:00:00:00:10 EOS_ETH0_IP=10.0.0.10 EOS_ETH0_EIP=203.0.113.10
readonly EOS_ETH1_MAC=02:00:00:00:01:10 EOS_ETH1_IP=10.0.1.10

# eos_boot <role> <flavour>: a freshly booted dual-homed instance of the given flavour, configured
# as the distribution's image configures it before the user data runs:
#  - ubuntu-22.04: cloud-init's netplan for eth0 only (cloud-init before 24.1 does not render
#    secondary interfaces), so the user data must add the management interface's policy routing;
#  - ubuntu-24.04: cloud-init 24.1+'s netplan for both interfaces, with policy routing for eth1
#    (table 100 + device number), and sshd under socket activation (ssh.socket);
#  - al2023: systemd-networkd with amazon-ec2-net-utils' units (emulated) for eth0 and eth1.
# Returns once eth0 is online (cloud-final runs after network-online.target); the management
# interface may still be coming up, as on a real instance.
# With a third argument `single`, the host has eth0 only, at 10.0.0.<11 for role s, 10 otherwise>
# (the failover candidates).
eos_boot() {
  local role="$1" flavour="$2" layout="${3:-dual}"
  local octet=10
  [ "${role}" = s ] && octet=11
  local mac0="02:00:00:00:00:${octet}" ip0="10.0.0.${octet}"
  eos_host "${role}" "${flavour}"
  eos_imds_set "${role}" "${mac0}" 0 "eni-00000000000000${octet}a" "${ip0}" 10.0.0.0/24
  eos_port "${role}" eth0 brp "${mac0}" "${ip0}"
  if [ "${layout}" = dual ]; then
    eos_imds_set "${role}" "${EOS_ETH1_MAC}" 1 eni-0000000000000000b "${EOS_ETH1_IP}" 10.0.1.0/24
    eos_port "${role}" eth1 brm "${EOS_ETH1_MAC}" "${EOS_ETH1_IP}"
  fi
  case "${flavour}" in
    ubuntu-22.04|ubuntu-24.04)
      {
        echo 'network:'
        echo '  version: 2'
        echo '  ethernets:'
        echo '    eth0:'
        echo "      match: {macaddress: \"${mac0}\"}"
        echo '      set-name: eth0'
        echo '      dhcp4: true'
        echo '      dhcp4-overrides: {route-metric: 100}'
        if [ "${flavour}" = ubuntu-24.04 ] && [ "${layout}" = dual ]; then
          echo '    eth1:'
          echo "      match: {macaddress: \"${EOS_ETH1_MAC}\"}"
          echo '      set-name: eth1'
          echo '      dhcp4: true'
          echo '      dhcp4-overrides: {route-metric: 200}'
          echo '      routes:'
          echo "        - {to: 0.0.0.0/0, via: ${EOS_MGMT_GW}, table: 101}"
          echo '        - {to: 10.0.1.0/24, scope: link, table: 101}'
          echo '      routing-policy:'
          echo "        - {from: ${EOS_ETH1_IP}, table: 101}"
        fi
      } | on_host "${role}" sh -c 'umask 077; cat > /etc/netplan/50-cloud-init.yaml'
      on_host "${role}" netplan generate
      eos_networkd "${role}"
      ;;
    al2023)
      eos_networkd "${role}"
      local _
      for _ in $(seq 1 50); do
        if on_host "${role}" networkctl --no-pager list >/dev/null 2>&1; then break; fi
        sleep 0.1
      done
      on_host "${role}" systemctl start policy-routes@eth0.service
      if [ "${layout}" = dual ]; then on_host "${role}" systemctl start policy-routes@eth1.service; fi
      ;;
    *) eos_die "unknown flavour ${flavour}" ;;
  esac
  eos_wait_online "${role}"
}

# Runs a user-data script on a host as cloud-init would (its own interpreter line), logging to
# <host>/user-data.<n>.log; returns its exit status.
eos_user_data() {
  local role="$1" file="$2" n
  n="$(find "${EOS_WORK}/${role}" -maxdepth 1 -name 'user-data.*.log' | wc -l)"
  chmod 0755 "${file}"
  local rc=0
  on_host "${role}" "${file}" >"${EOS_WORK}/${role}/user-data.${n}.log" 2>&1 || rc=$?
  if [ "${EOS_VERBOSE}" = 1 ] || [ "${rc}" -ne 0 ]; then sed 's/^/    | /' "${EOS_WORK}/${role}/user-data.${n}.log" >&2; fi
  return "${rc}"
}

# What a second run of the user data must not change.
eos_snapshot() {
  on_host "$1" sh -c '
    ip -4 rule show; ip -4 route show table all | grep -v "^local\|^broadcast"; ip -4 -o addr show | awk "{print \$2, \$4}"
    ss -ltnH | awk "{print \$4}" | sort; cat /run/eos/sshd.pid
    find /etc/netplan /etc/ssh /etc/systemd/system /run/systemd/network /usr/local/sbin /etc/sysctl.d -type f 2>/dev/null | sort | xargs -r md5sum'
}

# Checks of a dual-homed instance (prints one line per check, returns non-zero on any failure):
# replies leave through the interface the request came in on (the router drops anything else by
# its source/destination check, and the instance's strict rp_filter drops requests whose reply
# path is another interface), sshd answers on the management address only.
eos_check_dual_homed() {
  local role="$1" failed=0 got
  check() {
    if [ "$2" = "$3" ] || { [ "$3" = SSH ] && [[ "$2" == SSH-2.0-* ]]; }; then
      eos_log "  ok   $1"
    else
      eos_log "  FAIL $1: got '${2}', expected '${3}'"; failed=1
    fi
  }
  got="$(tcp a "${EOS_ETH1_IP}" 22)"; check "admin -> management address :22 answered through eth1" "${got}" SSH
  got="$(tcp n "${EOS_ETH0_IP}" 8080)"; check "internet -> public address :8080 answered through eth0" "${got}" service-ok-i
  got="$(tcp n "${EOS_ETH0_EIP}" 8080)"; check "internet -> Elastic IP :8080 answered through eth0" "${got}" service-ok-i
  got="$(tcp n "${EOS_ETH0_EIP}" 22)"; check "internet -> Elastic IP :22 gets no SSH" "${got}" ""
  got="$(tcp a "${EOS_ETH0_IP}" 22)"; check "admin -> public address :22 gets no SSH" "${got}" ""
  got="$(in_ns "${role}" ss -ltnH 'sport = :22' | awk '{print $4}' | sort -u | tr '\n' ' ')"
  check "sshd listens on the management address only" "${got}" "${EOS_ETH1_IP}:22 "
  return "${failed}"
}

# eos_host_down <role>: powers a host off (its processes, mount and network namespaces).
eos_host_down() {
  local role="$1" n pid
  n="$(ns "${role}")"
  for pid in $(ip netns pids "${n}" 2>/dev/null); do kill "${pid}" 2>/dev/null || true; done
  sleep 0.1
  for pid in $(ip netns pids "${n}" 2>/dev/null); do kill -9 "${pid}" 2>/dev/null || true; done
  umount "${EOS_WORK}/${role}/mntns" 2>/dev/null || true
  ip netns del "${n}"
  rm -rf "${EOS_WORK:?}/${role}"
}

# eos_udev <role> <add|remove> <ifname>: what udev does on a real instance when an interface
# appears or goes away, done by hand (there are no udev events in a network namespace): on the
# Amazon Linux 2023 flavour, amazon-ec2-net-utils' rule (udev/99-vpc-policy-routes.rules:
# `systemctl enable --now --no-block policy-routes@$name.service` on add, `systemctl disable --now
# refresh-policy-routes@$name.timer policy-routes@$name.service` on remove); then every RUN+= of
# the host's /etc/udev/rules.d/*.rules whose SUBSYSTEM=="net" and ACTION match (KERNEL!="lo"
# honoured), with $name replaced by the interface, in the order udev would run them.
eos_udev() {
  local role="$1" action="$2" ifname="$3" rules line run
  if [ "$(cat "${EOS_WORK}/${role}/flavour")" = al2023 ]; then
    if [ "${action}" = add ]; then
      on_host "${role}" systemctl enable --now --no-block "policy-routes@${ifname}.service"
    else
      on_host "${role}" systemctl disable --now "refresh-policy-routes@${ifname}.timer" "policy-routes@${ifname}.service"
    fi
  fi
  rules="$(on_host "${role}" sh -c 'cat /etc/udev/rules.d/*.rules 2>/dev/null' || true)"
  while IFS= read -r line; do
    [[ "${line}" == *'SUBSYSTEM=="net"'* || "${line}" != *'SUBSYSTEM=='* ]] || continue
    [[ "${line}" == *"ACTION==\"${action}\""* ]] || continue
    [[ "${line}" == *'KERNEL!="lo"'* && "${ifname}" = lo ]] && continue
    run="${line#*RUN+=\"}"; run="${run%%\"*}"
    run="${run//\$name/${ifname}}"
    # systemctl by its path is the harness's stand-in here.
    run="${run#/usr/bin/}"; run="${run#/bin/}"
    # shellcheck disable=SC2086
    on_host "${role}" ${run}
  done <<<"${rules}"
}

# eos_wait_reply <client> <address> <port> <expected> <timeout s> [start ns]: polls (every 50 ms,
# each attempt bounded to 0.3 s) until the expected answer arrives; prints the milliseconds since
# start (default: now).
eos_wait_reply() {
  local start="${6:-$(date +%s%N)}" now got
  while :; do
    got="$(in_ns "$1" timeout 0.3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && IFS= read -r -t 0.25 line <&3 && echo "${line}"' "$2" "$3" 2>/dev/null || true)"
    now="$(date +%s%N)"
    if [ "${got}" = "$4" ]; then echo $(( (now - start) / 1000000 )); return 0; fi
    if [ $(( (now - start) / 1000000000 )) -ge "$5" ]; then return 1; fi
    sleep 0.05
  done
}

# eos_dump <role>: the network state and the stand-ins' logs of a host, for failure reports.
eos_dump() {
  on_host "$1" sh -c 'echo "--- $0: rules, routes, addresses, nftables, logs"; ip -4 rule; ip -4 route show table all | grep -v "^local\|^broadcast"; ip -4 -o addr; nft list ruleset; tail -n 20 /run/eos/*.log' "$1" >&2 2>&1 || true
}
