#!/bin/bash
# Entry point of the OS harness. Needs root; every namespace is named eos<id>*, and everything it
# starts is ended on exit (also on failure).
#
#   run.sh dual-homed <flavour> <user-data file> [runs]
#       Boots a dual-homed instance of the flavour <runs> times (default 1), runs the user data on
#       each and checks it; on the first boot also runs the user data a second time (nothing may
#       change) and removes the management policy rule (the reply-path check must then fail).
#       With EOS_KEEP_GOING=1 a failed boot is counted and the loop goes on (the benchmark).
#   run.sh dual-homed-race <flavour> <user-data file>
#       As above, once, with the management subnet's DHCP answer delayed by 4 seconds: the policy
#       rule exists before its table has a default route, the window in which the Amazon Linux
#       2023 setup used to fail. Also reports what sshd listens on when the user data fails.
#   run.sh dual-homed-half-run <flavour> <user-data file>
#       Two runs that do not finish: one killed (SIGKILL) while it waits for the management
#       interface, one that fails because the image's sshd_config has its own ListenAddress. After
#       either, and after a reboot (sshd started again) following the second, sshd must not answer
#       on any address but the loopback. EOS_SSH_PORT: the sshPort the user data was rendered with.
#   run.sh floating <flavour> <candidate user-data file>
#       Boots a primary and a standby (eth0 only), runs the candidates' user data on both, then
#       attaches the floating interface (10.0.0.20, Elastic IP 203.0.113.20) to the primary, moves
#       it to the standby (failover) and back (failback). After each attach, the internet client
#       must be answered on the floating address and its Elastic IP by the holder, and the former
#       holder must keep no rule or route of it. A control removes the holder's rule: the Elastic IP
#       must then go unanswered. Prints "TIMING <flavour> <attach> <ms>" from the moment the
#       interface appears to the first answer on the Elastic IP.
#   run.sh floating-late-metadata <flavour> <candidate user-data file>
#       One candidate; instance metadata lists the attached interface 36 s after it appeared, longer
#       than the handler waits: its unit's Restart=on-failure must get it configured.
#   run.sh appliance <user-data file>
#       A NAT RoutingAppliance (Amazon Linux 2023) with a standby: a client in the private subnet
#       10.0.2.0/24, whose route table sends 0.0.0.0/0 to the forwarding interface (10.0.0.20,
#       source/destination check off, Elastic IP 203.0.113.20), reaches the internet client, which
#       must see the Elastic IP as the source; after attach, failover and failback. A control
#       removes the holder's forwarding rule: the internet then sees another source.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

scenario="${1:?scenario}"; shift
eos_init
trap eos_cleanup EXIT
trap 'exit 130' INT TERM
eos_network
eos_elastic_ip "${EOS_ETH0_EIP}" "${EOS_ETH0_IP}"

