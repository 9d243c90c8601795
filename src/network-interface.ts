import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArnFormat, Fn, IResource, Lazy, Resource, Stack, Token } from 'aws-cdk-lib/core';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { adminPortsOpenToInternet, DEFAULT_ADMIN_PORTS } from './private/admin-ports';
import { claimDeviceIndex, deviceIndexesInUse } from './private/device-indexes';
import { checkEniCount, checkIpv4PerEni, checkIpv6PerEni } from './private/instance-limits-check';
import { knownInstanceAz, knownInstanceType, knownSubnetAz, knownSubnetIpv4Cidr, selectExactlyOneSubnet, subnetHasIpv6, subnetName } from './private/introspect';
import { canonicalIpv6, ipv4InCidr, ipv4ReservedInSubnet, ipv6InCidr, parseIpv4, parseIpv6 } from './private/ip';

/**
 * An Elastic Network Interface.
 */
export interface INetworkInterface extends IResource, ec2.IConnectable {
  /**
   * The ID of the network interface, e.g. `eni-0123456789abcdef0`.
   *
   * @attribute
   */
  readonly networkInterfaceId: string;

  /**
   * The ARN of the network interface, for IAM policies.
   *
   * @attribute
   */
  readonly networkInterfaceArn: string;

  /**
   * The primary private IPv4 address of the network interface.
   *
   * @attribute
   */
  readonly primaryPrivateIpAddress: string;

  /**
   * The Availability Zone of the network interface's subnet, when known.
   *
   * @default - unknown (imported without it)
   */
  readonly availabilityZone?: string;

  /**
   * Grants an IAM principal permission to attach this network interface to the given instances
   * (`ec2:AttachNetworkInterface`, scoped to this interface's ARN and the instances' ARNs).
   */
  grantAttach(grantee: iam.IGrantable, ...instances: ec2.IInstance[]): iam.Grant;

  /**
   * Grants an IAM principal permission to detach this network interface from the given instances
   * (`ec2:DetachNetworkInterface`, scoped to this interface's ARN and the instances' ARNs).
   */
  grantDetach(grantee: iam.IGrantable, ...instances: ec2.IInstance[]): iam.Grant;

  /**
   * Grants an IAM principal permission to change this network interface's attributes and private
   * addresses (`ec2:ModifyNetworkInterfaceAttribute`, `ec2:AssignPrivateIpAddresses`,
   * `ec2:UnassignPrivateIpAddresses`, `ec2:AssignIpv6Addresses`, `ec2:UnassignIpv6Addresses`),
   * scoped to this interface's ARN.
   */
  grantModify(grantee: iam.IGrantable): iam.Grant;
}

/**
 * An Elastic IP to associate with one of the network interface's private IPv4 addresses.
 */
export interface ElasticIpOptions {
  /**
   * Which private IPv4 address of the interface the Elastic IP maps to: `0` is the primary
   * address, `1` the first secondary address, and so on.
   *
   * @default 0
   */
  readonly privateAddressIndex?: number;

  /**
   * The allocation ID of an existing Elastic IP to associate.
   *
   * @default - a new Elastic IP is allocated in the `vpc` domain
   */
  readonly allocationId?: string;
}

/**
 * An Elastic IP associated with the network interface.
 */
export interface AssociatedElasticIp {
  /** The private IPv4 address the Elastic IP maps to. */
  readonly privateIpAddress: string;
  /** The allocation ID of the Elastic IP. */
  readonly allocationId: string;
  /**
   * The public IPv4 address.
   *
   * @default - unknown for an existing allocation passed by ID
   */
  readonly publicIp?: string;
}

/**
 * Properties of a {@link NetworkInterface}.
 */
export interface NetworkInterfaceProps {
  /** The VPC to create the network interface in. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnet to place the network interface in. The selection must resolve to exactly one
   * subnet (for example `{ subnets: [subnet] }` or a subnet group plus `availabilityZones: ['eu-west-1a']`).
   *
   * @default - the VPC's default selection (private subnets), which must contain exactly one subnet
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * A fixed primary private IPv4 address inside the subnet's CIDR.
   *
   * @default - AWS assigns an address from the subnet
   */
  readonly privateIpAddress?: string;

