/**
 * The network model that `Topology` reads from synthesized CloudFormation templates.
 *
 * Every resource is identified by `id`: `<stack display name>/<logical ID>` for resources defined
 * in a template, or the literal value for resources the templates only reference (an imported
 * `subnet-0123`, an `import:<export name>` that no stack of the assembly exports, a `param:<name>`).
 */

/**
 * What a subnet is for, as far as its routes and tags tell.
 */
export enum SubnetKind {
  /** Routed to an internet gateway. */
  PUBLIC = 'public',
  /** No route to an internet gateway. */
  PRIVATE = 'private',
  /**
   * A management subnet: tagged `cdk-eni-patterns:subnet-role` = `management`, or its CDK subnet
   * group name (or `Name` tag) mentions management, mgmt or admin.
   */
  MANAGEMENT = 'management',
  /** A subnet the templates only reference (imported): its routes are unknown. */
  UNKNOWN = 'unknown',
}

/**
 * Where inbound traffic allowed by a security-group rule comes from.
 */
export enum IngressSourceKind {
  /** An IPv4 CIDR block (`CidrIp`). */
  IPV4_CIDR = 'ipv4-cidr',
  /** An IPv6 CIDR block (`CidrIpv6`). */
  IPV6_CIDR = 'ipv6-cidr',
  /** A managed prefix list (`SourcePrefixListId`). */
  PREFIX_LIST = 'prefix-list',
  /** Another security group (`SourceSecurityGroupId`). */
  SECURITY_GROUP = 'security-group',
}

/**
 * A way into the network from outside it.
 */
export enum EntryPointKind {
  /** An AWS Client VPN endpoint (`AWS::EC2::ClientVpnEndpoint`). */
  CLIENT_VPN = 'client-vpn',
  /** A virtual private gateway for site-to-site VPN or Direct Connect (`AWS::EC2::VPNGateway`). */
  VPN_GATEWAY = 'vpn-gateway',
  /** An EC2 Instance Connect Endpoint (`AWS::EC2::InstanceConnectEndpoint`). */
  INSTANCE_CONNECT_ENDPOINT = 'instance-connect-endpoint',
  /** A VPC interface endpoint (`AWS::EC2::VPCEndpoint` of type `Interface`), e.g. Session Manager. */
  INTERFACE_ENDPOINT = 'interface-endpoint',
}

/**
 * How a network interface is attached to an instance.
 */
export enum AttachmentKind {
  /** Created or attached when the instance launches (`NetworkInterfaces` of the instance). */
  LAUNCH = 'launch',
  /** A static `AWS::EC2::NetworkInterfaceAttachment`. */
  STATIC = 'static',
  /** A floating interface placed by failover on this candidate first (the primary). */
  FAILOVER_PRIMARY = 'failover-primary',
  /** A floating interface that moves to this candidate when the ones before it are unhealthy. */
  FAILOVER_STANDBY = 'failover-standby',
}

/**
 * What a route sends traffic to.
 */
export enum RouteTargetKind {
  /** An internet gateway. */
  INTERNET_GATEWAY = 'internet-gateway',
  /** An egress-only internet gateway (IPv6). */
  EGRESS_ONLY_INTERNET_GATEWAY = 'egress-only-internet-gateway',
  /** A NAT gateway. */
  NAT_GATEWAY = 'nat-gateway',
  /** A network interface (an appliance). */
  NETWORK_INTERFACE = 'network-interface',
  /** An instance (its primary network interface). */
  INSTANCE = 'instance',
  /** A virtual private gateway, including routes it propagates. */
  VPN_GATEWAY = 'vpn-gateway',
  /** A transit gateway. */
  TRANSIT_GATEWAY = 'transit-gateway',
  /** A VPC peering connection. */
  VPC_PEERING = 'vpc-peering',
  /** A gateway load balancer or other VPC endpoint. */
  VPC_ENDPOINT = 'vpc-endpoint',
  /** Anything else. */
  OTHER = 'other',
}

/**
 * How serious a finding is.
 */
export enum FindingSeverity {
  /** Exposes something to the internet or breaks the design as deployed. */
  HIGH = 'high',
  /** A mistake that is one change away from exposure, or that breaks a feature. */
  MEDIUM = 'medium',
}

/**
 * A stack the model was read from.
 */
export interface TopologyStack {
  /** The stack's display name (its construct path, e.g. `Stage/Stack`). */
  readonly name: string;
  /**
   * The account the stack deploys to.
   *
   * @default - environment-agnostic
   */
  readonly account?: string;
  /**
   * The Region the stack deploys to.
   *
   * @default - environment-agnostic
   */
  readonly region?: string;
  /** How many resources the template has. */
  readonly resourceCount: number;
  /** How many resources of each CloudFormation type the template has. */
  readonly resourceTypes: Record<string, number>;
}

