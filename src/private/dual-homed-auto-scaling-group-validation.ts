import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration, Stack, Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { describeRule, ingressRulesOf, peerCidr, portsOverlap, ruleJson } from './admin-ports';
import { subnetName } from './introspect';
import { isAnyAddress } from './ip';
import { DualHomedAutoScalingGroupProps } from '../dual-homed-auto-scaling-group-props';
import { DualHomedOs } from '../dual-homed-instance';

/**
 * One message per rule of the primary interfaces' security group that admits an SSH or admin port,
 * whatever the peer (a CIDR, a prefix list, a security group): those ports live on the management
 * interfaces only.
 */
export function adminPortsOnPrimary(sg: ec2.ISecurityGroup, ports: ec2.Port[], path: string): string[] {
  const errors: string[] = [];
  for (const rule of ingressRulesOf(sg)) {
    const clash = ports.find((p) => portsOverlap(ruleJson(p), rule));
    if (clash) {
      const peer = rule.cidrIp ?? rule.cidrIpv6 ?? 'a security group or prefix list';
      errors.push(`security group ${sg.node.path} of ${path} (primary interfaces) admits ${describeRule(rule)} from ${typeof peer === 'string' ? peer : JSON.stringify(peer)}, which includes the administration port ${describeRule(ruleJson(clash))}: SSH and admin ports are served on the management interfaces only; remove the rule from the primary interfaces' security group (publicSecurityGroup or connections)`);
    }
  }
  return errors;
}

/** One management subnet per zone of the public subnets; throws naming the prop otherwise. */
export function selectManagementSubnets(
  scope: Construct, vpc: ec2.IVpc, selection: ec2.SubnetSelection, publicSubnets: ec2.ISubnet[],
): ec2.ISubnet[] {
  const stack = Stack.of(scope);
  const subnets = vpc.selectSubnets(selection).subnets;
  // Zones compare by their resolved form, so env-agnostic stacks (zones are Fn::GetAZs tokens) work too.
  const key = (s: ec2.ISubnet) => JSON.stringify(stack.resolve(s.availabilityZone));
  const show = (s: ec2.ISubnet) => Token.isUnresolved(s.availabilityZone) ? key(s) : s.availabilityZone;
  const publicIds = new Set(vpc.publicSubnets.map((s) => s.node.path));
  for (const s of subnets) {
    if (publicIds.has(s.node.path)) {
      throw new Error(`managementSubnets of ${scope.node.path} selects ${subnetName(s)}, a public subnet: a management interface must never get a public address; select private subnets (for example { subnetGroupName: 'Management' })`);
    }
  }
  const primary = new Set(publicSubnets.map((s) => s.node.path));
  const shared = subnets.find((s) => primary.has(s.node.path));
  if (shared) {
    throw new Error(`managementSubnets of ${scope.node.path} selects ${subnetName(shared)}, which publicSubnets selects too: the management interfaces need subnets of their own; select disjoint subnets`);
  }
  const byZone = new Map<string, ec2.ISubnet>();
  for (const s of subnets) {
    const other = byZone.get(key(s));
    if (other) {
      throw new Error(`managementSubnets of ${scope.node.path} selects two subnets in ${show(s)} (${subnetName(other)}, ${subnetName(s)}): select exactly one management subnet per Availability Zone`);
    }
    byZone.set(key(s), s);
  }
  const result: ec2.ISubnet[] = [];
  for (const s of publicSubnets) {
    const m = byZone.get(key(s));
    if (!m) {
      const have = subnets.map(show).join(', ') || 'none';
      const envHint = Token.isUnresolved(s.availabilityZone)
        ? ' (the zones are unresolved tokens here: give the stack an explicit env with account and region, or select both from subnets of one VPC)'
        : '';
      throw new Error(`managementSubnets of ${scope.node.path} has no subnet in ${show(s)}, where publicSubnets selects ${subnetName(s)} (management subnets are in: ${have}): add a management subnet in every zone the group uses, or narrow publicSubnets${envHint}`);
    }
    if (!result.includes(m)) result.push(m);
  }
  return result;
}