  /**
   * How many secondary private IPv4 addresses AWS assigns. Exclusive with `secondaryPrivateIpAddresses`.
   *
   * @default 0
   */
  readonly secondaryPrivateIpAddressCount?: number;

  /**
   * Fixed secondary private IPv4 addresses. Exclusive with `secondaryPrivateIpAddressCount`.
   *
   * @default - none
   */
  readonly secondaryPrivateIpAddresses?: string[];

  /**
   * Elastic IPs to associate, at most one per private IPv4 address.
   * More can be added later with `addElasticIp()`.
   *
   * @default - no Elastic IP
   */
  readonly elasticIps?: ElasticIpOptions[];

  /**
   * How many IPv6 addresses AWS assigns from the subnet's IPv6 CIDR. Exclusive with `ipv6Addresses`.
   *
   * @default 0
   */
  readonly ipv6AddressCount?: number;

  /**
   * Fixed IPv6 addresses from the subnet's IPv6 CIDR. Exclusive with `ipv6AddressCount`.
   *
   * @default - none
   */
  readonly ipv6Addresses?: string[];

  /**
   * The security groups of the network interface (at most 16 can be added to the interface in
   * all; the default Region quota is 5). More can be added with `addSecurityGroup()` or through
   * `connections`.
   *
   * @default - a new security group is created
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Whether the security group created by default allows all outbound traffic.
   * Ignored when `securityGroups` is given.
   *
   * @default true
   */
  readonly allowAllOutbound?: boolean;

  /**
   * Whether AWS drops traffic whose source or destination is not this interface. Turn it off for
   * NAT, proxy, VPN and load-balancer appliances that forward traffic.
   *
   * @default true
   */
  readonly sourceDestCheck?: boolean;

  /**
   * More administration ports that no security group of this interface may open to the internet
   * (0.0.0.0/0 or ::/0), besides SSH (tcp 22) and RDP (tcp 3389), which are always refused.
   * Checked at synth over every rule, including rules added later through `connections` or to
   * shared groups; a match is an error.
   *
   * @default - SSH and RDP only
   */
  readonly adminPorts?: ec2.Port[];

  /**
   * A description of the network interface (at most 255 characters).
   *
   * @default - the construct path
   */
  readonly description?: string;
}

/**
 * Attributes to import an existing network interface.
 */
export interface NetworkInterfaceAttributes {
  /** The ID of the network interface. */
  readonly networkInterfaceId: string;

  /**
   * The security groups of the network interface, for `connections`.
   *
   * @default - no security groups: `connections` cannot change its rules
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The primary private IPv4 address.
   *
   * @default - referencing `primaryPrivateIpAddress` throws
   */
  readonly primaryPrivateIpAddress?: string;

  /**
   * The Availability Zone of the interface's subnet.
   *
   * @default - unknown: AZ checks against instances are skipped
   */
  readonly availabilityZone?: string;
}

/**
 * Options of a static attachment of a network interface to an instance.
 */
export interface AttachToInstanceOptions {
  /**
   * The device index on the instance. Index 0 is the instance's primary interface and cannot be
   * used; each index can be taken once per instance.
   *
   * @default 1
   */
  readonly deviceIndex?: number;

  /**
   * Whether the network interface is deleted when the instance terminates.
   *
   * @default false
   */
  readonly deleteOnTermination?: boolean;

  /**
   * The instance type, used to check the number of interfaces and addresses against its limits
   * when it cannot be read from the instance construct (for example an imported instance).
   *
   * @default - read from the instance when it is defined in this app; otherwise unchecked
   */
  readonly instanceType?: ec2.InstanceType;
}

abstract class NetworkInterfaceBase extends Resource implements INetworkInterface {
  public abstract readonly networkInterfaceId: string;
  public abstract readonly primaryPrivateIpAddress: string;
  public abstract readonly connections: ec2.Connections;
  public abstract readonly availabilityZone?: string;