dual_homed() {
  local flavour="$1" user_data="$2" runs="${3:-1}" run rc before after failures=0
  for run in $(seq 1 "${runs}"); do
    eos_log "${flavour}: boot ${run}/${runs}"
    eos_boot i "${flavour}"
    local t0 t1
    t0="$(date +%s%N)"
    rc=0; eos_user_data i "${user_data}" || rc=$?
    t1="$(date +%s%N)"
    echo "BOOT ${flavour} ${run} exit=${rc} setup_ms=$(( (t1 - t0) / 1000000 ))"
    if [ "${EOS_KEEP_GOING:-0}" = 1 ] && { [ "${rc}" -ne 0 ] || ! eos_check_dual_homed i; }; then
      failures=$((failures + 1)); eos_log "${flavour}: boot ${run} failed (exit ${rc})"; eos_host_down i; continue
    fi
    [ "${rc}" -eq 0 ] || eos_die "${flavour}: the user data exited with ${rc} on boot ${run}"
    eos_check_dual_homed i || eos_die "${flavour}: checks failed on boot ${run}"
    if [ "${run}" -eq 1 ]; then
      before="$(eos_snapshot i)"
      eos_user_data i "${user_data}" || eos_die "${flavour}: the second run of the user data failed"
      after="$(eos_snapshot i)"
      if [ "${before}" != "${after}" ]; then
        diff <(echo "${before}") <(echo "${after}") >&2 || true
        eos_die "${flavour}: the second run changed the host"
      fi
      eos_log "  ok   a second run changes nothing"
      eos_check_dual_homed i || eos_die "${flavour}: checks failed after the second run"
      # Control: without the policy rule the reply to the admin client leaves through eth0 (and is
      # dropped), so the reply-path check must fail.
      on_host i sh -c "while ip -4 rule del from ${EOS_ETH1_IP}; do :; done" 2>/dev/null || true
      if [ -n "$(tcp a "${EOS_ETH1_IP}" 22)" ]; then eos_die "${flavour}: control: the admin client got an answer without the policy rule"; fi
      eos_log "  ok   control: without the policy rule the admin client gets no answer"
    fi
    eos_host_down i
  done
  [ "${failures}" -eq 0 ] || { echo "RESULT dual-homed ${flavour} runs=${runs} failures=${failures}"; exit 1; }
  echo "RESULT dual-homed ${flavour} runs=${runs} ok"
}

dual_homed_race() {
  local flavour="$1" user_data="$2" rc=0
  # Delay the management subnet's DHCP answer: the port of eth1 drops DHCP for 4 seconds.
  in_ns r nft add table bridge eos_race
  in_ns r nft add chain bridge eos_race pre '{ type filter hook prerouting priority -10; policy accept; }'
  in_ns r nft add rule bridge eos_race pre iifname m-ieth1 udp dport 67 drop
  ( sleep 4; in_ns r nft delete table bridge eos_race ) &
  echo "$!" >>"${EOS_WORK}/pids"
  eos_boot i "${flavour}"
  eos_user_data i "${user_data}" || rc=$?
  local listen
  listen="$(in_ns i ss -ltnH 'sport = :22' | awk '{print $4}' | sort -u | tr '\n' ' ')"
  echo "RESULT race ${flavour} exit=${rc} sshd=${listen}"
  [ "${rc}" -eq 0 ] || eos_die "${flavour}: the user data exited with ${rc} while the management interface came up late"
  eos_check_dual_homed i || eos_die "${flavour}: checks failed"
}

# Nothing but the loopback address may be bound by sshd (on any port: the image's sshd listens on
# 22, the user data's on EOS_SSH_PORT), and neither client gets SSH on either port.
ssh_closed() {
  local what="$1" listen failed=0 port
  listen="$(in_ns i ss -ltnpH | awk '/users:\(\("sshd"/ { print $4 }' | sort -u | tr '\n' ' ')"
  case "${listen}" in ""|"127.0.0.1:${EOS_SSH_PORT:-22} ") eos_log "  ok   ${what}: sshd listens on '${listen}'" ;; *) eos_log "  FAIL ${what}: sshd listens on ${listen}"; failed=1 ;; esac
  for port in 22 ${EOS_SSH_PORT:-22}; do
    [ -z "$(tcp n "${EOS_ETH0_EIP}" "${port}")" ] || { eos_log "  FAIL ${what}: SSH answers on the Elastic IP :${port}"; failed=1; }
    [ -z "$(tcp a "${EOS_ETH1_IP}" "${port}")" ] || { eos_log "  FAIL ${what}: SSH answers on the management address :${port}"; failed=1; }
  done
  echo "RESULT half-run ${what} sshd=${listen}"
  return "${failed}"
}

