/**
 * The user data the constructs render, extracted from synthesized templates, for the OS harness:
 * the harness runs exactly what CloudFormation would hand to the instance, with references to
 * other resources replaced by fixed example ids.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ApplianceRole, DualHomedInstance, DualHomedOs, EniFailover, NetworkInterface, RoutingAppliance } from '../../src';
import { testApp, testStack, testVpc } from '../util';

/** The OS flavours the library configures, by harness name. */
export const FLAVOURS: Record<string, DualHomedOs> = {
  'al2023': DualHomedOs.AMAZON_LINUX_2023,
  'ubuntu-22.04': DualHomedOs.UBUNTU_22_04,
  'ubuntu-24.04': DualHomedOs.UBUNTU_24_04,
};

/**
 * Resolves the intrinsic functions a user-data string can hold: Fn::Base64, Fn::Join, and Ref /
 * Fn::GetAtt to resources, which become the ids in `refs` (by logical id, then by resource type).
 */
export function resolveIntrinsics(value: unknown, template: Record<string, any>, refs: Record<string, string>): string {
  if (typeof value === 'string') {
    return value;
  }
  const v = value as Record<string, any>;
  if ('Fn::Base64' in v) {
    return resolveIntrinsics(v['Fn::Base64'], template, refs);
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveIntrinsics(p, template, refs)).join(sep);
  }
  const logicalId: string | undefined = v.Ref ?? (Array.isArray(v['Fn::GetAtt']) ? v['Fn::GetAtt'][0] : undefined);
  if (logicalId !== undefined) {
    const type = template.Resources?.[logicalId]?.Type as string | undefined;
    const id = refs[logicalId] ?? (type ? refs[type] : undefined);
    if (id === undefined) {
      throw new Error(`user data refers to ${logicalId} (${type ?? 'not a resource'}): give it an id in refs`);
    }
    return id;
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in user data`);
}

/** The user data of every AWS::EC2::Instance and launch template in a stack, by logical id. */
export function userDataOf(stack: Stack, refs: Record<string, string> = {}): Record<string, string> {
  const template = Template.fromStack(stack).toJSON();
  const out: Record<string, string> = {};
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    const userData = resource.Type === 'AWS::EC2::Instance'
      ? resource.Properties?.UserData
      : resource.Type === 'AWS::EC2::LaunchTemplate' ? resource.Properties?.LaunchTemplateData?.UserData : undefined;
    if (userData !== undefined) {
      out[id] = resolveIntrinsics(userData, template, refs);
    }
  }
  return out;
}

/**
 * The user data of a `DualHomedInstance` of the given flavour (and `sshPort`, default 22), as
 * CloudFormation passes it on.
 */
export function dualHomedUserData(flavour: string, sshPort?: number): string {
  const os = FLAVOURS[flavour];
  if (os === undefined) {
    throw new Error(`unknown flavour ${flavour}: use one of ${Object.keys(FLAVOURS).join(', ')}`);
  }
  const stack = testStack(testApp());
  const vpc = testVpc(stack);
  new DualHomedInstance(stack, 'Host', {
    vpc,
    publicSubnet: { subnets: [vpc.publicSubnets[0]] },
    managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    operatingSystem: os,
    managementPeers: [ec2.Peer.ipv4('10.8.0.0/24')],
    sshPort,
  });
  const all = Object.values(userDataOf(stack));
  if (all.length !== 1) {
    throw new Error(`expected one instance with user data, found ${all.length}`);
  }
  return all[0];
}

/** The id the harness gives the floating interface (the `Ref` of the ENI in the candidates' user data). */
export const FLOATING_ENI_ID = 'eni-0f10a7000000000001';

/**
 * The user data of the two candidates of an `EniFailover` whose `candidateOperatingSystem` is the
 * flavour (plain `ec2.Instance`s with no user data of their own): what the harness runs on the
 * primary and the standby before the floating interface is attached to them.
 */
export function failoverCandidateUserData(flavour: string): string {
  const os = FLAVOURS[flavour];
  if (os === undefined) {
    throw new Error(`unknown flavour ${flavour}: use one of ${Object.keys(FLAVOURS).join(', ')}`);
  }
  const stack = testStack(testApp());
  const vpc = testVpc(stack);
  const candidate = (id: string) => new ec2.Instance(stack, id, {
    vpc,
    vpcSubnets: { subnets: [vpc.publicSubnets[0]] },
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    requireImdsv2: true,
  });
  const failover = new EniFailover(stack, 'Failover', {
    primary: candidate('Primary'),
    standby: candidate('Standby'),
    vpc,
    vpcSubnets: { subnets: [vpc.publicSubnets[0]] },
    candidateOperatingSystem: os,
  });
  const eniLogicalId = stack.getLogicalId((failover.networkInterface as NetworkInterface).node.defaultChild as ec2.CfnNetworkInterface);
  const all = userDataOf(stack, { [eniLogicalId]: FLOATING_ENI_ID });
  const texts = Object.values(all);
  if (texts.length !== 2 || texts[0] !== texts[1]) {
    throw new Error(`expected the same user data on both candidates, found ${texts.length} different ones`);
  }
  return texts[0];
}

/**
 * The user data of a NAT `RoutingAppliance` with a standby (Amazon Linux 2023), the same on both
 * instances, with the forwarding interface's id set to FLOATING_ENI_ID.
 */
export function natApplianceUserData(): string {
  const stack = testStack(testApp());
  const vpc = testVpc(stack);
  const appliance = new RoutingAppliance(stack, 'Nat', {
    vpc,
    role: ApplianceRole.nat(),
    routedSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    standby: true,
  });
  const eniLogicalId = stack.getLogicalId((appliance.networkInterface as NetworkInterface).node.defaultChild as ec2.CfnNetworkInterface);
  const texts = [...new Set(Object.values(userDataOf(stack, { [eniLogicalId]: FLOATING_ENI_ID })))];
  if (texts.length !== 1) {
    throw new Error(`expected the same user data on the primary and the standby, found ${texts.length} different ones`);
  }
  return texts[0];
}
