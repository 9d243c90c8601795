import { Token } from 'aws-cdk-lib';
import { INSTANCE_LIMITS_TABLE } from './private/instance-limits-table';

/**
 * Network limits of one EC2 instance type.
 */
export interface InstanceNetworkLimits {
  /**
   * The instance type, in the lower-case form EC2 uses, for example `t3.micro`.
   */
  readonly instanceType: string;

  /**
   * The maximum number of network interfaces the instance can have attached, the primary
   * network interface (device index 0) included.
   */
  readonly maxNetworkInterfaces: number;

  /**
   * The maximum number of private IPv4 addresses on one network interface, the primary
   * private IPv4 address included.
   */
  readonly ipv4AddressesPerInterface: number;

  /**
   * The maximum number of IPv6 addresses on one network interface.
   */
  readonly ipv6AddressesPerInterface: number;
}

/**
 * Network limits per instance family, each family's sizes from smallest to largest: generated into
 * `private/instance-limits-table.ts` by `scripts/generate-instance-limits.ts` from
 * `data/instance-types.json`, a file in the shape of `aws ec2 describe-instance-types` output.
 *
 * Source: the Amazon EC2 documentation, "Maximum IP addresses per network interface"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AvailableIpPerENI.html), whose figures are
 * the `NetworkInfo` that `aws ec2 describe-instance-types` returns (`MaximumNetworkInterfaces`,
 * `Ipv4AddressesPerInterface`, `Ipv6AddressesPerInterface`).
 *
 * Data as of November 2026. Every family was taken from a DescribeInstanceTypes dump of May 2026
 * (the `instance_types.json` that moto 5.2.1 ships, https://github.com/getmoto/moto) and
 * cross-checked, size by size, against a second source:
 * - t3, t3a, t4g, m5, m5a, m5d, m6a, m6g, m6gd, m6i, c5, c5d, c6a, c6g, c6gd, c6i, r5, r5a, r5d,
 *   r6g, r6gd, r6i: the documentation table itself, as published in
 *   https://github.com/awsdocs/amazon-ec2-user-guide/blob/8cdd572faea60ed413554c14436c83609534bcd7/doc_source/using-eni.md
 *   (network interfaces, IPv4 and IPv6 per interface);
 * - m7a, m7g, m7i, m7i-flex, m8g, c7a, c7g, c7i, c7i-flex, c8g, r7g, r7i, r8g: the table the
 *   Amazon VPC CNI generates from DescribeInstanceTypes in 17 regions,
 *   https://github.com/aws/amazon-vpc-cni-k8s/blob/01c4ad5afb0c317b637ed69c472969a5735fa1b9/pkg/vpc/vpc_ip_resource_limit.go
 *   (network interfaces and IPv4 per interface). Their IPv6 figure equals the IPv4 one, as the
 *   EC2 API reference states for every type ("You can assign as many IPv6 addresses to a network
 *   interface as you can assign private IPv4 addresses",
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssignIpv6Addresses.html).
 *
 * All of these types have a single network card, so the instance-wide maximum is the limit that
 * applies. A type whose figures could not be checked against two sources is left out: it is
 * reported as unknown (a warning) rather than validated against a guess.
 */
const TABLE = INSTANCE_LIMITS_TABLE;

/** Every entry of TABLE, keyed by full instance type name, in table order. */
const LIMITS: ReadonlyMap<string, InstanceNetworkLimits> = new Map<string, InstanceNetworkLimits>(
  Object.entries(TABLE).flatMap(([family, sizes]) =>
    sizes.map(([size, enis, ipv4, ipv6]): [string, InstanceNetworkLimits] => {
      const instanceType = `${family}.${size}`;
      return [instanceType, {
        instanceType,
        maxNetworkInterfaces: enis,
        ipv4AddressesPerInterface: ipv4,
        ipv6AddressesPerInterface: ipv6,
      }];
    }),
  ),
);

/** Limits registered with `InstanceLimits.register()`, for types the table lacks. */
const REGISTERED = new Map<string, InstanceNetworkLimits>();

/**
 * Network interface and IP address limits of current-generation EC2 instance types.
 *
 * The constructs of this library use it to reject, at synth, an instance that is given more
 * network interfaces, or a network interface that is given more private IPv4 addresses, than its
 * instance type allows. EC2 would otherwise only refuse it at deploy time.
 *
 * @example
 * import { InstanceLimits } from 'cdk-eni-patterns';
 *
 * const limits = InstanceLimits.of('t3.micro');
 * // limits?.maxNetworkInterfaces === 2
 */
