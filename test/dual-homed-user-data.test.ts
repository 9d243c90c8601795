import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  DualHomedOsFlavour,
  managementRouteTable,
  NETPLAN_PATH,
  renderSetupScript,
  renderUserDataCommands,
  SETUP_SCRIPT_PATH,
  SSHD_DROP_IN_PATH,
  SSHD_GUARD_PATH,
} from '../src/private/dual-homed-user-data';

const ALL: DualHomedOsFlavour[] = ['al2023', 'ubuntu-22.04', 'ubuntu-24.04'];
const UBUNTU: DualHomedOsFlavour[] = ['ubuntu-22.04', 'ubuntu-24.04'];

function script(os: DualHomedOsFlavour, sshPort = 22): string {
  return renderSetupScript({ os, managementDeviceIndex: 1, sshPort });
}

/** shellcheck's findings for a bash script ('' when there are none). */
function shellcheck(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dual-homed-sh-')), 'script.sh');
  writeFileSync(file, text);
  try {
    return execFileSync('/usr/bin/shellcheck', ['-s', 'bash', file], { encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; message: string };
    return err.stdout || err.message;
  }
}

describe('dual-homed setup script: every distribution', () => {
  test.each(ALL)('%s: passes shellcheck', (os) => {
    expect(shellcheck(script(os))).toBe('');
    expect(shellcheck(script(os, 2222))).toBe('');
  });

  test.each(ALL)('%s: the user data that installs and runs the script passes shellcheck', (os) => {
    const userData = ['#!/bin/bash', ...renderUserDataCommands({ os, managementDeviceIndex: 1, sshPort: 22 })].join('\n');
    expect(shellcheck(userData)).toBe('');
  });

  test('shellcheck reports a finding when there is one (the check can fail)', () => {
    expect(shellcheck('#!/bin/bash\necho $1\n')).toContain('SC2086');
  });

  test.each(ALL)('%s: a strict bash script that reads IMDS with a session token, never IMDSv1', (os) => {
    const text = script(os);
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
    expect(text).toContain('set -euo pipefail');
    expect(text).toContain('-X PUT');
    expect(text).toContain('X-aws-ec2-metadata-token-ttl-seconds');
    expect(text).toContain('-H "X-aws-ec2-metadata-token: ${IMDS_TOKEN}"');
    // Every metadata read goes through the token-carrying helper.
    const rawReads = text.split('\n').filter((l) => l.includes('meta-data/') && !l.startsWith('imds()'));
    expect(rawReads).toEqual([]);
  });

  test.each(ALL)('%s: finds the management interface by device number and MAC at boot, nothing baked in at synth', (os) => {
    const text = script(os);
    expect(text).toContain('readonly MGMT_DEVICE_INDEX=1');
    expect(text).toContain('network/interfaces/macs/${mac}/device-number');
    expect(text).toContain('network/interfaces/macs/${MGMT_MAC}/local-ipv4s');
    expect(text).toContain('/sys/class/net/*');
    expect(text).not.toMatch(/\b10\.\d+\.\d+\.\d+\b/);
    expect(text).not.toContain('${Token');
  });

  test.each(ALL)('%s: sshd listens on the management address only, verified before and after the restart', (os) => {
    const text = script(os, 2222);
    expect(text).toContain(`readonly SSHD_DROP_IN=${SSHD_DROP_IN_PATH}`);
    expect(text).toContain('\\nPort %s\\nListenAddress %s\' "${SSH_PORT}" "${address}"');
    expect(text).toContain('readonly SSH_PORT=2222');
    expect(text).toContain('/usr/sbin/sshd -t');
    expect(text).toContain('/usr/sbin/sshd -T');
    expect(text).toContain('[ "${listen}" = "${address}:${SSH_PORT}" ]');
    expect(text).toContain('ss -ltnH "sport = :${SSH_PORT}"');
    expect(text).toContain('[ "${bound}" = "${address}:${SSH_PORT}" ] && return 0');
    expect(text).toContain('bind_sshd "${MGMT_IP}"');
    // The drop-in directory is included even when an image's sshd_config lacks the Include line.
    expect(text).toContain('sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config');
  });

  test.each(ALL)('%s: sshd starts after the network is online and restarts on failure', (os) => {
    const text = script(os);
    expect(text).toContain('/etc/systemd/system/${SSH_UNIT}.service.d/10-dual-homed.conf');
    expect(text).toContain('After=network-online.target');
    expect(text).toContain('Restart=on-failure');
    expect(text).toContain('systemctl restart "${SSH_UNIT}.service"');
  });

  // Found by the OS harness (test/os): the script used to bind sshd only at its very end, so a run
  // that failed or was killed before left sshd on every address.
  test.each(ALL)('%s: restricts sshd to the loopback address before anything that can fail, and stops it when a run fails', (os) => {
    const text = script(os);
    const restrict = text.indexOf('  bind_sshd 127.0.0.1');
    expect(restrict).toBeGreaterThan(0);
    expect(restrict).toBeLessThan(text.indexOf('IMDS_TOKEN='));
    expect(text.indexOf('trap on_exit EXIT')).toBeLessThan(restrict);
    // The socket first, or it could start the service again; separately, as an image may have no socket unit.
    expect(text).toContain('    systemctl stop "${SSH_UNIT}.socket" 2>/dev/null || true\n    systemctl stop "${SSH_UNIT}.service" || true');
    expect(text).toContain('"127.0.0.1:${SSH_PORT}" | "${MGMT_IP:-none}:${SSH_PORT}") ;;');
  });

  // Found in review: with another sshPort the failure check looked at that port only, and left the
  // image's sshd on every address of port 22.
  test.each(ALL)('%s: a failed run checks every socket sshd listens on, whatever its port', (os) => {
    const text = script(os, 2222);
    const onExit = text.slice(text.indexOf('on_exit() {'), text.indexOf('trap on_exit EXIT'));
    expect(onExit).toContain('for address in $(sshd_socket');
    expect(onExit).not.toContain('sshd_bound');
    expect(text).toContain('sshd_sockets() { ss -ltnpH | awk \'/users:\\(\\("sshd"/ { print $4 }\' | sort -u; }');
  });

  // Found in review: after a failed run the next boot started sshd with the image's ListenAddress
  // and the drop-in's together.
  test.each(ALL)('%s: an ExecStartPre= guard, installed before anything else can fail, keeps sshd from starting on other addresses at any later boot', (os) => {
    const text = script(os);
    expect(text).toContain(`GUARD=${SSHD_GUARD_PATH}`);
    expect(text).toContain('[Service]\\nExecStartPre=%s\\nRestart=on-failure');
    const guardAt = text.indexOf('mv -f "${GUARD}.new" "${GUARD}"');
    expect(guardAt).toBeGreaterThan(0);
    for (const later of ['install -d -m 0755 /etc/ssh/sshd_config.d', 'systemctl enable', '  bind_sshd 127.0.0.1', 'IMDS_TOKEN=']) {
      expect(guardAt).toBeLessThan(text.indexOf(later));
    }
    const guard = text.slice(text.indexOf("SSHD_GUARD_EOF'\n") + "SSHD_GUARD_EOF'\n".length, text.indexOf('\nSSHD_GUARD_EOF\n'));
    expect(guard.startsWith('#!/bin/bash\n')).toBe(true);
    expect(guard).toContain('config="$(/usr/sbin/sshd -T 2>&1)"');
    expect(guard).toContain('127.0.0.1 | "[::1]") continue ;;');
    expect(shellcheck(guard)).toBe('');
  });

  // Found by the OS harness: under `set -o pipefail`, `cmd | grep -q` or `cmd | head` fails with
  // status 141 whenever the reader exits before the writer finished (timing-dependent).
  test.each(ALL)('%s: no pipeline ends in a reader that stops reading early', (os) => {
    const text = script(os);
    expect(text).not.toMatch(/\|\s*(grep\s+-[a-zA-Z]*q|head\b)/);
  });

  // Found by the OS harness: the rule appears when systemd-networkd configures the interface, the
  // table's default route only after DHCP answered; the script used to check the route once, right
  // after seeing the rule, and failed whenever DHCP was slower (the Amazon Linux 2023 failures).
  test.each(ALL)('%s: waits for the rule, the address and the default route together', (os) => {
    const text = script(os);
    expect(text).toContain('policy_routing_ready() {');
    expect(text).toContain('[[ "${addresses}" == *" ${MGMT_IP}/"* ]] || return 1');
    expect(text).toContain('[[ $\'\\n\'"${routes}" == *$\'\\n\'"default "* ]]');
    expect(text).not.toContain('wait_for_policy_rule');
  });

  test('the management routing table follows the amazon-ec2-net-utils numbering (10000 + device number)', () => {
    expect(managementRouteTable(1)).toBe(10001);
    expect(managementRouteTable(2)).toBe(10002);
    expect(script('al2023')).toContain('readonly MGMT_TABLE=10001');
  });
});

describe('dual-homed setup script: Amazon Linux 2023', () => {
  const text = script('al2023');

  test('verifies amazon-ec2-net-utils and systemd-networkd and relies on their policy routing', () => {
    expect(text).toContain('rpm -q amazon-ec2-net-utils');
    expect(text).toContain('systemctl is-active --quiet systemd-networkd');
    expect(text).toContain('wait_for_policy_routing "${MGMT_TABLE}" 60');
    expect(text).toContain('systemctl restart "policy-routes@${MGMT_IF}.service"');
  });

  test('writes no network configuration of its own and uses sshd.service', () => {
    expect(text).not.toContain('netplan');
    expect(text).not.toContain('/etc/systemd/network');
    expect(text).toContain('readonly SSH_UNIT=sshd');
    expect(text).not.toContain('ssh.socket');
  });
});

describe.each(UBUNTU)('dual-homed setup script: %s', (os) => {
  const text = script(os);

  test('relies on the policy routing cloud-init rendered when there is one', () => {
    expect(text).toContain('if has_policy_rule; then');
    expect(text).toContain('exists already (cloud-init): relying on it');
  });

  test('otherwise writes netplan: the management interface matched by MAC, its own table, a rule from its address', () => {
    expect(text).toContain(`cat > ${NETPLAN_PATH} <<EOF`);
    expect(text).toContain('      match:\n        macaddress: "${MGMT_MAC}"');
    expect(text).toContain('        - to: 0.0.0.0/0\n          via: ${MGMT_GW}\n          table: ${MGMT_TABLE}');
    expect(text).toContain('        - to: ${MGMT_CIDR}\n          scope: link\n          table: ${MGMT_TABLE}');
    expect(text).toContain('      routing-policy:\n        - from: ${MGMT_IP}\n          table: ${MGMT_TABLE}\n          priority: ${MGMT_TABLE}');
    // The main table keeps preferring the public interface's default route.
    expect(text).toContain('route-metric: 200');
    expect(text).toContain(`chmod 0600 ${NETPLAN_PATH}`);
    expect(text).toContain('netplan generate\n  netplan apply');
    // Found by the OS harness: netplan apply restarts DHCP on the public interface too.
    expect(text).toContain('[ -z "$(comm -23 <(echo "${BEFORE}") <(echo "${AFTER}"))" ] && break');
  });

  test('the gateway is the subnet router: the network address plus one', () => {
    expect(text).toContain('MGMT_GW="${o1}.${o2}.${o3}.$((o4 + 1))"');
  });

  test('moves sshd off socket activation so binding the management address cannot fail at boot', () => {
    expect(text).toContain('readonly SSH_UNIT=ssh');
    expect(text).toContain('systemctl disable --now ssh.socket');
    expect(text).toContain('rm -f /etc/systemd/system/ssh.service.d/00-socket.conf /etc/systemd/system/ssh.socket.d/addresses.conf');
    expect(text).toContain('install -d -m 0755 /run/sshd');
    expect(text.indexOf('systemctl disable --now ssh.socket')).toBeLessThan(text.indexOf('  bind_sshd 127.0.0.1'));
  });
});

describe('dual-homed user data commands', () => {
  const commands = renderUserDataCommands({ os: 'ubuntu-24.04', managementDeviceIndex: 1, sshPort: 22 });

  test('install the script verbatim through a quoted heredoc and stop the user data when it fails', () => {
    expect(commands).toContain(`cat > ${SETUP_SCRIPT_PATH} <<'DUAL_HOMED_SETUP_EOF'`);
    expect(commands).toContain(script('ubuntu-24.04'));
    expect(commands).toContain(`if ! ${SETUP_SCRIPT_PATH}; then`);
    expect(commands).toContain('  exit 1');
    const start = commands.indexOf(`cat > ${SETUP_SCRIPT_PATH} <<'DUAL_HOMED_SETUP_EOF'`);
    expect(commands[start + 2]).toBe('DUAL_HOMED_SETUP_EOF');
  });
});

describe('dual-homed user data commands for a fleet', () => {
  test('every call returns a list of its own, so changing one never changes the next', () => {
    const options = { os: 'al2023', managementDeviceIndex: 1, sshPort: 2222 } as const;
    const first = renderUserDataCommands(options);
    const expected = [...first];
    first.push('echo changed');
    first[0] = '# changed';
    expect(renderUserDataCommands(options)).toEqual(expected);
  });

  test('the commands follow the options of each call', () => {
    const al2023 = renderUserDataCommands({ os: 'al2023', managementDeviceIndex: 1, sshPort: 22 });
    expect(renderUserDataCommands({ os: 'al2023', managementDeviceIndex: 1, sshPort: 2222 })).not.toEqual(al2023);
    expect(renderUserDataCommands({ os: 'al2023', managementDeviceIndex: 2, sshPort: 22 })).not.toEqual(al2023);
    expect(renderUserDataCommands({ os: 'ubuntu-22.04', managementDeviceIndex: 1, sshPort: 22 })).not.toEqual(al2023);
    expect(renderUserDataCommands({ os: 'al2023', managementDeviceIndex: 1, sshPort: 22 })).toEqual(al2023);
  });
});

describe('dual-homed setup script: bad input', () => {
  test.each([0, -1, 1.5])('management device index %p is refused', (index) => {
    expect(() => renderSetupScript({ os: 'al2023', managementDeviceIndex: index, sshPort: 22 }))
      .toThrow(`managementDeviceIndex ${index} is not allowed: the management interface is a secondary interface (index 1 or more)`);
  });

  test.each([0, 65536, 22.5])('ssh port %p is refused', (port) => {
    expect(() => renderSetupScript({ os: 'al2023', managementDeviceIndex: 1, sshPort: port }))
      .toThrow(`sshPort ${port} is not a TCP port: use an integer from 1 to 65535`);
  });
});
