import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Annotations, Token, Validations } from 'aws-cdk-lib/core';
import { Construct, IDependable } from 'constructs';
import { EniFailover } from './failover/eni-failover';
import { FailoverTrigger } from './failover/failover-trigger';
import { AssociatedElasticIp, INetworkInterface, NetworkInterface } from './network-interface';
import { renderFloatingInterfaceCommands } from './private/floating-interface-user-data';
import { renderForwardingCommands } from './private/forwarding-user-data';
import { knownSubnetAz, knownSubnetIpv4Cidr, selectExactlyOneSubnet, subnetName } from './private/introspect';
import { parseIpv4Cidr } from './private/ip';
import { existingRoute, subnetIsPublic } from './private/routes';

/**
 * What a routing appliance does with the traffic routed to it.
 */
export class ApplianceRole {
  /**
   * A NAT instance: IP forwarding plus masquerading of the routed subnets' traffic out of the
   * forwarding interface, whose Elastic IP becomes their public source address. Amazon Linux 2023
   * only (the user data uses nftables and systemd).
   */
  public static nat(): ApplianceRole {
    return new ApplianceRole('nat', true);
  }

  /**
   * A proxy or load balancer (HAProxy, Envoy, Squid, a firewall...): IP forwarding is enabled and
   * persisted, and the software is yours to install (add commands to `userData`).
   */
  public static proxy(): ApplianceRole {
    return new ApplianceRole('proxy', false);
  }

  /**
   * @param name the role's name, `nat` or `proxy`
   * @param masquerade whether the appliance masquerades forwarded traffic
   */
  private constructor(public readonly name: string, public readonly masquerade: boolean) {}
}

/**
 * A route to add to the appliance's forwarding interface.
 */
export interface ApplianceRouteOptions {
  /**
   * The subnet whose route table gets the route. Give `subnet` or `routeTableId`.
   *
   * @default - `routeTableId` is used
   */
  readonly subnet?: ec2.ISubnet;

  /**
   * The route table that gets the route. Give `subnet` or `routeTableId`.
   *
   * @default - the route table of `subnet`
   */
  readonly routeTableId?: string;

  /**
   * The destination of the route.
   *
   * @default - the appliance's `destinationCidrBlock` ('0.0.0.0/0' unless set)
   */
  readonly destinationCidrBlock?: string;
}

/**
 * Properties of a {@link RoutingAppliance}.
 */
export interface RoutingApplianceProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /** What the appliance does: `ApplianceRole.nat()` or `ApplianceRole.proxy()`. */
  readonly role: ApplianceRole;

  /**
   * The subnet of the appliance's instances and of its forwarding interface; it must resolve to
   * one subnet. A NAT appliance needs a public subnet.
   *
   * @default - NAT: the VPC's public subnet in its first Availability Zone; proxy: the VPC's
   * default (private) subnet in its first Availability Zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The subnets whose route tables send `destinationCidrBlock` to the forwarding interface. The
   * security group of the interface admits traffic from these subnets' CIDRs only.
   * More routes can be added with `addRoute()`.
   *
   * @default - no routes
   */
  readonly routedSubnets?: ec2.SubnetSelection;

  /**
   * The destination the routed subnets send to the appliance.
   *
   * @default '0.0.0.0/0'
   */
  readonly destinationCidrBlock?: string;

  /**
   * An existing network interface to forward on (it must be in the appliance's subnet and, to
   * be a route target, have its source/destination check off).
   *
   * @default - a new interface with the source/destination check off (and, for NAT, an Elastic IP)
   */
  readonly networkInterface?: INetworkInterface;

  /**
   * Whether the new forwarding interface gets an Elastic IP. Ignored with `networkInterface`.
   *
   * @default - true for NAT, false for proxy
   */
  readonly elasticIp?: boolean;

  /**
   * The instance type of the appliance's instances.
   *
   * @default t4g.nano
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The image of the appliance's instances. The forwarding user data (dnf, nftables, systemd units)
   * is written for Amazon Linux 2023: another image must be compatible with it.
   *
   * @default - the latest Amazon Linux 2023 for the instance type's architecture
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * The device name of the image's root volume, which is created encrypted (gp3, 8 GiB).
   *
   * @default '/dev/xvda' (Amazon Linux)
   */
  readonly rootDeviceName?: string;

  /**
   * Whether a standby instance takes over the forwarding interface (with its Elastic IP and the
   * routes that target it) when the primary fails, through `EniFailover`.
   *
   * @default false
   */
  readonly standby?: boolean;

  /**
   * What triggers a failover (with `standby`).
   *
   * @default - the `EniFailover` defaults
   */
  readonly failoverTriggers?: FailoverTrigger[];

  /**
   * Email addresses notified of failovers (with `standby`).
   *
   * @default - none
   */
  readonly alarmEmails?: string[];

  /**
   * Whether the instances have termination protection (which also blocks stack deletion).
   *
   * @default false
   */
  readonly terminationProtection?: boolean;
}

