import { Token } from 'aws-cdk-lib';

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
 * One size of a family: size, maximum network interfaces, IPv4 addresses per interface,
 * IPv6 addresses per interface.
 */
type LimitsRow = readonly [size: string, enis: number, ipv4: number, ipv6: number];

/**
 * Network limits per instance family, each family's sizes from smallest to largest.
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
const TABLE: { readonly [family: string]: readonly LimitsRow[] } = {
  // Burstable performance
  't3': [
    ['nano', 2, 2, 2], ['micro', 2, 2, 2], ['small', 3, 4, 4], ['medium', 3, 6, 6], ['large', 3, 12, 12],
    ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
  ],
  't3a': [
    ['nano', 2, 2, 2], ['micro', 2, 2, 2], ['small', 2, 4, 4], ['medium', 3, 6, 6], ['large', 3, 12, 12],
    ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
  ],
  't4g': [
    ['nano', 2, 2, 2], ['micro', 2, 2, 2], ['small', 3, 4, 4], ['medium', 3, 6, 6], ['large', 3, 12, 12],
    ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
  ],
  // General purpose
  'm5': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'm5a': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
  ],
  'm5d': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'm6a': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['32xlarge', 15, 50, 50], ['48xlarge', 15, 50, 50], ['metal', 15, 50, 50],
  ],
  'm6g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'm6gd': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'm6i': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['32xlarge', 15, 50, 50], ['metal', 15, 50, 50],
  ],
  'm7a': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['24xlarge', 15, 50, 50], ['32xlarge', 15, 50, 50], ['48xlarge', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
  'm7g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'm7i': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['48xlarge', 15, 50, 50], ['metal-24xl', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
  'm7i-flex': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
  ],
  'm8g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['24xlarge', 15, 50, 50], ['48xlarge', 15, 50, 50], ['metal-24xl', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
  // Compute optimized
  'c5': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['9xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['18xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'c5d': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['9xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['18xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'c6a': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['32xlarge', 15, 50, 50], ['48xlarge', 15, 50, 50], ['metal', 15, 50, 50],
  ],
  'c6g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'c6gd': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'c6i': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['32xlarge', 15, 50, 50], ['metal', 15, 50, 50],
  ],
  'c7a': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['24xlarge', 15, 50, 50], ['32xlarge', 15, 50, 50], ['48xlarge', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
  'c7g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'c7i': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['48xlarge', 15, 50, 50], ['metal-24xl', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
  'c7i-flex': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
  ],
  'c8g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['24xlarge', 15, 50, 50], ['48xlarge', 15, 50, 50], ['metal-24xl', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
  // Memory optimized
  'r5': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'r5a': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
  ],
  'r5d': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'r6g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'r6gd': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'r6i': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['32xlarge', 15, 50, 50], ['metal', 15, 50, 50],
  ],
  'r7g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['metal', 15, 50, 50],
  ],
  'r7i': [
    ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15], ['4xlarge', 8, 30, 30],
    ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50], ['24xlarge', 15, 50, 50],
    ['48xlarge', 15, 50, 50], ['metal-24xl', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
  'r8g': [
    ['medium', 2, 4, 4], ['large', 3, 10, 10], ['xlarge', 4, 15, 15], ['2xlarge', 4, 15, 15],
    ['4xlarge', 8, 30, 30], ['8xlarge', 8, 30, 30], ['12xlarge', 8, 30, 30], ['16xlarge', 15, 50, 50],
    ['24xlarge', 15, 50, 50], ['48xlarge', 15, 50, 50], ['metal-24xl', 15, 50, 50], ['metal-48xl', 15, 50, 50],
  ],
};

/** Every entry of TABLE, keyed by full instance type name, in table order. */
const LIMITS: ReadonlyMap<string, InstanceNetworkLimits> = new Map(
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
    const limits = LIMITS.get(instanceType.trim().toLowerCase());
    return limits ? { ...limits } : undefined;
  }

  /**
   * Every instance type in the table.
   *
   * Lower-case names, grouped by family, each family's sizes from smallest to largest.
   */
  public static knownInstanceTypes(): string[] {
    return Array.from(LIMITS.keys());
  }

  private constructor() {
    // Only static members: the class is a namespace for the table.
  }
}
