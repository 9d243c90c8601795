import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Annotations, Stack, Token } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';

/**
 * Synth-time introspection of subnets and instances: what can be known about them without
 * calling AWS. Every function answers `undefined` for "unknown" (imported resources, tokens),
 * so that validation never raises a false error.
 */

/** The subnet's Availability Zone as written (a token in a stack without env), or undefined for imports without one. */
function rawSubnetAz(subnet: ec2.ISubnet): string | undefined {
  try {
    return subnet.availabilityZone;
  } catch {
    return undefined;
  }
}

/**
 * A comparable form of a zone: the zone itself, or for a token its resolved CloudFormation
 * expression. `vpc.availabilityZones[0]`, `stack.availabilityZones[0]` and
 * `Fn.select(0, Fn.getAzs())` are different token objects for the same zone, with the same
 * resolved expression.
 */
export function zoneKey(scope: IConstruct, az: string): string {
  return Token.isUnresolved(az) ? JSON.stringify(Stack.of(scope).resolve(az)) : az;
}

/** The subnet's zone in comparable form (see `zoneKey`), or undefined for imports without one. */
export function subnetZoneKey(scope: IConstruct, subnet: ec2.ISubnet): string | undefined {
  const az = rawSubnetAz(subnet);
  return az === undefined ? undefined : zoneKey(scope, az);
}

/** The subnet's IPv4 CIDR when it is known at synth time. */
export function knownSubnetIpv4Cidr(subnet: ec2.ISubnet): string | undefined {
  let cidr: string | undefined;
  try {
    cidr = subnet.ipv4CidrBlock;
  } catch {
    // Imported subnets without `ipv4CidrBlock` throw on access.
    return undefined;
  }
  return cidr && !Token.isUnresolved(cidr) ? cidr : undefined;
}

/** The subnet's Availability Zone when it is known at synth time. */
export function knownSubnetAz(subnet: ec2.ISubnet): string | undefined {
  let az: string | undefined;
  try {
    az = subnet.availabilityZone;
  } catch {
    return undefined;
  }
  return az && !Token.isUnresolved(az) ? az : undefined;
}

/**
 * Whether the subnet has an IPv6 CIDR block: `true`/`false` for subnets defined in this app,
 * `undefined` for imported subnets (unknown).
 */
export function subnetHasIpv6(subnet: ec2.ISubnet): boolean | undefined {
  const cfn = subnet.node.defaultChild;
  if (!(cfn instanceof ec2.CfnSubnet)) {
    return undefined;
  }
  return cfn.ipv6CidrBlock !== undefined || cfn.ipv6Native === true || cfn.ipv6IpamPoolId !== undefined;
}

/** The CfnInstance behind an instance construct defined in this app, if any. */
export function cfnInstanceOf(instance: IConstruct): ec2.CfnInstance | undefined {
  const child = instance.node.defaultChild;
  return child instanceof ec2.CfnInstance ? child : undefined;
}

/** The instance type when it is known at synth time (e.g. `t3.micro`). */
export function knownInstanceType(instance: IConstruct): string | undefined {
  const type = cfnInstanceOf(instance)?.instanceType;
  return type && !Token.isUnresolved(type) ? type : undefined;
}

/** The instance's Availability Zone when it is known at synth time. */
export function knownInstanceAz(instance: ec2.IInstance): string | undefined {
  const fromCfn = cfnInstanceOf(instance)?.availabilityZone;
  if (fromCfn && !Token.isUnresolved(fromCfn)) {
    return fromCfn;
  }
  const az = instance.instanceAvailabilityZone;
  return az && !Token.isUnresolved(az) ? az : undefined;
}

/** Device indexes of the network interfaces an instance is launched with (at least index 0). */
export function launchDeviceIndexes(instance: IConstruct): number[] {
  const cfn = cfnInstanceOf(instance);
  const nics = cfn?.networkInterfaces;
  if (!Array.isArray(nics) || nics.length === 0) {
    return [0];
  }
  return nics.map((nic, i) => {
    const raw = (nic as ec2.CfnInstance.NetworkInterfaceProperty).deviceIndex;
    return raw !== undefined && !Token.isUnresolved(raw) ? Number(raw) : i;
  });
}

/** How messages name a subnet: its id, or its construct path while the id is a token. */
export function subnetName(subnet: ec2.ISubnet): string {
  return Token.isUnresolved(subnet.subnetId) ? subnet.node.path : subnet.subnetId;
}

const ENV_FIX = 'give the stack an env (account and region) or select subnets explicitly';

/**
 * The one subnet a selection resolves to (optionally narrowed to an Availability Zone). Otherwise
 * throws `<prop> of <path> resolves to N subnets [in <az>] [<subnet> (<az>), ...]: <why>`.
 *
 * An unresolved zone is compared by its resolved expression (see `zoneKey`). When it matches no
 * subnet but the selection itself is exactly one subnet (e.g. `{ subnets: [subnet] }` with a
 * zone from a `Fn::GetAtt`), the subnet is taken and `unknownZoneWarning` (an annotation id) is
 * added, because the two cannot be compared before deployment.
 */
export function selectExactlyOneSubnet(
  scope: IConstruct, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined,
  options: { readonly prop: string; readonly why: string; readonly availabilityZone?: string; readonly unknownZoneWarning?: string },
): ec2.ISubnet {
  const selected = vpc.selectSubnets(selection).subnets;
  let subnets = selected;
  const az = options.availabilityZone;
  const tokenZone = az !== undefined && Token.isUnresolved(az);
  if (az !== undefined) {
    const key = zoneKey(scope, az);
    subnets = subnets.filter((s) => (tokenZone ? subnetZoneKey(scope, s) === key : knownSubnetAz(s) === az));
  }
  if (tokenZone && subnets.length === 0 && selected.length === 1 && options.unknownZoneWarning) {
    Annotations.of(scope).addWarningV2(options.unknownZoneWarning,
      `availabilityZone is unknown at synth and cannot be compared with the zone of ${options.prop} ${subnetName(selected[0])}, so that they agree cannot be checked (the launch fails if they do not): give the stack an env (account and region) or pass the zone of the subnet`);
    return selected[0];
  }
  if (subnets.length !== 1) {
    const found = subnets.map((s) => `${subnetName(s)} (${knownSubnetAz(s) ?? 'unknown AZ'})`);
    const where = az === undefined ? '' : tokenZone ? ' in the given availabilityZone (unknown until deployment)' : ` in ${az}`;
    const unknownZones = subnets.length > 1 && subnets.every((s) => knownSubnetAz(s) === undefined);
    const hint = tokenZone && subnets.length === 0
      ? `; availabilityZone is unknown at synth and is none of the selected subnets' zones: ${ENV_FIX}`
      : unknownZones ? `; the subnets' Availability Zones are unknown at synth: ${ENV_FIX}` : '';
    throw new Error(`${options.prop} of ${scope.node.path} resolves to ${subnets.length} subnets${where}`
      + `${found.length ? ` [${found.join(', ')}]` : ''}: ${options.why}${hint}`);
  }
  return subnets[0];
}