/**
 * A VPC.
 */
export interface TopologyVpc {
  /** The VPC's id in the model. */
  readonly id: string;
  /** A short readable name. */
  readonly name: string;
  /** Whether the VPC is only referenced (imported), not defined, by the templates. */
  readonly imported: boolean;
  /**
   * The stack that defines the VPC.
   *
   * @default - imported
   */
  readonly stackName?: string;
  /**
   * The primary IPv4 CIDR block.
   *
   * @default - unknown
   */
  readonly cidr?: string;
}

/**
 * A subnet.
 */
export interface TopologySubnet {
  /** The subnet's id in the model. */
  readonly id: string;
  /** A short readable name. */
  readonly name: string;
  /** What the subnet is for. */
  readonly kind: SubnetKind;
  /** Whether the subnet is only referenced (imported), not defined, by the templates. */
  readonly imported: boolean;
  /** Whether instances launched in the subnet get a public IPv4 address by default. */
  readonly mapPublicIpOnLaunch: boolean;
  /**
   * The stack that defines the subnet.
   *
   * @default - imported
   */
  readonly stackName?: string;
  /**
   * The VPC's id in the model.
   *
   * @default - unknown
   */
  readonly vpcId?: string;
  /**
   * The IPv4 CIDR block.
   *
   * @default - unknown
   */
  readonly cidr?: string;
  /**
   * The Availability Zone.
   *
   * @default - unknown
   */
  readonly availabilityZone?: string;
  /**
   * The route table associated with the subnet.
   *
   * @default - none known
   */
  readonly routeTableId?: string;
}

/**
 * A route of a route table.
 */
export interface TopologyRoute {
  /** The destination: a CIDR block, a prefix list, or `propagated` for routes a VPN gateway propagates. */
  readonly destination: string;
  /** What the route sends traffic to. */
  readonly targetKind: RouteTargetKind;
  /** The target's id in the model. */
  readonly targetId: string;
}

/**
 * A route table.
 */
export interface TopologyRouteTable {
  /** The route table's id in the model. */
  readonly id: string;
  /**
   * The stack that defines the route table.
   *
   * @default - imported
   */
  readonly stackName?: string;
  /** The routes. */
  readonly routes: TopologyRoute[];
  /** The subnets associated with the route table. */
  readonly subnetIds: string[];
}

/**
 * An EC2 instance.
 */
export interface TopologyInstance {
  /** The instance's id in the model. */
  readonly id: string;
  /** A short readable name (its `Name` tag or logical ID). */
  readonly name: string;
  /** Whether the instance is only referenced (imported), not defined, by the templates. */
  readonly imported: boolean;
  /**
   * The stack that defines the instance.
   *
   * @default - imported
   */
  readonly stackName?: string;
  /**
   * The instance type.
   *
   * @default - unknown
   */
  readonly instanceType?: string;
  /**
   * The Availability Zone: the instance's own, or its primary interface's subnet's.
   *
   * @default - unknown
   */
  readonly availabilityZone?: string;
}

/**
 * An Elastic IP associated with a network interface.
 */
export interface TopologyElasticIp {
  /** The Elastic IP: a literal allocation ID or address, or the id of the `AWS::EC2::EIP` in the model. */
  readonly id: string;
  /**
   * The private IPv4 address it maps to.
   *
   * @default - the primary private address
   */
  readonly privateIpAddress?: string;
}

/**
 * A network interface: an `AWS::EC2::NetworkInterface`, or one an instance creates when it launches.
 */