/**
 * A NAT, proxy or load-balancer appliance on a forwarding network interface: the interface has
 * its source/destination check off, the routes of the chosen subnets target the interface (not
 * the instance, so an `EniFailover` move carries the route target along), and the instance's user
 * data configures forwarding (plus masquerading for NAT) on Amazon Linux 2023. With `standby`, a
 * second instance in the same Availability Zone takes the interface over through `EniFailover`.
 */
export class RoutingAppliance extends Construct implements ec2.IConnectable {
  /** The instance that holds the forwarding interface while it is healthy. */
  public readonly instance: ec2.Instance;

  /**
   * The standby instance.
   *
   * @default - none unless `standby` is true
   */
  public readonly standbyInstance?: ec2.Instance;

  /**
   * The failover that moves the forwarding interface.
   *
   * @default - none unless `standby` is true
   */
  public readonly failover?: EniFailover;

  /** The forwarding network interface: the target of every route. */
  public readonly networkInterface: INetworkInterface;

  /**
   * The Elastic IP of the forwarding interface (the public source address of NAT traffic).
   *
   * @default - none
   */
  public readonly elasticIp?: AssociatedElasticIp;

  /** The Availability Zone of the appliance, when known. */
  public readonly availabilityZone?: string;

  /** The security groups of the forwarding interface. */
  public readonly connections: ec2.Connections;

  /** The user data of the appliance's instances (add a proxy's installation here). */
  public readonly userData: ec2.UserData;

  private readonly _routes: ec2.CfnRoute[] = [];
  private readonly routeKeys = new Map<string, string>();
  private readonly destination: string;
  private readonly placement: IDependable;
  private readonly sourceDestCheckOff: boolean | undefined;

