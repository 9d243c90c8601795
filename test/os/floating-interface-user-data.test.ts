import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { failoverCandidateUserData, FLOATING_ENI_ID, userDataOf } from './rendered-user-data';
import { DualHomedOs, SelfHealingInstance } from '../../src';
import { EniFailover } from '../../src/failover/eni-failover';
import { DualHomedOsFlavour } from '../../src/private/dual-homed-user-data';
import {
  FLOATING_ENI_DIR,
  FLOATING_HANDLER_PATH,
  FLOATING_UDEV_RULE_PATH,
  FLOATING_UNIT_PATH,
  renderFloatingInterfaceCommands,
} from '../../src/private/floating-interface-user-data';
import { importedInstance, testApp, testInstance, testStack, testVpc } from '../util';

const UBUNTU: DualHomedOsFlavour[] = ['ubuntu-22.04', 'ubuntu-24.04'];

/** shellcheck's findings for a bash script ('' when there are none). */
function shellcheck(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'floating-sh-')), 'script.sh');
  writeFileSync(file, text);
  try {
    return execFileSync('shellcheck', ['-s', 'bash', file], { encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; message: string };
    return err.stdout || err.message;
  }
}

/** The handler script inside the rendered commands (the body of its heredoc). */
function handlerOf(commands: string[]): string {
  const start = commands.indexOf(`cat > ${FLOATING_HANDLER_PATH} <<'CDK_ENI_FLOATING_EOF'`);
  const end = commands.indexOf('CDK_ENI_FLOATING_EOF', start);
  return commands.slice(start + 1, end).join('\n');
}

describe('floating-interface configuration: Amazon Linux 2023', () => {
  test('relies on amazon-ec2-net-utils, which configures hot-attached interfaces, and stops the user data without it', () => {
    const commands = renderFloatingInterfaceCommands({ os: 'al2023', networkInterfaceId: 'eni-0123' });
    expect(commands.join('\n')).toContain('rpm -q amazon-ec2-net-utils >/dev/null || {');
    expect(commands.join('\n')).toContain('exit 1; }');
    expect(commands.join('\n')).not.toContain('udev');
  });
});