dual_homed_half_run() {
  local flavour="$1" user_data="$2" pid _ rc=0
  # Killed: the management subnet's DHCP never answers, so the run waits; kill it once sshd moved.
  in_ns r nft add table bridge eos_block
  in_ns r nft add chain bridge eos_block pre '{ type filter hook prerouting priority -10; policy accept; }'
  in_ns r nft add rule bridge eos_block pre iifname m-ieth1 udp dport 67 drop
  eos_boot i "${flavour}"
  chmod 0755 "${user_data}"
  exec_on_host i setsid "${user_data}" >"${EOS_WORK}/i/killed.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    grep -q "management interface: eth1" "${EOS_WORK}/i/killed.log" && break
    sleep 0.1
  done
  sleep 0.5
  # setsid made the run a session and process group of its own, whose id is ${pid}.
  if kill -0 "${pid}" 2>/dev/null; then
    [ "$(ps -o pgid= -p "${pid}" | tr -d ' ')" = "${pid}" ] || eos_die "the user data is not in a process group of its own"
    kill -9 -- "-${pid}"
  else
    eos_log "  the user data ended by itself before it was killed"
  fi
  wait "${pid}" 2>/dev/null || true
  [ "${EOS_VERBOSE}" = 1 ] && sed 's/^/    | /' "${EOS_WORK}/i/killed.log" >&2
  ssh_closed "${flavour} killed while waiting for the management interface" || rc=1
  eos_host_down i
  in_ns r nft delete table bridge eos_block
  # Fails: the image's own sshd_config listens on every address.
  eos_boot i "${flavour}"
  on_host i sh -c 'echo "ListenAddress 0.0.0.0" >> /etc/ssh/sshd_config'
  if eos_user_data i "${user_data}" 2>/dev/null; then eos_die "${flavour}: the user data succeeded with ListenAddress 0.0.0.0 in sshd_config"; fi
  ssh_closed "${flavour} failed on a conflicting sshd_config" || rc=1
  # Reboot: ssh.service is still enabled and starts with the configuration the failed run left.
  on_host i systemctl restart "$([ "${flavour}" = al2023 ] && echo sshd || echo ssh).service" 2>/dev/null || true
  ssh_closed "${flavour} failed on a conflicting sshd_config, then rebooted" || rc=1
  [ "${rc}" -eq 0 ] || eos_die "${flavour}: a run that did not finish left SSH open"
}

readonly FLOAT_MAC=02:00:00:00:00:20 FLOAT_IP=10.0.0.20 FLOAT_EIP=203.0.113.20 FLOAT_ENI=eni-0f10a7000000000001

# attach <role>: the ENI appears on the host (the device first; instance metadata lists it about a
# second later, as EC2 may lag), then udev's handling, done by hand.
attach() {
  local role="$1"
  ATTACHED_AT="$(date +%s%N)"
  eos_port "${role}" eth2 brp "${FLOAT_MAC}" "${FLOAT_IP}"
  ( sleep "${EOS_IMDS_LAG:-1}"; eos_imds_set "${role}" "${FLOAT_MAC}" 1 "${FLOAT_ENI}" "${FLOAT_IP}" 10.0.0.0/24 ) &
  echo "$!" >>"${EOS_WORK}/pids"
  eos_udev "${role}" add eth2
}

# detach <role>: udev's remove handling runs once the device is gone.
detach() {
  local role="$1"
  eos_imds_del "${role}" "${FLOAT_MAC}"
  eos_unport "${role}" eth2
  eos_udev "${role}" remove eth2
}

# answered_by <role> <what>: the floating address and its Elastic IP answer from the holder.
answered_by() {
  local role="$1" what="$2" ms got
  ms="$(eos_wait_reply n "${FLOAT_EIP}" 8080 "service-ok-${role}" 30 "${ATTACHED_AT}")" \
    || eos_die "${what}: nothing answered on the Elastic IP ${FLOAT_EIP} within 30 s"
  echo "TIMING ${flavour} ${what} ${ms}"
  eos_log "  ok   ${what}: Elastic IP ${FLOAT_EIP} answered by the holder after ${ms} ms"
  got="$(tcp n "${FLOAT_IP}" 8080)"
  [ "${got}" = "service-ok-${role}" ] || eos_die "${what}: the floating address answered '${got}'"
  eos_log "  ok   ${what}: floating address ${FLOAT_IP} answered by the holder"
}

