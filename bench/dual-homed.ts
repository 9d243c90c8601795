import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { NetworkInterface } from '../src';

/**
 * The two ways of building N dual-homed instances that the synthesis benchmark compares: with this
 * library, and by hand with aws-cdk-lib L1 resources. Both build the same topology per instance:
 * a public ENI with an Elastic IP (device 0), a management ENI (device 1), the instance.
 */

/** What every instance of a benchmark stack shares. */
export interface BenchContext {
  readonly vpc: ec2.IVpc;
  readonly publicSubnet: ec2.ISubnet;
  readonly managementSubnet: ec2.ISubnet;
  readonly webSecurityGroup: ec2.ISecurityGroup;
  readonly managementSecurityGroup: ec2.ISecurityGroup;
  readonly imageId: string;
  readonly instanceType: string;
}

/**
 * One dual-homed instance built with the library. When `DualHomedInstance` lands, this body becomes
 * `new DualHomedInstance(scope, id, { ... })`; nothing else in the benchmark changes.
 */
export function libraryInstance(scope: Construct, id: string, ctx: BenchContext): void {
  const node = new Construct(scope, id);
  const web = new NetworkInterface(node, 'Public', {
    vpc: ctx.vpc,
    vpcSubnets: { subnets: [ctx.publicSubnet] },
    securityGroups: [ctx.webSecurityGroup],
    elasticIps: [{}],
  });
  const management = new NetworkInterface(node, 'Management', {
    vpc: ctx.vpc,
    vpcSubnets: { subnets: [ctx.managementSubnet] },
    securityGroups: [ctx.managementSecurityGroup],
  });
  new ec2.CfnInstance(node, 'Resource', {
    imageId: ctx.imageId,
    instanceType: ctx.instanceType,
    networkInterfaces: [
      { deviceIndex: '0', networkInterfaceId: web.networkInterfaceId },
      { deviceIndex: '1', networkInterfaceId: management.networkInterfaceId },
    ],
  });
}

/** The same dual-homed instance written by hand with L1 resources. */
export function handWrittenInstance(scope: Construct, id: string, ctx: BenchContext): void {
  const node = new Construct(scope, id);
  const web = new ec2.CfnNetworkInterface(node, 'Public', {
    subnetId: ctx.publicSubnet.subnetId,
    groupSet: [ctx.webSecurityGroup.securityGroupId],
  });
  const eip = new ec2.CfnEIP(node, 'ElasticIp', { domain: 'vpc' });
  new ec2.CfnEIPAssociation(node, 'ElasticIpAssociation', {
    allocationId: eip.attrAllocationId,
    networkInterfaceId: web.ref,
    privateIpAddress: web.attrPrimaryPrivateIpAddress,
  });
  const management = new ec2.CfnNetworkInterface(node, 'Management', {
    subnetId: ctx.managementSubnet.subnetId,
    groupSet: [ctx.managementSecurityGroup.securityGroupId],
  });
  new ec2.CfnInstance(node, 'Resource', {
    imageId: ctx.imageId,
    instanceType: ctx.instanceType,
    networkInterfaces: [
      { deviceIndex: '0', networkInterfaceId: web.ref },
      { deviceIndex: '1', networkInterfaceId: management.ref },
    ],
  });
}

/** The builders by name, as the benchmark's child processes receive them. */
export const VARIANTS = {
  'library': libraryInstance,
  'hand-written': handWrittenInstance,
} as const;

export type VariantName = keyof typeof VARIANTS;

/**
 * An app with one stack: a VPC with a public and a management subnet, two shared security groups,
 * and `count` dual-homed instances built by `variant`.
 */
export function buildBenchApp(variant: VariantName, count: number, outdir: string): App {
  const app = new App({
    outdir,
    context: {
      // Measure past CloudFormation's 500-resource limit; the report says how many fit.
      '@aws-cdk/core:stackResourceLimit': 0,
      // What `cdk synth` does unless --debug.
      'aws:cdk:disable-stack-trace': true,
    },
  });
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: 1,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 },
      { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
    ],
  });
  const ctx: BenchContext = {
    vpc,
    publicSubnet: vpc.publicSubnets[0],
    managementSubnet: vpc.isolatedSubnets[0],
    webSecurityGroup: new ec2.SecurityGroup(stack, 'Web', { vpc, description: 'web traffic' }),
    managementSecurityGroup: new ec2.SecurityGroup(stack, 'Management', { vpc, description: 'management traffic' }),
    imageId: 'ami-0123456789abcdef0',
    instanceType: 't3.small',
  };
  const build = VARIANTS[variant];
  for (let i = 0; i < count; i++) {
    build(stack, `Server${i}`, ctx);
  }
  return app;
}
