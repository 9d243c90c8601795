import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DualHomedFleet, DualHomedInstance } from '../../src';

// Stacks without env (what most tutorials write): Availability Zones are tokens until deployment.

function envLess() {
  const stack = new Stack(new App(), 'EnvLess');
  return { stack, vpc: envLessVpc(stack, 'Vpc') };
}

function envLessVpc(stack: Stack, id: string): ec2.Vpc {
  return new ec2.Vpc(stack, id, {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
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

  // The same zone as a different token object: compared by resolved expression, not token string.
  test.each([
    ['the stack\'s zones', (stack: Stack) => stack.availabilityZones[0]],
    ['Fn.select(0, Fn.getAzs())', () => Fn.select(0, Fn.getAzs())],
    ['a second VPC\'s zones', (stack: Stack) => envLessVpc(stack, 'Other').availabilityZones[0]],
  ])('availabilityZone from %s picks the first zone\'s subnets', (_name, zoneOf) => {
    const { stack, vpc } = envLess();
    new DualHomedInstance(stack, 'Host', { ...common(vpc), availabilityZone: zoneOf(stack) });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::NetworkInterface', {
      Description: Match.stringLikeRegexp('public interface'),
      SubnetId: { Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') },
    });
  });

  test('a token zone that is none of the subnets\' zones is refused with the env fix', () => {
    const { stack, vpc } = envLess();
    const other = new CfnResource(stack, 'Elsewhere', { type: 'AWS::EC2::Subnet' });
    let message = '';
    try {
      new DualHomedInstance(stack, 'Host', { ...common(vpc), availabilityZone: other.getAtt('AvailabilityZone').toString() });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/availabilityZone is unknown at synth .*give the stack an env .*or select subnets explicitly/);
    expect(message).not.toContain('${Token[');
  });

  test('explicit subnets with a zone that cannot be compared (a GetAtt) give a warning, not an error', () => {
    const { stack, vpc } = envLess();
    const other = new CfnResource(stack, 'Elsewhere', { type: 'AWS::EC2::Subnet' });
    new DualHomedInstance(stack, 'Host', {
      ...common(vpc),
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      availabilityZone: other.getAtt('AvailabilityZone').toString(),
    });
    Annotations.fromStack(stack).hasWarning('/EnvLess/Host', Match.stringLikeRegexp('availabilityZone is unknown at synth and cannot be compared.*give the stack an env'));
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

  test('pairs the zones of subnets chosen from the VPC with zones given as other token objects', () => {
    const { stack, vpc } = envLess();
    const fleet = new DualHomedFleet(stack, 'Web', { ...common(vpc), availabilityZones: [Fn.select(1, Fn.getAzs()), stack.availabilityZones[0]] });
    expect(fleet.instances.map((i) => i.node.id)).toEqual(['InstanceAz2', 'InstanceAz1']);
  });

  test('zones of the public and management selections pair up across token objects (explicit subnets of two VPCs)', () => {
    const { stack, vpc } = envLess();
    const other = envLessVpc(stack, 'Other');
    const fleet = new DualHomedFleet(stack, 'Web', {
      ...common(vpc),
      publicSubnet: { subnets: [other.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      vpc,
    });
    expect(fleet.instances.map((i) => i.node.id)).toEqual(['InstanceAz1']);
  });
});