# eth0_reachable <holder> <peer> <what>: the holder's own eth0 address still answers a host of its
# subnet (an ALB health check, say): attaching the floating interface, which is in the same subnet,
# must not move the holder's subnet route off eth0, or the replies leave by the floating interface
# and the source/destination check drops them.
eth0_reachable() {
  local holder="$1" peer="$2" what="$3" ip got
  ip="10.0.0.10"; [ "${holder}" = s ] && ip="10.0.0.11"
  got="$(tcp "${peer}" "${ip}" 8080)"
  [ "${got}" = "service-ok-${holder}" ] || { eos_dump "${holder}"; eos_die "${what}: ${peer} (same subnet) gets '${got}' from the holder's eth0 address ${ip}"; }
  eos_log "  ok   ${what}: the holder's eth0 address ${ip} answers ${peer} in its subnet"
}

# clean_after_detach <role>: no rule or route of the floating address is left on the host.
clean_after_detach() {
  local left
  left="$(in_ns "$1" ip -4 rule show | awk -v ip="${FLOAT_IP}" '$3 == ip' || true)"
  [ -z "${left}" ] || eos_die "$1 keeps a rule of the floating address after the detach: ${left}"
  left="$(in_ns "$1" ip -4 route show table all | grep -F "eth2" || true)"
  [ -z "${left}" ] || eos_die "$1 keeps routes of the floating interface after the detach: ${left}"
  eos_log "  ok   the former holder $1 keeps no rule or route of the floating interface"
}

floating() {
  flavour="$1"; local user_data="$2" r
  eos_elastic_ip "${FLOAT_EIP}" "${FLOAT_IP}"
  for r in i s; do
    eos_boot "${r}" "${flavour}" single
    eos_user_data "${r}" "${user_data}" || eos_die "${flavour}: the candidate user data failed on ${r}"
  done
  attach i
  answered_by i "attach to the primary"
  eth0_reachable i s "attach to the primary"
  detach i
  attach s
  clean_after_detach i
  answered_by s "failover to the standby"
  eth0_reachable s i "failover to the standby"
  detach s
  attach i
  clean_after_detach s
  answered_by i "failback to the primary"
  eth0_reachable i s "failback to the primary"
  # Control: without the policy rule, the reply from the floating address leaves by eth0, where
  # the source/destination check drops it.
  on_host i sh -c "while ip -4 rule del from ${FLOAT_IP}; do :; done" 2>/dev/null || true
  if [ -n "$(tcp n "${FLOAT_EIP}" 8080)" ]; then eos_die "${flavour}: control: the Elastic IP answered without the policy rule"; fi
  eos_log "  ok   control: without the policy rule the Elastic IP goes unanswered"
  echo "RESULT floating ${flavour} ok"
}

# Instance metadata lists the interface only 36 seconds after it appeared (longer than the handler
# waits): the handler must fail so that its unit's Restart=on-failure runs it again, and the floating
# address must then answer.
floating_late_metadata() {
  flavour="$1"; local user_data="$2"
  eos_elastic_ip "${FLOAT_EIP}" "${FLOAT_IP}"
  eos_boot i "${flavour}" single
  eos_user_data i "${user_data}" || eos_die "${flavour}: the candidate user data failed"
  EOS_IMDS_LAG=36 attach i
  local ms
  ms="$(eos_wait_reply n "${FLOAT_EIP}" 8080 service-ok-i 75 "${ATTACHED_AT}")" \
    || { eos_dump i; eos_die "${flavour}: metadata 36 s late: nothing answered on the Elastic IP within 75 s"; }
  eos_log "  ok   metadata 36 s late: the Elastic IP answered after ${ms} ms"
  echo "RESULT floating-late-metadata ${flavour} ok"
}