describe.each(UBUNTU)('floating-interface configuration: %s', (os) => {
  const commands = renderFloatingInterfaceCommands({ os, networkInterfaceId: 'eni-0123456789abcdef0' });
  const handler = handlerOf(commands);

  test('the commands and the handler pass shellcheck', () => {
    expect(shellcheck(['#!/bin/bash', ...commands].join('\n'))).toBe('');
    expect(shellcheck(handler)).toBe('');
  });

  test('udev starts the unit when an interface appears and stops it when it goes away', () => {
    expect(commands).toContain(`cat > ${FLOATING_UDEV_RULE_PATH} <<'CDK_ENI_FLOATING_EOF'`);
    expect(commands).toContain('SUBSYSTEM=="net", ACTION=="add", KERNEL!="lo", ENV{ID_NET_DRIVER}=="ena|ixgbevf|vif", RUN+="/usr/bin/systemctl --no-block start cdk-eni-floating@$name.service"');
    expect(commands).toContain('SUBSYSTEM=="net", ACTION=="remove", KERNEL!="lo", RUN+="/usr/bin/systemctl --no-block stop cdk-eni-floating@$name.service"');
    expect(commands).toContain(`cat > ${FLOATING_UNIT_PATH} <<'CDK_ENI_FLOATING_EOF'`);
    expect(commands).toContain(`ExecStart=${FLOATING_HANDLER_PATH} add %I`);
    expect(commands).toContain(`ExecStop=${FLOATING_HANDLER_PATH} remove %I`);
    expect(commands).toContain('RemainAfterExit=yes');
  });

  test('configures an EC2 interface attached before the user data ran', () => {
    expect(commands).toContain('  case "${driver##*/}" in ena | ixgbevf | vif) systemctl --no-block start "cdk-eni-floating@${dev##*/}.service" ;; esac');
  });

  test('after a reboot the unit waits for the network, retries every error of the metadata service, and is restarted while metadata does not list the interface', () => {
    expect(commands).toContain('Wants=network-online.target');
    expect(commands).toContain('After=network-online.target systemd-networkd.service');
    expect(commands).toContain('Restart=on-failure');
    expect(handler).toContain('--retry-all-errors');
    expect(handler).toMatch(/if \[ -z "\$\{eni\}" \]; then\n.*\n.*\n  exit 1\nfi/);
  });

  test('the main table gets no subnet route through the floating interface (eth0 keeps its subnet)', () => {
    expect(handler).toContain("printf '[Address]\\nAddress=%s/%s\\nAddPrefixRoute=no\\n'");
    expect(handler).not.toMatch(/^\s*for address in \$\{addresses\}; do printf 'Address=/m);
  });

  test('acts on the floating interfaces only, found by their ids in IMDSv2 and the id directory, waiting for metadata to list them', () => {
    expect(commands).toContain(`touch ${FLOATING_ENI_DIR}/eni-0123456789abcdef0`);
    expect(handler).toContain(`readonly ENI_DIR=${FLOATING_ENI_DIR}`);
    expect(handler).not.toContain('eni-0123456789abcdef0');
    expect(handler).toContain('-X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300"');
    expect(handler).toContain('if eni="$(imds "${mac}/interface-id" 2>/dev/null)"; then break; fi');
    expect(handler).toContain('if [ ! -e "${ENI_DIR}/${eni}" ]; then');
  });

  test('two floating interfaces on one instance share one handler and each registers its id', () => {
    const other = renderFloatingInterfaceCommands({ os, networkInterfaceId: 'eni-0fedcba9876543210' });
    expect(handlerOf(other)).toBe(handler);
    const both = [...commands, ...other].join('\n');
    expect(both).toContain(`touch ${FLOATING_ENI_DIR}/eni-0123456789abcdef0`);
    expect(both).toContain(`touch ${FLOATING_ENI_DIR}/eni-0fedcba9876543210`);
  });

  test('writes a systemd-networkd unit that wins over netplan\'s and routes replies from each address through the interface', () => {
    expect(handler).toContain('unit="${UNIT_DIR}/05-cdk-eni-floating-${iface}.network"');
    expect(handler).toContain('table=$((10000 + device))');
    expect(handler).toContain("printf '[Route]\\nGateway=%s\\nGatewayOnLink=yes\\nTable=%s\\n'");
    expect(handler).toContain("printf '[RoutingPolicyRule]\\nFrom=%s\\nTable=%s\\nPriority=%s\\n'");
    expect(handler).toContain('networkctl reload');
  });

  test('removes its unit, rules and routes on detach', () => {
    expect(handler).toContain('rm -f "${unit}" "${STATE_DIR}/${iface}"');
    expect(handler).toContain('while ip -4 rule del priority "${table}" 2>/dev/null; do :; done');
    expect(handler).toContain('ip -4 route flush table "${table}"');
  });
});

describe('EniFailover candidateOperatingSystem', () => {
  test('adds the configuration for the floating interface to both candidates\' user data', () => {
    const text = failoverCandidateUserData('ubuntu-24.04');
    expect(text).toContain(`touch ${FLOATING_ENI_DIR}/${FLOATING_ENI_ID}`);
    expect(text).toContain(`cat > ${FLOATING_UDEV_RULE_PATH}`);
  });

  test('adds nothing when unset', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const primary = testInstance(stack, 'Primary', vpc, vpc.publicSubnets[0]);
    const standby = testInstance(stack, 'Standby', vpc, vpc.publicSubnets[0]);
    new EniFailover(stack, 'Failover', { primary, standby, vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] } });
    for (const text of Object.values(userDataOf(stack))) {
      expect(text).not.toContain('cdk-eni-floating');
      expect(text).not.toContain('amazon-ec2-net-utils');
    }
  });

  test('an imported candidate cannot carry it: the error names the property', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    expect(() => new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0cccccccccccccccc', 'dummy1a'),
      standby: importedInstance(stack, 'i-0dddddddddddddddd', 'dummy1a'),
      vpc,
      vpcSubnets: { subnets: [vpc.publicSubnets[0]] },
      candidateOperatingSystem: DualHomedOs.UBUNTU_22_04,
    })).toThrow(/candidateOperatingSystem is UBUNTU_22_04 but the primary .* carries no user data the construct can extend \(an imported instance\): leave candidateOperatingSystem unset/);
  });
});

describe('SelfHealingInstance operatingSystem', () => {
  function launchTemplateUserData(props: { userData?: ec2.UserData; operatingSystem?: DualHomedOs }): string | undefined {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    new SelfHealingInstance(stack, 'Web', {
      vpc,
      vpcSubnets: { subnets: [vpc.publicSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      ...props,
    });
    const texts = Object.values(userDataOf(stack, { 'AWS::EC2::NetworkInterface': FLOATING_ENI_ID }));
    return texts[0];
  }

  test('creates user data with the configuration for the static interface', () => {
    const text = launchTemplateUserData({ operatingSystem: DualHomedOs.UBUNTU_24_04 });
    expect(text).toContain(`touch ${FLOATING_ENI_DIR}/${FLOATING_ENI_ID}`);
  });

  test('appends it to the user data given', () => {
    const userData = ec2.UserData.forLinux();
    userData.addCommands('echo mine');
    const text = launchTemplateUserData({ userData, operatingSystem: DualHomedOs.AMAZON_LINUX_2023 })!;
    expect(text.indexOf('echo mine')).toBeLessThan(text.indexOf('rpm -q amazon-ec2-net-utils'));
  });

  test('leaves the user data alone when unset', () => {
    expect(launchTemplateUserData({})).toBeUndefined();
  });
});
