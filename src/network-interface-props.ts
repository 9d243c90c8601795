import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IResource } from 'aws-cdk-lib/core';

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