# What the issue describes for Ubuntu before this configuration existed: candidates without it
# leave a hot-attached interface unconfigured, and the Elastic IP goes unanswered.
floating_bare() {
  flavour="$1"
  eos_elastic_ip "${FLOAT_EIP}" "${FLOAT_IP}"
  eos_boot i "${flavour}" single
  attach i
  if eos_wait_reply n "${FLOAT_EIP}" 8080 service-ok-i 8 "${ATTACHED_AT}" >/dev/null; then
    echo "RESULT floating-bare ${flavour} answered"
  else
    echo "RESULT floating-bare ${flavour} unanswered"
  fi
}

# nat_via <role> <what>: the private client's connection leaves with the Elastic IP as source.
nat_via() {
  local role="$1" what="$2" ms
  ms="$(eos_wait_reply q "${EOS_INET_CLIENT}" 9090 "${FLOAT_EIP}" 60 "${ATTACHED_AT}")" \
    || { eos_dump "${role}"; eos_die "${what}: the internet client did not see ${FLOAT_EIP} within 60 s (last: '$(tcp q "${EOS_INET_CLIENT}" 9090)')"; }
  in_ns "${role}" ip link show eth2 >/dev/null || eos_die "${what}: ${role} does not hold the interface"
  echo "TIMING al2023-nat ${what} ${ms}"
  eos_log "  ok   ${what}: the private client reaches the internet as ${FLOAT_EIP} through ${role} after ${ms} ms"
}

appliance() {
  flavour=al2023; local user_data="$1" r got
  eos_elastic_ip "${FLOAT_EIP}" "${FLOAT_IP}"
  # The private subnet and its route table: 0.0.0.0/0 -> the forwarding interface.
  ip netns add "$(ns q)"
  in_ns q ip link set lo up
  veth q eth0 r prv
  in_ns r ip addr add 10.0.2.1/24 dev prv
  in_ns q ip addr add 10.0.2.10/24 dev eth0
  in_ns q ip link set eth0 up
  in_ns q ip route add default via 10.0.2.1
  in_ns r ip route add default via "${FLOAT_IP}" dev brp table 200
  in_ns r ip rule add iif prv lookup 200 priority 100
  in_ns r nft add element bridge eos_srcdst unchecked '{ "p-ieth2", "p-seth2" }'
  # The internet client tells every caller the source address it sees.
  eos_bg "${EOS_WORK}/peer.log" ip netns exec "$(ns n)" socat TCP-LISTEN:9090,fork,reuseaddr SYSTEM:'echo ${SOCAT_PEERADDR}'
  for r in i s; do
    eos_boot "${r}" al2023 single
    eos_user_data "${r}" "${user_data}" || eos_die "the appliance user data failed on ${r}"
  done
  attach i
  nat_via i "attach to the primary"
  detach i
  attach s
  nat_via s "failover to the standby"
  detach s
  attach i
  nat_via i "failback to the primary"
  # Control: without the forwarding rule, forwarded traffic leaves by eth0 and is masqueraded to
  # the instance's own address: the internet no longer sees the Elastic IP.
  on_host i sh -c 'while ip -4 rule del lookup 4242; do :; done' 2>/dev/null || true
  in_ns i ip route flush cache
  got="$(tcp q "${EOS_INET_CLIENT}" 9090)"
  [ "${got}" != "${FLOAT_EIP}" ] || eos_die "control: the internet still sees ${FLOAT_EIP} without the forwarding rule"
  eos_log "  ok   control: without the forwarding rule the internet sees '${got}', not ${FLOAT_EIP}"
  echo "RESULT appliance ok"
}

case "${scenario}" in
  appliance) appliance "$@" ;;
  floating) floating "$@" ;;
  floating-bare) floating_bare "$@" ;;
  floating-late-metadata) floating_late_metadata "$@" ;;
  dual-homed-half-run) dual_homed_half_run "$@" ;;
  dual-homed) dual_homed "$@" ;;
  dual-homed-race) dual_homed_race "$@" ;;
  *) eos_die "unknown scenario ${scenario}" ;;
esac
