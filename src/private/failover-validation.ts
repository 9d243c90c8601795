import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { claimDeviceIndex, deviceIndexesInUse } from './device-indexes';
import { NamedCandidate } from './failover-context';
import { checkIpv4PerEni, checkIpv6PerEni } from './instance-limits-check';
import { knownInstanceAz, knownInstanceType } from './introspect';
import { InstanceLimits } from '../instance-limits';
import { INetworkInterface, NetworkInterface } from '../network-interface';

/**
 * The checks `EniFailover` makes before it builds anything. Each message names the prop, echoes
 * the value and says what is allowed.
 */

/** The highest device index the reconcile Lambda accepts. */
const MAX_DEVICE_INDEX = 31;

/** The props these checks read (a structural subset of `EniFailoverProps`). */
export interface FailoverCheckedProps {
  readonly primary: ec2.IInstance;
  readonly standby: ec2.IInstance;
  readonly networkInterface?: INetworkInterface;
  readonly privateIpAddress?: string;
  readonly elasticIp?: boolean;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly deadline?: Duration;
  readonly placementDeadline?: Duration;
  readonly maxEventAge?: Duration;
}

/**
 * Checks the device index against both candidates (type limits, indexes in use, addresses per
 * interface) and claims it on both, so a later static attachment there is rejected.
 */
export function validateDeviceIndex(scope: IConstruct, index: number, eni: INetworkInterface, candidates: readonly NamedCandidate[]): void {
  if (Token.isUnresolved(index)) {
    throw new Error('deviceIndex must be a number known at synth time: it is checked against both instances and passed to the reconcile Lambda');
  }
  if (!Number.isInteger(index) || index < 1 || index > MAX_DEVICE_INDEX) {
    throw new Error(`deviceIndex ${index} is not allowed: index 0 is an instance's primary network interface; use an integer from 1 to ${MAX_DEVICE_INDEX} that is below the instance type's interface limit`);
  }
  for (const { name, instance } of candidates) {
    const role = name.toLowerCase();
    const instanceType = knownInstanceType(instance);
    const limits = instanceType ? InstanceLimits.of(instanceType) : undefined;
    if (limits && index > limits.maxNetworkInterfaces - 1) {
      throw new Error(`deviceIndex ${index} is not allowed on the ${role} ${instance.node.path}: instance type '${instanceType}' supports ${limits.maxNetworkInterfaces} network interfaces (device indexes 0 to ${limits.maxNetworkInterfaces - 1}); choose a lower index or a larger instance type`);
    }
    const inUse = deviceIndexesInUse(instance);
    const holder = inUse.get(index);
    if (holder) {
      throw new Error(`deviceIndex ${index} is already used on the ${role} ${instance.node.path} by ${holder}: the floating interface needs the same free index on both instances (in use: ${[...inUse.keys()].sort((a, b) => a - b).join(', ')})`);
    }
    if (eni instanceof NetworkInterface) {
      checkIpv4PerEni(scope, instanceType, eni.privateIpAddresses.length, eni.node.path);
      checkIpv6PerEni(scope, instanceType, ipv6CountOf(eni), eni.node.path);
    }
  }
  for (const { instance } of candidates) {
    claimDeviceIndex(instance, index, `${scope.node.path} (floating interface)`);
  }
}

export function validateCandidates(props: FailoverCheckedProps): void {
  const { primary, standby } = props;
  const sameId = !Token.isUnresolved(primary.instanceId) && primary.instanceId === standby.instanceId;
  if (primary === standby || sameId) {
    throw new Error(`primary and standby are the same instance (${primary === standby ? primary.node.path : primary.instanceId}): a failover needs two distinct instances`);
  }
  if (props.networkInterface) {
    const createOnly: Array<[string, unknown]> = [
      ['privateIpAddress', props.privateIpAddress],
      ['elasticIp', props.elasticIp],
      ['securityGroups', props.securityGroups],
      ['vpcSubnets', props.vpcSubnets],
    ];
    const given = createOnly.filter(([, v]) => v !== undefined).map(([k]) => k);
    if (given.length > 0) {
      throw new Error(`${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to the network interface EniFailover creates, but networkInterface ${props.networkInterface.node.path} is given: configure the adopted interface itself, or drop networkInterface`);
    }
  }
}

