import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArnFormat, Fn, Lazy, Resource, Stack } from 'aws-cdk-lib/core';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { AssociatedElasticIp, AttachToInstanceOptions, ElasticIpOptions, INetworkInterface, NetworkInterfaceAttributes, NetworkInterfaceProps } from './network-interface-props';
import { adminPortsOpenToInternet, DEFAULT_ADMIN_PORTS } from './private/admin-ports';
import { claimDeviceIndex, deviceIndexesInUse } from './private/device-indexes';
import { checkEniCount, checkIpv4PerEni, checkIpv6PerEni } from './private/instance-limits-check';
import { knownInstanceAz, knownInstanceType, knownSubnetAz, selectExactlyOneSubnet } from './private/introspect';
import { validateProps } from './private/network-interface-validation';

export * from './network-interface-props';

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

function instanceArn(scope: Construct, instance: ec2.IInstance): string {
  return Stack.of(scope).formatArn({
    service: 'ec2',
    resource: 'instance',
    resourceName: instance.instanceId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