export interface TopologyNetworkInterface {
  /** The interface's id in the model (`<instance id>#eth<n>` for interfaces created at launch). */
  readonly id: string;
  /** A short readable name. */
  readonly name: string;
  /** Whether the interface is created by an instance at launch rather than by its own resource. */
  readonly createdAtLaunch: boolean;
  /**
   * The AWS service that creates and owns the interface: `ecs` (one per task in awsvpc mode, e.g.
   * Fargate), `elasticloadbalancing` (one per subnet of a load balancer), `autoscaling` (the
   * instances of an Auto Scaling group, drawn as one).
   *
   * @default - the templates create it (or an instance does at launch)
   */
  readonly managedBy?: string;
  /**
   * The stack that defines the interface.
   *
   * @default - imported
   */
  readonly stackName?: string;
  /**
   * The subnet's id in the model.
   *
   * @default - unknown (an instance without a subnet launches in the default VPC)
   */
  readonly subnetId?: string;
  /** The security groups' ids in the model. */
  readonly securityGroupIds: string[];
  /** The fixed private IPv4 addresses (the primary first); empty when AWS assigns them all. */
  readonly privateIpv4Addresses: string[];
  /** How many private IPv4 addresses AWS assigns (0 when all are fixed). */
  readonly automaticIpv4Count: number;
  /** The fixed IPv6 addresses. */
  readonly ipv6Addresses: string[];
  /** How many IPv6 addresses AWS assigns. */
  readonly ipv6AddressCount: number;
  /** The Elastic IPs associated with the interface. */
  readonly elasticIps: TopologyElasticIp[];
  /** Whether the interface gets a public IPv4 address at launch (not an Elastic IP). */
  readonly publicIpOnLaunch: boolean;
  /** Whether the source/destination check is on. */
  readonly sourceDestCheck: boolean;
  /**
   * The description.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * A network interface attached (or to be attached) to an instance.
 */
export interface TopologyAttachment {
  /** The interface's id in the model. */
  readonly networkInterfaceId: string;
  /** The instance's id in the model. */
  readonly instanceId: string;
  /** How the interface is attached. */
  readonly kind: AttachmentKind;
  /**
   * The device index on the instance.
   *
   * @default - unknown
   */
  readonly deviceIndex?: number;
}

/**
 * An inbound rule of a security group.
 */
export interface TopologyIngressRule {
  /** The security group the rule belongs to. */
  readonly securityGroupId: string;
  /** The IP protocol: `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `all`. */
  readonly protocol: string;
  /**
   * The first port (or ICMP type).
   *
   * @default - all ports
   */
  readonly fromPort?: number;
  /**
   * The last port (or ICMP code).
   *
   * @default - all ports
   */
  readonly toPort?: number;
  /** The ports as text, e.g. `tcp/22`, `tcp/8000-8080`, `all`. */
  readonly ports: string;
  /** What kind of source the rule admits. */
  readonly sourceKind: IngressSourceKind;
  /** The source: a CIDR block, a prefix list id, or a security group's id in the model. */
  readonly source: string;
  /** The resource that defines the rule: the security group itself or an `AWS::EC2::SecurityGroupIngress`. */
  readonly definedBy: string;
  /**
   * The rule's description.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * A security group.
 */
export interface TopologySecurityGroup {
  /** The security group's id in the model. */
  readonly id: string;
  /** A short readable name. */
  readonly name: string;
  /** Whether the group is only referenced (imported), not defined, by the templates. */
  readonly imported: boolean;
  /**
   * The stack that defines the group.
   *
   * @default - imported
   */
  readonly stackName?: string;
  /**
   * The VPC's id in the model.
   *
   * @default - unknown
   */
  readonly vpcId?: string;
  /** The inbound rules, inline and separate, that the templates define. */
  readonly ingress: TopologyIngressRule[];
}

/**
 * A way into the network: Client VPN, a VPN gateway, an Instance Connect Endpoint, an interface endpoint.
 */
export interface TopologyEntryPoint {
  /** The entry point's id in the model. */
  readonly id: string;
  /** A short readable name. */
  readonly name: string;
  /** What kind of entry point it is. */
  readonly kind: EntryPointKind;
  /** The stack that defines it. */
  readonly stackName: string;
  /**
   * The VPC's id in the model.
   *
   * @default - unknown
   */
  readonly vpcId?: string;
  /** The subnets it is associated with or placed in. */
  readonly subnetIds: string[];
  /** Its security groups. */
  readonly securityGroupIds: string[];
  /** A detail to show: the client CIDR of a Client VPN, the service of an interface endpoint. */
  readonly detail: string;
}

/**
 * A floating network interface and the instances failover moves it between.
 */
export interface TopologyFailover {
  /** The floating interface's id in the model. */
  readonly networkInterfaceId: string;
  /** The candidate instances in order of preference: the primary first, then the standbys. */
  readonly candidateInstanceIds: string[];
  /**
   * The device index the interface is attached at.
   *
   * @default - unknown
   */
  readonly deviceIndex?: number;
}

/**
 * A security mistake or inconsistency found in the topology.
 */
export interface TopologyFinding {
  /** How serious it is. */
  readonly severity: FindingSeverity;
  /** A stable code, e.g. `ADMIN_PORT_OPEN_TO_INTERNET`. */
  readonly code: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** The id in the model of the resource the finding is about. */
  readonly resourceId: string;
}

/**
 * Options of `Topology.toTable()`.
 */
export interface TopologyTableOptions {
  /**
   * Whether to start with every stack and its resource counts by CloudFormation type.
   *
   * @default false
   */
  readonly resourceCounts?: boolean;

  /**
   * Wrap cells longer than this many characters onto continuation lines (after `; `, `, ` or a
   * space), so that rows stay readable in a terminal.
   *
   * @default - cells are never wrapped
   */
  readonly maxColumnWidth?: number;
}