export function validateTimes(props: FailoverCheckedProps): void {
  const check = (name: string, value: Duration | undefined, min: number, max: number) => {
    if (value === undefined || value.isUnresolved()) return;
    const s = value.toSeconds();
    if (!Number.isInteger(s) || s < min || s > max) {
      throw new Error(`${name} ${value.toHumanString()} is not allowed: use whole seconds from ${min} to ${max} (the Lambda timeout is one minute longer and at most 15 minutes)`);
    }
  };
  check('deadline', props.deadline, 5, 840);
  check('placementDeadline', props.placementDeadline, 5, 840);
  const age = props.maxEventAge;
  if (age !== undefined && !age.isUnresolved()) {
    const s = age.toSeconds({ integral: false });
    if (!Number.isInteger(s) || s < 60 || s > 21_600) {
      throw new Error(`maxEventAge ${age.toHumanString()} is not allowed: use whole seconds from 60 (1 minute) to 21600 (6 hours), the range Lambda accepts for the age of asynchronous events`);
    }
  }
}

/** The floating address probe's port (1 to 65535) and timeout (100 ms to 20 s). */
export function validateFloatingAddressProbe(probe: { readonly port: number; readonly timeout?: Duration } | undefined): void {
  if (!probe) return;
  if (!Token.isUnresolved(probe.port) && (!Number.isInteger(probe.port) || probe.port < 1 || probe.port > 65535)) {
    throw new Error(`floatingAddressProbe port ${probe.port} is not allowed: use a whole number from 1 to 65535`);
  }
  const ms = probe.timeout?.toMilliseconds();
  if (probe.timeout && ms !== undefined && !probe.timeout.isUnresolved() && (ms < 100 || ms > 20_000)) {
    throw new Error(`floatingAddressProbe timeout ${probe.timeout.toHumanString()} is not allowed: use 100 milliseconds to 20 seconds (the run waits for it)`);
  }
}

export function validateAvailabilityZones(eni: INetworkInterface, props: FailoverCheckedProps): void {
  const eniAz = eni.availabilityZone && !Token.isUnresolved(eni.availabilityZone) ? eni.availabilityZone : undefined;
  const primaryAz = knownInstanceAz(props.primary);
  const standbyAz = knownInstanceAz(props.standby);
  const describe = (role: string, instance: ec2.IInstance, az: string | undefined) => `${role} ${instance.node.path} (${az ?? 'unknown AZ'})`;
  const both = `${describe('primary', props.primary, primaryAz)} and ${describe('standby', props.standby, standbyAz)}`;
  if (eniAz) {
    if ((primaryAz && primaryAz !== eniAz) || (standbyAz && standbyAz !== eniAz)) {
      throw new Error(`${both} must be in the Availability Zone of the network interface ${eni.node.path} (${eniAz}): a network interface can only be attached to instances in its own Availability Zone; place both instances and the interface's subnet in one AZ`);
    }
  } else if (primaryAz && standbyAz && primaryAz !== standbyAz) {
    throw new Error(`${both} are in different Availability Zones: a network interface can only be attached to instances in its own Availability Zone; place both instances in one AZ`);
  }
}

export function checkNotAttachedStatically(eni: NetworkInterface): void {
  const errors = staticAttachmentErrors(eni);
  if (errors.length > 0) {
    throw new Error(errors[0]);
  }
}

export function staticAttachmentErrors(eni: NetworkInterface): string[] {
  const attachment = eni.node.tryFindChild('Attachment');
  if (attachment instanceof ec2.CfnNetworkInterfaceAttachment) {
    return [`networkInterface ${eni.node.path} is attached statically with attachToInstance(): CloudFormation would own an attachment that EniFailover moves and put it back on every update; remove the attachToInstance() call`];
  }
  return [];
}

function ipv6CountOf(eni: NetworkInterface): number {
  const { ipv6AddressCount, ipv6Addresses } = eni.resource;
  if (Array.isArray(ipv6Addresses)) return ipv6Addresses.length;
  return typeof ipv6AddressCount === 'number' ? ipv6AddressCount : 0;
}
