#!/bin/bash
# Entry point of the OS harness. Needs root; every namespace is named eos<id>*, and everything it
# starts is ended on exit (also on failure).
#
#   run.sh dual-homed <flavour> <user-data file> [runs]
#       Boots a dual-homed instance of the flavour <runs> times (default 1), runs the user data on
#       each and checks it; on the first boot also runs the user data a second time (nothing may
#       change) and removes the management policy rule (the reply-path check must then fail).
#   run.sh dual-homed-race <flavour> <user-data file>
#       As above, once, with the management subnet's DHCP answer delayed by 4 seconds: the policy
#       rule exists before its table has a default route, the window in which the Amazon Linux
#       2023 setup used to fail. Also reports what sshd listens on when the user data fails.
#   run.sh dual-homed-half-run <flavour> <user-data file>
#       Two runs that do not finish: one killed (SIGKILL) while it waits for the management
#       interface, one that fails because the image's sshd_config has its own ListenAddress. After
#       either, sshd must not answer on any address but the loopback.
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
  local flavour="$1" user_data="$2" runs="${3:-1}" run rc before after
  for run in $(seq 1 "${runs}"); do
    eos_log "${flavour}: boot ${run}/${runs}"
    eos_boot i "${flavour}"
    rc=0; eos_user_data i "${user_data}" || rc=$?
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

# Nothing but the loopback address may be bound on port 22, and neither client gets SSH.
ssh_closed() {
  local what="$1" listen failed=0
  listen="$(in_ns i ss -ltnH 'sport = :22' | awk '{print $4}' | sort -u | tr '\n' ' ')"
  case "${listen}" in ""|"127.0.0.1:22 ") eos_log "  ok   ${what}: sshd listens on '${listen}'" ;; *) eos_log "  FAIL ${what}: sshd listens on ${listen}"; failed=1 ;; esac
  [ -z "$(tcp n "${EOS_ETH0_EIP}" 22)" ] || { eos_log "  FAIL ${what}: SSH answers on the Elastic IP"; failed=1; }
  [ -z "$(tcp a "${EOS_ETH1_IP}" 22)" ] || { eos_log "  FAIL ${what}: SSH answers on the management address"; failed=1; }
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
  [ "${rc}" -eq 0 ] || eos_die "${flavour}: a run that did not finish left SSH open"
}

case "${scenario}" in
  dual-homed-half-run) dual_homed_half_run "$@" ;;
  dual-homed) dual_homed "$@" ;;
  dual-homed-race) dual_homed_race "$@" ;;
  *) eos_die "unknown scenario ${scenario}" ;;
esac