  public get networkInterfaceArn(): string {
    return Stack.of(this).formatArn({
      service: 'ec2',
      resource: 'network-interface',
      resourceName: this.networkInterfaceId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  public grantAttach(grantee: iam.IGrantable, ...instances: ec2.IInstance[]): iam.Grant {
    return this.grantWithInstances(grantee, 'ec2:AttachNetworkInterface', instances);
  }

  public grantDetach(grantee: iam.IGrantable, ...instances: ec2.IInstance[]): iam.Grant {
    return this.grantWithInstances(grantee, 'ec2:DetachNetworkInterface', instances);
  }

  public grantModify(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'ec2:ModifyNetworkInterfaceAttribute',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
        'ec2:AssignIpv6Addresses',
        'ec2:UnassignIpv6Addresses',
      ],
      resourceArns: [this.networkInterfaceArn],
    });
  }

  private grantWithInstances(grantee: iam.IGrantable, action: string, instances: ec2.IInstance[]): iam.Grant {
    if (instances.length === 0) {
      throw new Error(`${action} needs the instances it may act on: pass at least one instance to grant${action.includes('Attach') ? 'Attach' : 'Detach'}() so the policy is scoped to their ARNs`);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [action],
      resourceArns: [this.networkInterfaceArn, ...instances.map((i) => instanceArn(this, i))],
    });
  }
}

/**
 * An Elastic Network Interface (`AWS::EC2::NetworkInterface`) with every attribute AWS gives it:
 * primary and secondary private IPv4 addresses, an Elastic IP per private IPv4 address, IPv6
 * addresses, security groups, the source/destination check, a description, and the MAC address
 * on request.
 *
 * The interface can be attached statically to an instance with `attachToInstance()`. An interface
 * that moves between instances (failover) must not be attached that way: see `EniFailover`.
 *
 * @resource AWS::EC2::NetworkInterface
 */
export class NetworkInterface extends NetworkInterfaceBase {
  /**
   * Imports an existing network interface.
   */
  public static fromNetworkInterfaceAttributes(scope: Construct, id: string, attrs: NetworkInterfaceAttributes): INetworkInterface {
    class Import extends NetworkInterfaceBase {
      public readonly networkInterfaceId = attrs.networkInterfaceId;
      public readonly availabilityZone = attrs.availabilityZone;
      public readonly connections = new ec2.Connections({ securityGroups: attrs.securityGroups });

      public get primaryPrivateIpAddress(): string {
        if (attrs.primaryPrivateIpAddress === undefined) {
          throw new Error(`primaryPrivateIpAddress of the imported network interface ${attrs.networkInterfaceId} is unknown: pass it to fromNetworkInterfaceAttributes()`);
        }
        return attrs.primaryPrivateIpAddress;
      }
    }
    return new Import(scope, id);
  }

  /** The ID of the network interface. */
  public readonly networkInterfaceId: string;

  /** The primary private IPv4 address. */
  public readonly primaryPrivateIpAddress: string;

  /**
   * The secondary private IPv4 addresses: the given list, or one token per address assigned by
   * `secondaryPrivateIpAddressCount`.
   */
  public readonly secondaryPrivateIpAddresses: string[];

  /** The subnet the interface is placed in. */
  public readonly subnet: ec2.ISubnet;

  /** The VPC of the interface. */
  public readonly vpc: ec2.IVpc;

  /**
   * The Availability Zone of the interface's subnet.
   */
  public readonly availabilityZone?: string;

  /** The security groups of the interface, for rules in both directions. */
  public readonly connections: ec2.Connections;

  /** The underlying CloudFormation resource. */
  public readonly resource: ec2.CfnNetworkInterface;