/** Throws when a management peer is the whole internet or a service port is also a management port. */
export function validatePeersAndPorts(props: DualHomedAutoScalingGroupProps, managementPorts: ec2.Port[]): void {
  for (const peer of props.managementPeers) {
    const cidr = peerCidr(peer);
    if (cidr !== undefined && isAnyAddress(cidr)) {
      throw new Error(`managementPeers contains ${cidr}: SSH and admin ports may only be opened to a management network, never to the internet; use the management network's CIDRs, prefix lists or security groups`);
    }
  }
  for (const port of props.servicePorts ?? []) {
    const clash = managementPorts.find((m) => portsOverlap(ruleJson(m), ruleJson(port)));
    if (clash) {
      throw new Error(`servicePorts contains ${port.toString()}, which is also a management port (${clash.toString()}): the public interfaces must not serve SSH or admin ports; remove it from servicePorts`);
    }
  }
}

/** Checks minCapacity, maxCapacity and desiredCapacity and returns the capacities the group gets. */
export function validateCapacity(props: DualHomedAutoScalingGroupProps): { minCapacity: number; maxCapacity: number; desiredCapacity?: number } {
  const check = (name: string, value: number | undefined) => {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 0)) {
      throw new Error(`${name} ${value} is not allowed: use a whole number of 0 or more`);
    }
  };
  check('minCapacity', props.minCapacity);
  check('maxCapacity', props.maxCapacity);
  check('desiredCapacity', props.desiredCapacity);
  const min = props.minCapacity ?? 1;
  const unresolved = [props.minCapacity, props.maxCapacity, props.desiredCapacity].some((v) => v !== undefined && Token.isUnresolved(v));
  const max = props.maxCapacity ?? (unresolved ? min : Math.max(min, props.desiredCapacity ?? 0));
  if (unresolved) {
    // Deploy-time values: CloudFormation and Auto Scaling check the ranges.
    return { minCapacity: min, maxCapacity: max, desiredCapacity: props.desiredCapacity };
  }
  if (max < min) {
    throw new Error(`maxCapacity ${max} is less than minCapacity ${min}: use a maxCapacity of ${min} or more`);
  }
  if (props.desiredCapacity !== undefined && (props.desiredCapacity < min || props.desiredCapacity > max)) {
    throw new Error(`desiredCapacity ${props.desiredCapacity} is outside minCapacity ${min} and maxCapacity ${max}: use a value from ${min} to ${max}`);
  }
  return { minCapacity: min, maxCapacity: max, desiredCapacity: props.desiredCapacity };
}

/** Throws naming `prop` when a resolved duration is outside `minSeconds` to `maxSeconds`. */
export function checkDuration(prop: string, value: Duration, minSeconds: number, maxSeconds: number, why: string): void {
  if (value.isUnresolved()) return;
  const seconds = value.toSeconds();
  if (seconds < minSeconds || seconds > maxSeconds) {
    throw new Error(`${prop} ${value.toHumanString()} is not allowed: use ${minSeconds} to ${maxSeconds} seconds (${why})`);
  }
}

/** The operating system of a machine image the library can recognise; throws asking for operatingSystem otherwise. */
export function detectOperatingSystem(scope: Construct, image: ec2.IMachineImage): DualHomedOs {
  if (image instanceof ec2.AmazonLinux2023ImageSsmParameter) {
    return DualHomedOs.AMAZON_LINUX_2023;
  }
  throw new Error(`cannot tell the operating system of machineImage (${image.constructor.name}) of ${scope.node.path}: set operatingSystem to DualHomedOs.AMAZON_LINUX_2023, DualHomedOs.UBUNTU_22_04 or DualHomedOs.UBUNTU_24_04`);
}
