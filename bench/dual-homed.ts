import { App, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DualHomedInstance, DualHomedOs } from '../src';
import { renderUserDataCommands } from '../src/private/dual-homed-user-data';

/**
 * The two ways of building N dual-homed instances that the synthesis benchmark compares: with this
 * library (`DualHomedInstance`), and by hand with aws-cdk-lib L1 resources. Both build the same
 * topology per instance: a public ENI (device 0) with an Elastic IP associated once the internet
 * gateway is attached, a management ENI (device 1), an instance profile for the shared role, and
 * the instance (IMDSv2 required, encrypted gp3 root volume, the dual-homed user data, a Name tag).
 * The VPC, the public and management security groups (with the service and administration rules)
 * and the role are shared by every instance.
 */

/** What every instance of a benchmark stack shares. */
export interface BenchContext {
  readonly vpc: ec2.IVpc;
  readonly publicSubnet: ec2.ISubnet;
  readonly managementSubnet: ec2.ISubnet;
  readonly publicSecurityGroup: ec2.ISecurityGroup;
  readonly managementSecurityGroup: ec2.ISecurityGroup;
  readonly role: iam.IRole;
  readonly managementPeers: ec2.IPeer[];
  readonly servicePorts: ec2.Port[];
  readonly imageId: string;
  readonly instanceType: string;
}

/** Region of the benchmark stack (the machine image is mapped for it). */
const REGION = 'eu-west-1';

/** One dual-homed instance built with the library. */
export function libraryInstance(scope: Construct, id: string, ctx: BenchContext): void {
  new DualHomedInstance(scope, id, {
    vpc: ctx.vpc,
    publicSubnet: { subnets: [ctx.publicSubnet] },
    managementSubnet: { subnets: [ctx.managementSubnet] },
    instanceType: new ec2.InstanceType(ctx.instanceType),
    machineImage: ec2.MachineImage.genericLinux({ [REGION]: ctx.imageId }),
    operatingSystem: DualHomedOs.AMAZON_LINUX_2023,
    managementPeers: ctx.managementPeers,
    servicePorts: ctx.servicePorts,
    publicSecurityGroup: ctx.publicSecurityGroup,
    managementSecurityGroup: ctx.managementSecurityGroup,
    role: ctx.role,
  });
}

/**
 * The user data of an Amazon Linux 2023 instance with the management interface at device 1 and
 * SSH on port 22, rendered once: a hand-written stack would paste the same script.
 */
const USER_DATA = ['#!/bin/bash', ...renderUserDataCommands({ os: 'al2023', managementDeviceIndex: 1, sshPort: 22 })].join('\n');

/**
 * The same dual-homed instance written by hand with L1 resources. The constructs are laid out as
 * the library lays them out, so both templates have the same logical IDs and the same bytes.
 */
export function handWrittenInstance(scope: Construct, id: string, ctx: BenchContext): void {
  const node = new Construct(scope, id);
  const path = node.node.path;
  const publicScope = new Construct(node, 'PublicInterface');
  const publicInterface = new ec2.CfnNetworkInterface(publicScope, 'Resource', {
    subnetId: ctx.publicSubnet.subnetId,
    description: `${path} public interface (device index 0)`,
    groupSet: [ctx.publicSecurityGroup.securityGroupId],
  });
  const eip = new ec2.CfnEIP(publicScope, 'ElasticIp', { domain: 'vpc' });
  eip.node.addDependency(ctx.publicSubnet.internetConnectivityEstablished);
  const association = new ec2.CfnEIPAssociation(publicScope, 'ElasticIpAssociation', {
    allocationId: eip.attrAllocationId,
    networkInterfaceId: publicInterface.ref,
    privateIpAddress: publicInterface.attrPrimaryPrivateIpAddress,
  });
  // An Elastic IP can only be associated once the internet gateway is attached.
  association.node.addDependency(ctx.publicSubnet.internetConnectivityEstablished);
  const managementInterface = new ec2.CfnNetworkInterface(new Construct(node, 'ManagementInterface'), 'Resource', {
    subnetId: ctx.managementSubnet.subnetId,
    description: `${path} management interface (device index 1)`,
    groupSet: [ctx.managementSecurityGroup.securityGroupId],
  });
  const instanceScope = new Construct(node, 'Instance');
  const profile = new iam.CfnInstanceProfile(instanceScope, 'InstanceProfile', { roles: [ctx.role.roleName] });
  const instance = new ec2.CfnInstance(instanceScope, 'Resource', {
    imageId: ctx.imageId,
    instanceType: ctx.instanceType,
    iamInstanceProfile: profile.ref,
    networkInterfaces: [
      { deviceIndex: '0', networkInterfaceId: publicInterface.ref },
      { deviceIndex: '1', networkInterfaceId: managementInterface.ref },
    ],
    metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required' },
    blockDeviceMappings: [{
      deviceName: '/dev/xvda',
      ebs: { deleteOnTermination: true, encrypted: true, volumeSize: 16, volumeType: 'gp3' },
    }],
    disableApiTermination: false,
    monitoring: false,
    userData: Fn.base64(USER_DATA),
    tags: [{ key: 'Name', value: instanceScope.node.path }],
  });
  instance.node.addDependency(ctx.role);
}

/** The builders by name, as the benchmark's child processes receive them. */
export const VARIANTS = {
  'library': libraryInstance,
  'hand-written': handWrittenInstance,
} as const;

export type VariantName = keyof typeof VARIANTS;

/**
 * An app with one stack: a VPC with a public and a management subnet, the shared public and
 * management security groups (service port 443 from anywhere, SSH from the management network),
 * one instance role, and `count` dual-homed instances built by `variant`.
 */
export function buildBenchApp(variant: VariantName, count: number, outdir: string): App {
  const app = new App({
    outdir,
    context: {
      // Measure past CloudFormation's 500-resource limit; the report says how many fit.
      '@aws-cdk/core:stackResourceLimit': 0,
      // What `cdk synth` does unless --debug.
      'aws:cdk:disable-stack-trace': true,
      // Diagnosis only: how much of the time is the creation stack trace of every L1 (both variants).
      ...(process.env.BENCH_NO_CREATION_STACK_TRACES ? { 'aws:cdk:disable-creation-stack-traces': true } : {}),
    },
  });
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: REGION } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: 1,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 },
      { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
    ],
  });
  const publicSecurityGroup = new ec2.SecurityGroup(stack, 'Public', { vpc, description: 'public interfaces: service ports' });
  const managementSecurityGroup = new ec2.SecurityGroup(stack, 'Management', {
    vpc,
    description: 'management interfaces: SSH',
    allowAllOutbound: false,
  });
  const managementPeers = [ec2.Peer.ipv4('10.1.0.0/16')];
  const servicePorts = [ec2.Port.tcp(443)];
  // The shared rules, written once; the library adds the same rules per instance (deduplicated).
  publicSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), servicePorts[0], `service ${servicePorts[0]}`);
  managementSecurityGroup.addIngressRule(managementPeers[0], ec2.Port.tcp(22), `administration ${ec2.Port.tcp(22)}`);
  const ctx: BenchContext = {
    vpc,
    publicSubnet: vpc.publicSubnets[0],
    managementSubnet: vpc.isolatedSubnets[0],
    publicSecurityGroup,
    managementSecurityGroup,
    role: new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
    managementPeers,
    servicePorts,
    imageId: 'ami-0123456789abcdef0',
    instanceType: 't3.small',
  };
  const build = VARIANTS[variant];
  for (let i = 0; i < count; i++) {
    build(stack, `Server${i}`, ctx);
  }
  return app;
}