  private readonly _elasticIps: AssociatedElasticIp[] = [];
  private readonly eipIndexes = new Set<number>();
  private readonly ipv6Count: number;
  private readonly explicitIpv6?: string[];
  private attachedTo?: string;
  private lookup?: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: NetworkInterfaceProps) {
    super(scope, id);

    this.vpc = props.vpc;
    this.subnet = selectExactlyOneSubnet(this, props.vpc, props.vpcSubnets, {
      prop: `vpcSubnets ${JSON.stringify(props.vpcSubnets ?? 'default selection', replacer)}`,
      why: 'a network interface lives in exactly one subnet; select one with { subnets: [subnet] } or add availabilityZones: [\'<az>\']',
    });
    this.availabilityZone = knownSubnetAz(this.subnet);
    validateProps(this.subnet, props);

    this.connections = new ec2.Connections({
      securityGroups: props.securityGroups ?? [
        new ec2.SecurityGroup(this, 'SecurityGroup', {
          vpc: props.vpc,
          description: `${this.node.path} network interface`,
          allowAllOutbound: props.allowAllOutbound ?? true,
        }),
      ],
    });

    const secondaryList = props.secondaryPrivateIpAddresses;
    this.ipv6Count = props.ipv6Addresses?.length ?? props.ipv6AddressCount ?? 0;
    this.explicitIpv6 = props.ipv6Addresses;

    this.resource = new ec2.CfnNetworkInterface(this, 'Resource', {
      subnetId: this.subnet.subnetId,
      description: props.description ?? this.node.path.slice(-255),
      groupSet: Lazy.list({ produce: () => this.connections.securityGroups.map((sg) => sg.securityGroupId) }),
      sourceDestCheck: props.sourceDestCheck,
      privateIpAddress: secondaryList ? undefined : props.privateIpAddress,
      privateIpAddresses: secondaryList
        ? [
          ...(props.privateIpAddress ? [{ primary: true, privateIpAddress: props.privateIpAddress }] : []),
          ...secondaryList.map((address) => ({ primary: false, privateIpAddress: address })),
        ]
        : undefined,
      secondaryPrivateIpAddressCount: secondaryList ? undefined : props.secondaryPrivateIpAddressCount,
      ipv6AddressCount: props.ipv6AddressCount,
      ipv6Addresses: props.ipv6Addresses?.map((ipv6Address) => ({ ipv6Address })),
    });

    const adminPorts = [...DEFAULT_ADMIN_PORTS, ...(props.adminPorts ?? [])];
    this.node.addValidation({
      validate: () => adminPortsOpenToInternet(this.connections.securityGroups, adminPorts, `network interface ${this.node.path}`),
    });

    this.networkInterfaceId = this.resource.ref;
    this.primaryPrivateIpAddress = this.resource.attrPrimaryPrivateIpAddress;
    this.secondaryPrivateIpAddresses = secondaryList
      ? [...secondaryList]
      : Array.from({ length: props.secondaryPrivateIpAddressCount ?? 0 }, (_, i) =>
        Fn.select(i, this.resource.attrSecondaryPrivateIpAddresses));

    for (const eip of props.elasticIps ?? []) {
      this.addElasticIp(eip);
    }
  }

  /** Every private IPv4 address of the interface: the primary first, then the secondaries. */
  public get privateIpAddresses(): string[] {
    return [this.primaryPrivateIpAddress, ...this.secondaryPrivateIpAddresses];
  }

  /** The Elastic IPs associated with the interface, in the order they were added. */
  public get elasticIps(): AssociatedElasticIp[] {
    return [...this._elasticIps];
  }

  /**
   * The IPv6 addresses of the interface: the given list, or (for `ipv6AddressCount`) tokens read
   * by a lookup custom resource that is created the first time this property is used.
   */
  public get ipv6Addresses(): string[] {
    if (this.explicitIpv6) {
      return [...this.explicitIpv6];
    }
    return Array.from({ length: this.ipv6Count }, (_, i) =>
      this.describe().getResponseField(`NetworkInterfaces.0.Ipv6Addresses.${i}.Ipv6Address`));
  }

  /**
   * The MAC address of the interface. CloudFormation does not return it, so using this property
   * creates a lookup custom resource (`DescribeNetworkInterfaces`) the first time it is read.
   */
  public get macAddress(): string {
    return this.describe().getResponseField('NetworkInterfaces.0.MacAddress');
  }

  /**
   * Adds a security group to the interface.
   */
  public addSecurityGroup(securityGroup: ec2.ISecurityGroup): void {
    this.connections.addSecurityGroup(securityGroup);
  }

  /**
   * Associates an Elastic IP with one of the interface's private IPv4 addresses (at most one
   * Elastic IP per private address).
   */
  public addElasticIp(options: ElasticIpOptions = {}): AssociatedElasticIp {
    const index = options.privateAddressIndex ?? 0;
    const addressCount = this.privateIpAddresses.length;
    if (!Number.isInteger(index) || index < 0 || index >= addressCount) {
      throw new Error(`elasticIps: privateAddressIndex ${index} does not name a private IPv4 address of this interface, which has ${addressCount} (index 0 is the primary, 1..${addressCount - 1} the secondaries): use an index from 0 to ${addressCount - 1}, or add secondary addresses`);
    }
    if (this.eipIndexes.has(index)) {
      throw new Error(`elasticIps: private address index ${index} already has an Elastic IP: AWS maps at most one Elastic IP to each private IPv4 address`);
    }
    this.eipIndexes.add(index);

    const suffix = index === 0 ? '' : `${index}`;
    // An Elastic IP can be allocated and associated only once the VPC's internet gateway is attached
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-eip.html):
    // with a VPC in the same template, CloudFormation must be told the order.
    const internet = this.subnet.internetConnectivityEstablished;
    let allocationId = options.allocationId;
    let publicIp: string | undefined;
    if (allocationId === undefined) {
      const eip = new ec2.CfnEIP(this, `ElasticIp${suffix}`, { domain: 'vpc' });
      eip.node.addDependency(internet);
      allocationId = eip.attrAllocationId;
      publicIp = eip.attrPublicIp;
    }
    const privateIpAddress = this.privateIpAddresses[index];
    const association = new ec2.CfnEIPAssociation(this, `ElasticIpAssociation${suffix}`, {
      allocationId,
      networkInterfaceId: this.networkInterfaceId,
      privateIpAddress,
    });
    association.node.addDependency(internet);
    const associated: AssociatedElasticIp = { privateIpAddress, allocationId, publicIp };
    this._elasticIps.push(associated);
    return associated;
  }

  /**
   * Attaches the interface to an instance for good (`AWS::EC2::NetworkInterfaceAttachment`).
   * Use this for interfaces that never move; a floating interface is placed by `EniFailover`.
   *
   * Checks at synth: the instance is in the interface's Availability Zone, the device index is
   * not 0 and not already taken, and the instance type allows this many interfaces and addresses.
   */
  public attachToInstance(instance: ec2.IInstance, options: AttachToInstanceOptions = {}): ec2.CfnNetworkInterfaceAttachment {
    if (this.attachedTo) {
      throw new Error(`${this.node.path} is already attached to ${this.attachedTo}: a network interface can be attached to one instance at a time`);
    }
    const deviceIndex = options.deviceIndex ?? 1;
    if (!Number.isInteger(deviceIndex) || deviceIndex < 1) {
      throw new Error(`deviceIndex ${deviceIndex} is not allowed: index 0 is the instance's primary network interface; use an integer from 1 up to the instance type's interface limit minus one`);
    }
    const inUse = deviceIndexesInUse(instance);
    const holder = inUse.get(deviceIndex);
    if (holder) {
      throw new Error(`deviceIndex ${deviceIndex} is already used on ${instance.node.path} by ${holder}: choose a free index (in use: ${[...inUse.keys()].sort((a, b) => a - b).join(', ')})`);
    }
    const instanceAz = knownInstanceAz(instance);
    if (instanceAz && this.availabilityZone && instanceAz !== this.availabilityZone) {
      throw new Error(`cannot attach ${this.node.path} (subnet in ${this.availabilityZone}) to ${instance.node.path} in ${instanceAz}: a network interface can only be attached to an instance in the same Availability Zone`);
    }
    const instanceType = options.instanceType?.toString() ?? knownInstanceType(instance);
    const indexes = [...inUse.keys(), deviceIndex].sort((a, b) => a - b);
    checkEniCount(this, instanceType, indexes.length, `${instance.node.path} (device indexes ${indexes.join(', ')})`);
    checkIpv4PerEni(this, instanceType, this.privateIpAddresses.length, this.node.path);
    checkIpv6PerEni(this, instanceType, this.ipv6Count, this.node.path);

    claimDeviceIndex(instance, deviceIndex, this.node.path);
    this.attachedTo = instance.node.path;
    return new ec2.CfnNetworkInterfaceAttachment(this, 'Attachment', {
      instanceId: instance.instanceId,
      networkInterfaceId: this.networkInterfaceId,
      deviceIndex: String(deviceIndex),
      deleteOnTermination: options.deleteOnTermination ?? false,
    });
  }

  private describe(): cr.AwsCustomResource {
    if (!this.lookup) {
      const call: cr.AwsSdkCall = {
        service: 'EC2',
        action: 'describeNetworkInterfaces',
        parameters: { NetworkInterfaceIds: [this.networkInterfaceId] },
        physicalResourceId: cr.PhysicalResourceId.of(this.networkInterfaceId),
        outputPaths: [
          'NetworkInterfaces.0.MacAddress',
          ...Array.from({ length: this.ipv6Count }, (_, i) => `NetworkInterfaces.0.Ipv6Addresses.${i}.Ipv6Address`),
        ],
      };
      this.lookup = new cr.AwsCustomResource(this, 'Lookup', {
        onCreate: call,
        onUpdate: call,
        installLatestAwsSdk: false,
        // ec2:DescribeNetworkInterfaces supports no resource-level permissions: AWS accepts only '*'.
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      });
    }
    return this.lookup;
  }
}


function replacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && 'node' in (value as object)) {
    return (value as Construct).node.path;
  }
  return value;
}

function validateProps(subnet: ec2.ISubnet, props: NetworkInterfaceProps): void {
  const cidr = knownSubnetIpv4Cidr(subnet);
  const subnetLabel = subnetName(subnet);

  if (props.secondaryPrivateIpAddressCount !== undefined && props.secondaryPrivateIpAddresses !== undefined) {
    throw new Error(`secondaryPrivateIpAddressCount (${props.secondaryPrivateIpAddressCount}) and secondaryPrivateIpAddresses (${JSON.stringify(props.secondaryPrivateIpAddresses)}) are exclusive: give a count for automatic addresses or a list of fixed ones, not both`);
  }
  if (props.ipv6AddressCount !== undefined && props.ipv6Addresses !== undefined) {
    throw new Error(`ipv6AddressCount (${props.ipv6AddressCount}) and ipv6Addresses (${JSON.stringify(props.ipv6Addresses)}) are exclusive: give a count for automatic addresses or a list of fixed ones, not both`);
  }
  for (const [name, value] of [['secondaryPrivateIpAddressCount', props.secondaryPrivateIpAddressCount], ['ipv6AddressCount', props.ipv6AddressCount]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 0)) {
      throw new Error(`${name} ${value} is not allowed: use a whole number of 0 or more`);
    }
  }
  if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > 255) {
    throw new Error(`description is ${props.description.length} characters long ('${props.description.slice(0, 40)}...'): AWS allows at most 255`);
  }

  const ipv4: Array<[string, string]> = [
    ...(props.privateIpAddress ? [['privateIpAddress', props.privateIpAddress] as [string, string]] : []),
    ...(props.secondaryPrivateIpAddresses ?? []).map((a) => ['secondaryPrivateIpAddresses', a] as [string, string]),
  ];
  const seen = new Set<string>();
  for (const [prop, address] of ipv4) {
    if (Token.isUnresolved(address)) {
      continue;
    }
    if (parseIpv4(address) === undefined) {
      throw new Error(`${prop} '${address}' is not an IPv4 address: use dotted-quad form such as 10.0.1.10`);
    }
    if (seen.has(address)) {
      throw new Error(`${prop} '${address}' is given more than once: every private IPv4 address of an interface must be unique`);
    }
    seen.add(address);
    if (cidr && !ipv4InCidr(address, cidr)) {
      throw new Error(`${prop} '${address}' is outside subnet ${subnetLabel} (${cidr}): choose an address inside the subnet's CIDR`);
    }
    if (cidr && ipv4ReservedInSubnet(address, cidr)) {
      throw new Error(`${prop} '${address}' is reserved by AWS in subnet ${subnetLabel} (${cidr}): the first four addresses and the last address of every subnet cannot be assigned`);
    }
  }

  const wantsIpv6 = (props.ipv6AddressCount ?? 0) > 0 || (props.ipv6Addresses?.length ?? 0) > 0;
  if (wantsIpv6 && subnetHasIpv6(subnet) === false) {
    throw new Error(`${props.ipv6Addresses ? `ipv6Addresses ${JSON.stringify(props.ipv6Addresses)}` : `ipv6AddressCount ${props.ipv6AddressCount}`} asks for IPv6 on subnet ${subnetLabel}, which has no IPv6 CIDR block: add IPv6 to the VPC and subnet (ipProtocol: ec2.IpProtocol.DUAL_STACK) or drop the IPv6 addresses`);
  }
  const v6Seen = new Set<string>();
  const v6Cidrs = subnetIpv6Cidrs(subnet);
  for (const address of props.ipv6Addresses ?? []) {
    if (Token.isUnresolved(address)) {
      continue;
    }
    if (parseIpv6(address) === undefined) {
      throw new Error(`ipv6Addresses '${address}' is not an IPv6 address: use a form such as 2001:db8::10`);
    }
    const canonical = canonicalIpv6(address);
    if (v6Seen.has(canonical)) {
      throw new Error(`ipv6Addresses '${address}' is given more than once: every IPv6 address of an interface must be unique`);
    }
    v6Seen.add(canonical);
    if (v6Cidrs && !v6Cidrs.some((c) => ipv6InCidr(address, c))) {
      throw new Error(`ipv6Addresses '${address}' is outside subnet ${subnetLabel} (${v6Cidrs.join(', ')}): choose an address inside the subnet's IPv6 CIDR`);
    }
  }

  if (props.secondaryPrivateIpAddresses && !props.privateIpAddress) {
    // CloudFormation cannot combine an automatic primary address with fixed secondary addresses:
    // the first listed address would silently become the primary.
    throw new Error(`secondaryPrivateIpAddresses ${JSON.stringify(props.secondaryPrivateIpAddresses)} needs privateIpAddress: CloudFormation cannot mix an automatic primary address with fixed secondary addresses; set privateIpAddress too, or use secondaryPrivateIpAddressCount`);
  }

  const eips = props.elasticIps ?? [];
  const privateCount = 1 + (props.secondaryPrivateIpAddresses?.length ?? props.secondaryPrivateIpAddressCount ?? 0);
  if (!Token.isUnresolved(privateCount) && eips.length > privateCount) {
    throw new Error(`elasticIps has ${eips.length} entries but the interface has ${privateCount} private IPv4 address${privateCount === 1 ? '' : 'es'}: AWS maps at most one Elastic IP to each private IPv4 address; add secondary addresses or remove Elastic IPs`);
  }
}

/** The subnet's IPv6 CIDR blocks when they are literal strings (in-app subnets with a fixed block). */
function subnetIpv6Cidrs(subnet: ec2.ISubnet): string[] | undefined {
  const cfn = subnet.node.defaultChild;
  if (cfn instanceof ec2.CfnSubnet && typeof cfn.ipv6CidrBlock === 'string' && !Token.isUnresolved(cfn.ipv6CidrBlock)) {
    return [cfn.ipv6CidrBlock];
  }
  return undefined;
}

function instanceArn(scope: Construct, instance: ec2.IInstance): string {
  return Stack.of(scope).formatArn({
    service: 'ec2',
    resource: 'instance',
    resourceName: instance.instanceId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
