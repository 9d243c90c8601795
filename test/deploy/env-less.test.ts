import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DualHomedFleet, DualHomedInstance } from '../../src';

// Stacks without env (what most tutorials write): Availability Zones are tokens until deployment.

function envLess() {
  const stack = new Stack(new App(), 'EnvLess');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  return { stack, vpc };
}

const common = (vpc: ec2.IVpc) => ({
  vpc,
  publicSubnet: { subnetType: ec2.SubnetType.PUBLIC },
  managementSubnet: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  instanceType: new ec2.InstanceType('t3.micro'),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  managementPeers: [ec2.Peer.ipv4('10.0.128.0/20')],
});

describe('DualHomedInstance without env', () => {
  test('availabilityZone: vpc.availabilityZones[1] picks the second zone\'s subnets', () => {
    const { stack, vpc } = envLess();
    new DualHomedInstance(stack, 'Host', { ...common(vpc), availabilityZone: vpc.availabilityZones[1] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::NetworkInterface', {
      Description: Match.stringLikeRegexp('public interface'),
      SubnetId: { Ref: Match.stringLikeRegexp('^VpcPublicSubnet2') },
    });
    template.hasResourceProperties('AWS::EC2::NetworkInterface', {
      Description: Match.stringLikeRegexp('management interface'),
      SubnetId: { Ref: Match.stringLikeRegexp('^VpcManagementSubnet2') },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('dual-homed-az-unknown'));
  });

  test('selections that span zones without availabilityZone are refused with the fix and no token', () => {
    const { stack, vpc } = envLess();
    let message = '';
    try {
      new DualHomedInstance(stack, 'Host', common(vpc));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/give the stack an env .*or select subnets explicitly/);
    expect(message).not.toContain('${Token[');
  });

  test('subnets of different zones that are unknown at synth give a warning, not an error', () => {
    const { stack, vpc } = envLess();
    new DualHomedInstance(stack, 'Host', {
      ...common(vpc),
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[1]] },
    });
    Annotations.fromStack(stack).hasWarning('/EnvLess/Host', Match.stringLikeRegexp('cannot be checked.*give the stack an env'));
  });
});

describe('DualHomedFleet without env', () => {
  test('places one instance per zone, both interfaces of each in that zone', () => {
    const { stack, vpc } = envLess();
    const fleet = new DualHomedFleet(stack, 'Web', common(vpc));
    expect(fleet.instances.map((i) => i.node.id)).toEqual(['InstanceAz1', 'InstanceAz2']);
    const template = Template.fromStack(stack);
    for (const n of [1, 2]) {
      template.hasResourceProperties('AWS::EC2::NetworkInterface', {
        Description: Match.stringLikeRegexp(`InstanceAz${n} public`),
        SubnetId: { Ref: Match.stringLikeRegexp(`^VpcPublicSubnet${n}`) },
      });
      template.hasResourceProperties('AWS::EC2::NetworkInterface', {
        Description: Match.stringLikeRegexp(`InstanceAz${n} management`),
        SubnetId: { Ref: Match.stringLikeRegexp(`^VpcManagementSubnet${n}`) },
      });
    }
  });
});