  constructor(scope: Construct, id: string, props: RoutingApplianceProps) {
    super(scope, id);

    this.destination = props.destinationCidrBlock ?? '0.0.0.0/0';
    validateDestination('destinationCidrBlock', this.destination);
    const nat = props.role.masquerade;

    const routed = props.routedSubnets ? props.vpc.selectSubnets(props.routedSubnets).subnets : [];
    if (props.routedSubnets && routed.length === 0) {
      throw new Error(`routedSubnets ${JSON.stringify(props.routedSubnets, (k, v) => (k === 'subnets' ? undefined : v))} selects no subnet: select the private subnets whose traffic goes through the appliance, or leave routedSubnets unset and use addRoute()`);
    }
    const sourceCidrs = routed.map((subnet) => {
      const cidr = knownSubnetIpv4Cidr(subnet) ?? tokenCidr(subnet);
      if (!cidr) {
        throw new Error(`routedSubnets includes ${subnetName(subnet)}, whose IPv4 CIDR is unknown: the appliance admits traffic from the routed subnets' CIDRs only; import the subnet with ipv4CidrBlock`);
      }
      return cidr;
    });

    // The appliance's own subnet: instances and forwarding interface share it (and so its AZ).
    const adopted = props.networkInterface;
    const selection = props.vpcSubnets ?? (nat
      ? { subnetType: ec2.SubnetType.PUBLIC, availabilityZones: [props.vpc.availabilityZones[0]] }
      : { availabilityZones: [props.vpc.availabilityZones[0]] });
    const subnet = adopted instanceof NetworkInterface && !props.vpcSubnets ? adopted.subnet : selectExactlyOneSubnet(this, props.vpc, selection, {
      prop: 'vpcSubnets',
      why: 'an appliance and its forwarding interface live in exactly one subnet; select one with { subnets: [subnet] } or add availabilityZones: [\'<az>\']',
    });
    this.availabilityZone = knownSubnetAz(subnet);
    if (nat && subnetIsPublic(props.vpc, subnet) === false) {
      throw new Error(`vpcSubnets selects ${subnetName(subnet)}, which has no route to an internet gateway: a NAT appliance sends the routed subnets' traffic to the internet; place it in a public subnet`);
    }
    if (adopted) {
      if (props.elasticIp !== undefined) {
        throw new Error(`elasticIp applies to the forwarding interface RoutingAppliance creates, but networkInterface ${adopted.node.path} is given: add the Elastic IP to the adopted interface itself`);
      }
      const eniAz = adopted.availabilityZone && !Token.isUnresolved(adopted.availabilityZone) ? adopted.availabilityZone : undefined;
      if (eniAz && this.availabilityZone && eniAz !== this.availabilityZone) {
        throw new Error(`networkInterface ${adopted.node.path} is in ${eniAz} but the appliance's subnet ${subnetName(subnet)} is in ${this.availabilityZone}: a network interface can only be attached to instances in its own Availability Zone; choose vpcSubnets in ${eniAz}`);
      }
    }
    for (const s of routed) {
      if (s === subnet || (!Token.isUnresolved(s.subnetId) && s.subnetId === subnet.subnetId)) {
        throw new Error(`routedSubnets includes the appliance's own subnet ${subnetName(subnet)}: its ${this.destination} route would point at the appliance itself, which then cannot reach its destination; route only other subnets`);
      }
    }

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} forwarding interface: traffic from the routed subnets only`,
      allowAllOutbound: true,
    });
    let eni: INetworkInterface;
    if (adopted) {
      eni = adopted;
      this.sourceDestCheckOff = sourceDestCheckOff(adopted);
      if (nat && this.sourceDestCheckOff === false) {
        throw new Error(`networkInterface ${adopted.node.path} has its source/destination check on: AWS drops every packet a NAT appliance forwards through it; create it with sourceDestCheck: false`);
      }
      if (this.sourceDestCheckOff === undefined) {
        Annotations.of(this).addWarningV2('cdk-eni-patterns:source-dest-check-unknown',
          `the source/destination check of the imported networkInterface ${adopted.networkInterfaceId} cannot be read at synth: make sure it is off (aws ec2 modify-network-interface-attribute --no-source-dest-check), or forwarded packets are dropped`);
      }
      this.elasticIp = adopted instanceof NetworkInterface ? adopted.elasticIps[0] : undefined;
    } else {
      const created = new NetworkInterface(this, 'NetworkInterface', {
        vpc: props.vpc,
        vpcSubnets: { subnets: [subnet] },
        securityGroups: [securityGroup],
        sourceDestCheck: false,
        description: `Forwarding interface of ${this.node.path}`.slice(0, 255),
        elasticIps: (props.elasticIp ?? nat) ? [{}] : undefined,
      });
      eni = created;
      this.sourceDestCheckOff = true;
      this.elasticIp = created.elasticIps[0];
    }
    this.networkInterface = eni;
    this.connections = eni.connections;
    for (const cidr of sourceCidrs) {
      this.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.allTraffic(), 'traffic of a routed subnet');
    }

    this.userData = ec2.UserData.forLinux();
    this.userData.addCommands(...renderForwardingCommands({ masquerade: nat, networkInterfaceId: eni.networkInterfaceId, sourceCidrs }));
    // The forwarding interface moves between the primary and the standby: amazon-ec2-net-utils gives it its address.
    this.userData.addCommands(...renderFloatingInterfaceCommands({ os: 'al2023', networkInterfaceId: eni.networkInterfaceId }));

    const instanceType = props.instanceType ?? new ec2.InstanceType('t4g.nano');
    const machineImage = props.machineImage ?? ec2.MachineImage.latestAmazonLinux2023({
      cpuType: instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64,
    });
    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} instances (primary interfaces): no inbound traffic`,
      allowAllOutbound: true,
    });
    const newInstance = (instanceId: string) => {
      const instance = new ec2.Instance(this, instanceId, {
        vpc: props.vpc,
        vpcSubnets: { subnets: [subnet] },
        instanceType,
        machineImage,
        userData: this.userData,
        securityGroup: instanceSecurityGroup,
        // IMDSv2 through the instance's own MetadataOptions: `requireImdsv2` would add a launch
        // template with a fixed name (`InstanceLaunchTemplate`) that a second appliance cannot reuse.
        httpTokens: ec2.HttpTokens.REQUIRED,
        httpEndpoint: true,
        detailedMonitoring: true,
        disableApiTermination: props.terminationProtection ?? false,
        blockDevices: [{ deviceName: props.rootDeviceName ?? '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
      });
      if (!props.terminationProtection) {
        Validations.of(instance).acknowledge({
          id: 'AwsSolutions-EC29',
          reason: 'A routing appliance instance is replaceable: its state is the forwarding interface, which outlives it; termination protection would also block stack deletion (set terminationProtection to turn it on)',
        });
      }
      return instance;
    };
    this.instance = newInstance('Instance');

    if (props.standby) {
      this.standbyInstance = newInstance('StandbyInstance');
      this.failover = new EniFailover(this, 'Failover', {
        primary: this.instance,
        standby: this.standbyInstance,
        networkInterface: eni,
        deviceIndex: 1,
        triggers: props.failoverTriggers,
        alarmEmails: props.alarmEmails,
      });
      // Routes wait for the deploy-time placement, so they never point at an interface no instance holds.
      this.placement = this.failover.node.tryFindChild('Placement') ?? this.failover;
    } else {
      if (props.failoverTriggers || props.alarmEmails) {
        throw new Error(`${props.failoverTriggers ? 'failoverTriggers' : 'alarmEmails'} applies to the failover of a standby, but standby is not set: set standby: true or drop it`);
      }
      this.placement = eni instanceof NetworkInterface
        ? eni.attachToInstance(this.instance, { deviceIndex: 1 })
        : new ec2.CfnNetworkInterfaceAttachment(this, 'Attachment', {
          instanceId: this.instance.instanceId,
          networkInterfaceId: eni.networkInterfaceId,
          deviceIndex: '1',
          deleteOnTermination: false,
        });
    }

    for (const s of routed) {
      this.addRoute(`${s.node.id}Route`, { subnet: s });
    }
  }

  /** The routes that target the forwarding interface. */
  public get routes(): ec2.CfnRoute[] {
    return [...this._routes];
  }

  /**
   * Adds a route to the forwarding interface (`AWS::EC2::Route` with `NetworkInterfaceId`, never
   * `InstanceId`: the route follows the interface when it moves to the standby). Routes to an
   * interface work from any subnet of the VPC, in any Availability Zone; a subnet in another
   * AZ than the appliance gets a warning (cross-AZ data charges, and the subnet loses its route
   * when the appliance's AZ fails).
   */
  public addRoute(id: string, options: ApplianceRouteOptions): ec2.CfnRoute {
    if ((options.subnet === undefined) === (options.routeTableId === undefined)) {
      throw new Error(`addRoute('${id}') needs exactly one of subnet or routeTableId (got ${options.subnet ? 'both' : 'neither'})`);
    }
    if (this.sourceDestCheckOff === false) {
      throw new Error(`addRoute('${id}') targets network interface ${this.networkInterface.node.path}, whose source/destination check is on: AWS drops forwarded packets whose source or destination is not the interface itself; create it with sourceDestCheck: false`);
    }
    const destination = options.destinationCidrBlock ?? this.destination;
    validateDestination('destinationCidrBlock', destination);
    const routeTableId = options.routeTableId ?? options.subnet!.routeTable.routeTableId;
    const where = options.subnet ? `subnet ${subnetName(options.subnet)}` : `route table ${Token.isUnresolved(routeTableId) ? '(token)' : routeTableId}`;
    const key = `${routeTableId}|${destination}`;
    const previous = this.routeKeys.get(key);
    if (previous) {
      throw new Error(`addRoute('${id}'): ${where} already routes ${destination} to this appliance (route '${previous}'): a route table holds one route per destination`);
    }
    const clash = existingRoute(this, routeTableId, destination);
    if (clash) {
      throw new Error(`addRoute('${id}'): ${where} already has a route for ${destination} (${clash.node.path}): a route table holds one route per destination; route these subnets through either target, not both`);
    }
    if (options.subnet) {
      const az = knownSubnetAz(options.subnet);
      if (az && this.availabilityZone && az !== this.availabilityZone) {
        Annotations.of(this).addWarningV2('cdk-eni-patterns:cross-az-route',
          `${where} (${az}) routes ${destination} to the appliance in ${this.availabilityZone}: traffic crosses Availability Zones (charged per GB) and stops when ${this.availabilityZone} fails; add an appliance per AZ for AZ independence`);
      }
    }
    const route = new ec2.CfnRoute(this, id, {
      routeTableId,
      destinationCidrBlock: destination,
      networkInterfaceId: this.networkInterface.networkInterfaceId,
    });
    route.node.addDependency(this.placement);
    this.routeKeys.set(key, id);
    this._routes.push(route);
    return route;
  }
}

function sourceDestCheckOff(eni: INetworkInterface): boolean | undefined {
  if (!(eni instanceof NetworkInterface)) {
    return undefined;
  }
  const check = eni.resource.sourceDestCheck;
  if (check === undefined) {
    return false;
  }
  return Token.isUnresolved(check) ? undefined : check === false;
}

/** The subnet's IPv4 CIDR when it is a token (a subnet of this app without a literal block), else undefined. */
function tokenCidr(subnet: ec2.ISubnet): string | undefined {
  try {
    return Token.isUnresolved(subnet.ipv4CidrBlock) ? subnet.ipv4CidrBlock : undefined;
  } catch {
    // Imported subnets without ipv4CidrBlock throw on access.
    return undefined;
  }
}

function validateDestination(name: string, cidr: string): void {
  if (!Token.isUnresolved(cidr) && parseIpv4Cidr(cidr) === undefined) {
    throw new Error(`${name} '${cidr}' is not an IPv4 CIDR block: use a form such as 0.0.0.0/0 or 192.168.0.0/16`);
  }
}


