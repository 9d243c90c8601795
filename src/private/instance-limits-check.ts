import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { InstanceLimits, InstanceNetworkLimits } from '../instance-limits';

/**
 * Id of the warning added when an instance type is not in the limits table.
 */
export const UNKNOWN_INSTANCE_TYPE_WARNING = 'cdk-eni-patterns:unknown-instance-type';

/**
 * Throws when `eniCount` network interfaces are more than `instanceType` supports.
 *
 * Does nothing when the instance type or the count is an unresolved token, or the instance type
 * is undefined (not known at synth). Adds a warning to `scope` when the type is not in the table.
 *
 * @param scope the construct the warning is attached to
 * @param instanceType the instance type, e.g. `'t3.micro'` or `ec2.InstanceType.toString()`
 * @param eniCount the number of network interfaces the instance will have, primary included
 * @param what names the instance and its interfaces in messages,
 *   e.g. `Web/Instance (device indexes 0, 1, 2)`
 */
export function checkEniCount(scope: IConstruct, instanceType: string | undefined, eniCount: number, what: string): void {
  const limits = limitsFor(scope, instanceType, eniCount, `the number of network interfaces attached to ${what}`);
  if (limits && eniCount > limits.maxNetworkInterfaces) {
    throw new Error(`instance type '${instanceType}' supports at most ${limits.maxNetworkInterfaces} network interfaces, `
      + `but ${eniCount} are attached to ${what}: choose a larger instance type (see ${InstanceLimits.SOURCE_URL})`);
  }
}

/**
 * Throws when `addressCount` private IPv4 addresses on one network interface are more than
 * `instanceType` supports per interface.
 *
 * Does nothing when the instance type or the count is an unresolved token, or the instance type
 * is undefined (not known at synth). Adds a warning to `scope` when the type is not in the table.
 *
 * @param scope the construct the warning is attached to
 * @param instanceType the instance type, e.g. `'t3.micro'` or `ec2.InstanceType.toString()`
 * @param addressCount the number of private IPv4 addresses on the interface, primary included
 * @param what names the network interface in messages, e.g. `network interface Web/Eni`
 */
export function checkIpv4PerEni(scope: IConstruct, instanceType: string | undefined, addressCount: number, what: string): void {
  const limits = limitsFor(scope, instanceType, addressCount, `the number of private IPv4 addresses of ${what}`);
  if (limits && addressCount > limits.ipv4AddressesPerInterface) {
    throw new Error(`instance type '${instanceType}' supports at most ${limits.ipv4AddressesPerInterface} private IPv4 addresses `
      + `per network interface, but ${addressCount} are assigned to ${what}: choose a larger instance type or spread the addresses `
      + `over more network interfaces (see ${InstanceLimits.SOURCE_URL})`);
  }
}

/**
 * Throws when `addressCount` IPv6 addresses on one network interface are more than
 * `instanceType` supports per interface.
 *
 * Does nothing when the instance type or the count is an unresolved token, or the instance type
 * is undefined (not known at synth). Adds a warning to `scope` when the type is not in the table.
 *
 * @param scope the construct the warning is attached to
 * @param instanceType the instance type, e.g. `'t3.micro'` or `ec2.InstanceType.toString()`
 * @param addressCount the number of IPv6 addresses on the interface
 * @param what names the network interface in messages, e.g. `network interface Web/Eni`
 */
export function checkIpv6PerEni(scope: IConstruct, instanceType: string | undefined, addressCount: number, what: string): void {
  const limits = limitsFor(scope, instanceType, addressCount, `the number of IPv6 addresses of ${what}`);
  if (limits && addressCount > limits.ipv6AddressesPerInterface) {
    throw new Error(`instance type '${instanceType}' supports at most ${limits.ipv6AddressesPerInterface} IPv6 addresses `
      + `per network interface, but ${addressCount} are assigned to ${what}: choose a larger instance type or spread the addresses `
      + `over more network interfaces (see ${InstanceLimits.SOURCE_URL})`);
  }
}

/**
 * The limits to check against, or undefined when there is nothing to check: an undefined or
 * unresolved instance type, an unresolved count, or a type that is not in the table (which adds
 * a warning naming `subject`, the figure that goes unchecked).
 */
function limitsFor(scope: IConstruct, instanceType: string | undefined, count: number, subject: string): InstanceNetworkLimits | undefined {
  if (instanceType === undefined || Token.isUnresolved(instanceType) || Token.isUnresolved(count)) {
    return undefined;
  }
  const limits = InstanceLimits.of(instanceType);
  if (!limits) {
    Annotations.of(scope).addWarningV2(UNKNOWN_INSTANCE_TYPE_WARNING,
      `instance type '${instanceType}' is not in the network limits table, so ${subject} was not validated: `
      + `check the limits at ${InstanceLimits.SOURCE_URL}, and call InstanceLimits.register() with them before creating the constructs to have them checked`);
  }
  return limits;
}