export class InstanceLimits {
  /**
   * The AWS documentation page the table comes from.
   */
  public static readonly SOURCE_URL: string = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AvailableIpPerENI.html';

  /**
   * Limits for an instance type such as 't3.micro', or undefined when the type is not in the table.
   *
   * Surrounding white space and upper case are ignored ('T3.Micro' finds 't3.micro'); the
   * returned `instanceType` is always the lower-case name. An unresolved token, or a string that
   * is not of the form `family.size`, returns undefined.
   *
   * @param instanceType the instance type, for example `t3.micro` or `ec2.InstanceType.toString()`
   */
  public static of(instanceType: string): InstanceNetworkLimits | undefined {
    if (Token.isUnresolved(instanceType)) {
      return undefined;
    }
    const name = instanceType.trim().toLowerCase();
    const limits = LIMITS.get(name) ?? REGISTERED.get(name);
    return limits ? { ...limits } : undefined;
  }

  /**
   * Registers the limits of an instance type the table lacks (a type newer than this release, for
   * example), so that the constructs check it like the others instead of warning that it is unknown.
   * Take the figures from `aws ec2 describe-instance-types --instance-types <type>` (`NetworkInfo`).
   * Registering the same figures twice is allowed; a type the table already has cannot be changed.
   *
   * Call it before creating the constructs that use the type: each construct checks its limits
   * when it is created, so a construct created earlier has already warned that the type is
   * unknown and is not checked again. The registration holds for the rest of the process (every
   * app and stack in it); `unregister()` undoes it, for example between tests.
   *
   * @example
   * import { InstanceLimits } from 'cdk-eni-patterns';
   *
   * InstanceLimits.register({
   *   instanceType: 'm9g.large',
   *   maxNetworkInterfaces: 3,
   *   ipv4AddressesPerInterface: 10,
   *   ipv6AddressesPerInterface: 10,
   * });
   * // ...then create the stacks and constructs.
   *
   * @param limits the type (lower-case `family.size`) and its limits
   */
  public static register(limits: InstanceNetworkLimits): void {
    const name = limits.instanceType;
    if (Token.isUnresolved(name) || !/^[a-z0-9-]+\.[a-z0-9-]+$/.test(name)) {
      throw new Error(`instanceType must be a lower-case family.size name such as 'm9g.large' (got '${name}')`);
    }
    for (const field of ['maxNetworkInterfaces', 'ipv4AddressesPerInterface', 'ipv6AddressesPerInterface'] as const) {
      const value = limits[field];
      const least = field === 'ipv6AddressesPerInterface' ? 0 : 1;
      if (!Number.isInteger(value) || value < least) {
        throw new Error(`${field} of ${name} must be an integer of at least ${least} (got ${value})`);
      }
    }
    const known = LIMITS.get(name);
    if (known) {
      throw new Error(`instance type ${name} is already in the table (${known.maxNetworkInterfaces} network interfaces, `
        + `${known.ipv4AddressesPerInterface} IPv4 per interface): only types the table lacks can be registered`);
    }
    const entry: InstanceNetworkLimits = {
      instanceType: name,
      maxNetworkInterfaces: limits.maxNetworkInterfaces,
      ipv4AddressesPerInterface: limits.ipv4AddressesPerInterface,
      ipv6AddressesPerInterface: limits.ipv6AddressesPerInterface,
    };
    const earlier = REGISTERED.get(name);
    if (earlier && JSON.stringify(earlier) !== JSON.stringify(entry)) {
      throw new Error(`instance type ${name} is already registered with other limits (${JSON.stringify(earlier)}): register each type once`);
    }
    REGISTERED.set(name, entry);
  }

  /**
   * Forgets the limits of a type added with `register()`, so that a test can register other figures
   * for it, or check that the type is reported as unknown again. Constructs created earlier keep the
   * result of the checks they made.
   *
   * @param instanceType the registered type (case and surrounding white space are ignored)
   * @returns true when the type was registered, false when it was not
   */
  public static unregister(instanceType: string): boolean {
    const name = instanceType.trim().toLowerCase();
    if (LIMITS.has(name)) {
      throw new Error(`instance type ${name} is in the table, not registered: only types added with register() can be unregistered`);
    }
    return REGISTERED.delete(name);
  }

  /**
   * Every instance type in the table.
   *
   * Lower-case names, grouped by family, each family's sizes from smallest to largest; then the
   * types registered with `register()`.
   */
  public static knownInstanceTypes(): string[] {
    return [...LIMITS.keys(), ...REGISTERED.keys()];
  }

  private constructor() {
    // Only static members: the class is a namespace for the table.
  }
}
