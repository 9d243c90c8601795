import * as directconnect from 'aws-cdk-lib/aws-directconnect';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Annotations, Aspects, IAspect, Tags, Token, Validations } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';
import { ManagementAccess } from './management-access';
import { subnetName } from './private/introspect';
import { ipv4CidrsOverlap, isAnyAddress, isCanonicalIpv4Cidr, parseIpv4Cidr } from './private/ip';
import { cidrId, knownVpcCidr } from './private/management';
import { internetRoutesOf, sameSubnet } from './private/routes';
import { SUBNET_ROLE_TAG } from './private/tags';

/**
 * Properties of a {@link ManagementNetwork}.
 *
 * Give `vpc` (and the subnet selections) to use an existing VPC, or leave it out to create one
 * with `cidr`, `maxAzs`, the subnet masks and `natGateways`.
 */
export interface ManagementNetworkProps {
  /**
   * An existing VPC to use instead of creating one.
   *
   * @default - a new VPC is created
   */
  readonly vpc?: ec2.IVpc;

  /**
   * With `vpc`: the public subnets (routed to an internet gateway), for public-facing servers.
   *
   * @default - `{ subnetType: ec2.SubnetType.PUBLIC }`
   */
  readonly publicSubnetSelection?: ec2.SubnetSelection;

  /**
   * With `vpc`: the management subnets. They must be private (no route to an internet gateway or
   * NAT gateway) and must not be among the public subnets.
   *
   * @default - `{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }`
   */
  readonly managementSubnetSelection?: ec2.SubnetSelection;

  /**
   * With `vpc`: private subnets with egress for services such as Fargate tasks.
   *
   * @default - no application subnets
   */
  readonly applicationSubnetSelection?: ec2.SubnetSelection;

  /**
   * The IPv4 CIDR of a new VPC.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * How many Availability Zones a new VPC spans.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * The prefix length of each public subnet of a new VPC (16 to 28).
   *
   * @default 24
   */
  readonly publicSubnetCidrMask?: number;

  /**
   * The prefix length of each management subnet of a new VPC (16 to 28).
   *
   * @default 24
   */
  readonly managementSubnetCidrMask?: number;

  /**
   * The prefix length of each application subnet of a new VPC (16 to 28). Setting it creates
   * private application subnets whose egress goes through NAT gateways.
   *
   * @default - no application subnets
   */
  readonly applicationSubnetCidrMask?: number;

  /**
   * How many NAT gateways a new VPC gets (for the application subnets only; management subnets
   * never route to them). Use one per Availability Zone for zonal resilience.
   *
   * @default - 1 with application subnets, 0 without
   */
  readonly natGateways?: number;

  /**
   * The ways into the management subnets. More can be added with `addAccess()`.
   * Without any, the management subnets are unreachable and a warning is reported at synth.
   *
   * @default - none
   */
  readonly access?: ManagementAccess[];

  /**
   * Whether VPC flow logs are recorded.
   *
   * @default true
   */
  readonly flowLogs?: boolean;

  /**
   * Where flow logs go, for example `ec2.FlowLogDestination.toS3(bucket)`.
   *
   * @default - a new CloudWatch Logs log group kept for `flowLogRetention`
   */
  readonly flowLogDestination?: ec2.FlowLogDestination;

  /**
   * How long the log group created for flow logs keeps them. Only for the default destination.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Which traffic the flow logs record.
   *
   * @default ec2.FlowLogTrafficType.ALL
   */
  readonly flowLogTrafficType?: ec2.FlowLogTrafficType;

  /**
   * Whether the management subnets get a network ACL that admits only the VPC CIDR and the
   * management CIDRs (in and out, all protocols).
   *
   * @default true
   */
  readonly managementNetworkAcl?: boolean;
}

/**
 * A VPC split into public subnets for public-facing servers and private management subnets that
 * the internet cannot reach, plus the ways into the management subnets (AWS Client VPN, a
 * virtual private gateway for site-to-site VPN and Direct Connect, EC2 Instance Connect Endpoint,
 * Session Manager endpoints). Flow logs and a management network ACL are on by default.
 *
 * Resources admit SSH and admin ports from `managementPeers` (or through `allowManagementTo()`).
 */
export class ManagementNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;

  /** The selection of the public subnets. */
  public readonly publicSubnetSelection: ec2.SubnetSelection;

  /** The selection of the management subnets. */
  public readonly managementSubnetSelection: ec2.SubnetSelection;

  /**
   * The selection of the application subnets.
   *
   * @default - no application subnets
   */
  public readonly applicationSubnetSelection?: ec2.SubnetSelection;

  /** The public subnets. */
  public readonly publicSubnets: ec2.SelectedSubnets;

  /** The management subnets. */
  public readonly managementSubnets: ec2.SelectedSubnets;

  /**
   * The application subnets (private, egress through NAT).
   *
   * @default - no application subnets
   */
  public readonly applicationSubnets?: ec2.SelectedSubnets;

  /**
   * The security group of the ways in (Client VPN endpoint, Instance Connect Endpoint).
   * Resources admit SSH and admin ports from it.
   */
  public readonly managementSecurityGroup: ec2.ISecurityGroup;

  /**
   * The network ACL of the management subnets.
   *
   * @default - none when `managementNetworkAcl` is false
   */
  public readonly networkAcl?: ec2.NetworkAcl;

  /**
   * The VPC flow log.
   *
   * @default - none when `flowLogs` is false
   */
  public readonly flowLog?: ec2.FlowLog;

  /**
   * The log group created for flow logs.
   *
   * @default - none when flow logs are off or go to a given destination
   */
  public readonly flowLogGroup?: logs.ILogGroup;

  /** @internal */
  public readonly _resources: AccessResources = { sessionManagerEndpoints: [] };

  private readonly _managementCidrs: Array<{ cidr: string; source: string }> = [];
  private readonly kinds = new Set<string>();
  private readonly managedTargets: Array<{ target: ec2.IConnectable; port: ec2.Port }> = [];
  private nextAclRule = 110;

  constructor(scope: Construct, id: string, props: ManagementNetworkProps = {}) {
    super(scope, id);

    if (props.vpc) {
      validateExistingVpcProps(props);
      this.vpc = props.vpc;
      this.publicSubnetSelection = props.publicSubnetSelection ?? { subnetType: ec2.SubnetType.PUBLIC };
      this.managementSubnetSelection = props.managementSubnetSelection ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      this.applicationSubnetSelection = props.applicationSubnetSelection;
    } else {
      if (props.publicSubnetSelection || props.managementSubnetSelection || props.applicationSubnetSelection) {
        throw new Error('publicSubnetSelection, managementSubnetSelection and applicationSubnetSelection choose subnets of an existing VPC: give vpc too, or drop them to create a new VPC');
      }
      this.vpc = createVpc(this, props);
      this.publicSubnetSelection = { subnetGroupName: 'Public' };
      this.managementSubnetSelection = { subnetGroupName: 'Management' };
      this.applicationSubnetSelection = props.applicationSubnetCidrMask !== undefined ? { subnetGroupName: 'Application' } : undefined;
    }

    this.publicSubnets = select(this.vpc, this.publicSubnetSelection, 'publicSubnetSelection');
    this.managementSubnets = select(this.vpc, this.managementSubnetSelection, 'managementSubnetSelection');
    this.applicationSubnets = this.applicationSubnetSelection
      ? select(this.vpc, this.applicationSubnetSelection, 'applicationSubnetSelection')
      : undefined;
    this.validateSubnets();
    // Tools reading the synthesized template (Topology) know the subnets' roles from these tags.
    for (const [subnets, role] of [[this.managementSubnets, 'management'], [this.applicationSubnets, 'application']] as const) {
      for (const subnet of subnets?.subnets ?? []) {
        Tags.of(subnet).add(SUBNET_ROLE_TAG, role);
      }
    }

    this.managementSecurityGroup = new ec2.SecurityGroup(this, 'ManagementSecurityGroup', {
      vpc: this.vpc,
      description: `${this.node.path} management access (Client VPN, Instance Connect Endpoint)`,
      allowAllOutbound: true,
    });

    if (props.managementNetworkAcl ?? true) {
      this.networkAcl = new ec2.NetworkAcl(this, 'ManagementNetworkAcl', {
        vpc: this.vpc,
        subnetSelection: { subnets: this.managementSubnets.subnets },
      });
      this.addAclEntries('Vpc', knownVpcCidr(this.vpc), 100);
      Validations.of(this.networkAcl).acknowledge({
        id: 'AwsSolutions-VPC3',
        reason: 'The management subnets carry this network ACL on purpose: it admits only the VPC and the management CIDRs, a second layer under the security groups',
      });
    }

    if (props.flowLogs ?? true) {
      let destination = props.flowLogDestination;
      if (destination === undefined) {
        this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
          retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
        });
        destination = ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup);
      } else if (props.flowLogRetention !== undefined) {
        throw new Error(`flowLogRetention ${props.flowLogRetention} applies only to the log group created by default: set the retention on your own flowLogDestination instead`);
      }
      this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
        resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
        destination,
        trafficType: props.flowLogTrafficType ?? ec2.FlowLogTrafficType.ALL,
      });
    } else if (props.flowLogDestination || props.flowLogRetention !== undefined || props.flowLogTrafficType) {
      throw new Error('flowLogDestination, flowLogRetention and flowLogTrafficType configure flow logs, but flowLogs is false: drop them or turn flow logs on');
    }

    for (const access of props.access ?? []) {
      this.addAccess(access);
    }

    // Routes can be added to the management route tables after construction: check again at synth.
    this.node.addValidation({ validate: () => this.internetRouteErrors() });
    Aspects.of(this).add(new UnreachableWarning(this));
  }

  /**
   * The CIDRs that management traffic comes from: the Client VPN client CIDR, the on-premises
   * CIDRs of the virtual private gateway access, and any added with `addManagementCidr()`.
   */
  public get managementCidrs(): string[] {
    return this._managementCidrs.map((c) => c.cidr);
  }

  /**
   * The peers to admit SSH and admin ports from: the management security group and every
   * management CIDR.
   *
   * AWS Client VPN translates client addresses to the addresses of its own network interfaces in
   * the management subnets, so traffic from VPN users matches the management security group (which
   * the endpoint carries), not the client CIDR. Site-to-site VPN and Direct Connect traffic keeps
   * its on-premises source addresses and matches the CIDR peers.
   */
  public get managementPeers(): ec2.IPeer[] {
    return [this.managementSecurityGroup, ...this.managementCidrs.map((c) => ec2.Peer.ipv4(c))];
  }

  /** The kinds of access added so far (`clientVpn`, `vpnGateway`, ...). */
  public get accessKinds(): string[] {
    return [...this.kinds];
  }

  /**
   * The AWS Client VPN endpoint.
   *
   * @default - none unless `ManagementAccess.clientVpn()` was added
   */
  public get clientVpnEndpoint(): ec2.ClientVpnEndpoint | undefined {
    return this._resources.clientVpnEndpoint;
  }

  /**
   * The ID of the virtual private gateway.
   *
   * @default - none unless `ManagementAccess.vpnGateway()` was added
   */
  public get vpnGatewayId(): string | undefined {
    return this._resources.vpnGatewayId;
  }

  /**
   * The site-to-site VPN connection.
   *
   * @default - none unless `ManagementAccess.vpnGateway()` was added with a customer gateway
   */
  public get vpnConnection(): ec2.CfnVPNConnection | undefined {
    return this._resources.vpnConnection;
  }

  /**
   * The EC2 Instance Connect Endpoint.
   *
   * @default - none unless `ManagementAccess.instanceConnectEndpoint()` was added
   */
  public get instanceConnectEndpoint(): ec2.CfnInstanceConnectEndpoint | undefined {
    return this._resources.instanceConnectEndpoint;
  }

  /** The Session Manager interface endpoints (empty unless `ManagementAccess.sessionManager()` was added). */
  public get sessionManagerEndpoints(): ec2.InterfaceVpcEndpoint[] {
    return [...this._resources.sessionManagerEndpoints];
  }

  /**
   * Adds a way into the management subnets. Each kind of access can be added once.
   */
  public addAccess(access: ManagementAccess): void {
    if (this.kinds.has(access.kind)) {
      throw new Error(`access ${access.kind} is already configured on ${this.node.path}: each kind of management access can be added once`);
    }
    this.kinds.add(access.kind);
    access._bind(this);
  }

  /**
   * Adds a CIDR that management traffic comes from (for example a peered administration VPC): the
   * network ACL admits it, it joins `managementCidrs` and `managementPeers`, and every target
   * already opened with `allowManagementTo()` admits it too.
   */
  public addManagementCidr(cidr: string): void {
    this._addManagementCidr(cidr, 'addManagementCidr');
  }

  /**
   * Admits management traffic on a port to a target (an instance, a Fargate service, a network
   * interface ...): from the management security group and every management CIDR, including
   * CIDRs added later.
   */
  public allowManagementTo(target: ec2.IConnectable, port: ec2.Port): void {
    this.managedTargets.push({ target, port });
    for (const peer of this.managementPeers) {
      target.connections.allowFrom(peer, port, `Management access from ${peer.uniqueId}`);
    }
  }

  /**
   * Validates and records a management CIDR.
   *
   * @internal
   */
  public _addManagementCidr(cidr: string, source: string): void {
    if (!Token.isUnresolved(cidr)) {
      if (isAnyAddress(cidr)) {
        throw new Error(`${source} '${cidr}' is the whole address space: management CIDRs open SSH and admin ports, so they must name the networks administrators come from (for example 192.168.0.0/16), never 0.0.0.0/0 or ::/0`);
      }
      const block = parseIpv4Cidr(cidr);
      if (!block) {
        throw new Error(`${source} '${cidr}' is not an IPv4 CIDR block: use a form such as 192.168.0.0/16`);
      }
      if (!isCanonicalIpv4Cidr(cidr)) {
        throw new Error(`${source} '${cidr}' has host bits set: write the network address of the block (for example ${cidr.split('/')[0].split('.').slice(0, 2).join('.')}.0.0/${block.prefix} for a /${block.prefix})`);
      }
      const vpcCidr = knownVpcCidr(this.vpc);
      if (!Token.isUnresolved(vpcCidr) && ipv4CidrsOverlap(cidr, vpcCidr)) {
        throw new Error(`${source} '${cidr}' overlaps the VPC CIDR ${vpcCidr}: management traffic must come from outside the VPC; choose a block that does not overlap it`);
      }
      for (const other of this._managementCidrs) {
        if (!Token.isUnresolved(other.cidr) && ipv4CidrsOverlap(cidr, other.cidr)) {
          throw new Error(`${source} '${cidr}' overlaps ${other.source} '${other.cidr}': management CIDRs must not overlap; choose separate blocks`);
        }
      }
    }
    if (this.networkAcl && this.nextAclRule > 100 + 10 * MAX_ACL_CIDRS) {
      throw new Error(`${source} '${cidr}' would be management CIDR number ${this._managementCidrs.length + 1}: the management network ACL admits at most ${MAX_ACL_CIDRS} besides the VPC (AWS allows 20 rules per direction by default); summarise the networks into fewer blocks`);
    }
    this._managementCidrs.push({ cidr, source });
    if (this.networkAcl) {
      this.addAclEntries(cidrId(cidr, this._managementCidrs.length), cidr, this.nextAclRule);
      this.nextAclRule += 10;
    }
    for (const { target, port } of this.managedTargets) {
      target.connections.allowFrom(ec2.Peer.ipv4(cidr), port, `Management access from ${cidr}`);
    }
  }

  private addAclEntries(id: string, cidr: string, ruleNumber: number): void {
    for (const direction of [ec2.TrafficDirection.INGRESS, ec2.TrafficDirection.EGRESS]) {
      this.networkAcl!.addEntry(`${direction === ec2.TrafficDirection.INGRESS ? 'Ingress' : 'Egress'}-${id}`, {
        cidr: ec2.AclCidr.ipv4(cidr),
        traffic: ec2.AclTraffic.allTraffic(),
        direction,
        ruleNumber,
        ruleAction: ec2.Action.ALLOW,
      });
    }
  }

  private validateSubnets(): void {
    const mgmt = this.managementSubnets;
    if (mgmt.hasPublic) {
      throw new Error(`managementSubnetSelection ${describe(this.managementSubnetSelection)} includes public subnets: management subnets must have no route to an internet gateway; select private subnets`);
    }
    const publicSubnets = [...this.publicSubnets.subnets, ...this.vpc.publicSubnets];
    for (const subnet of mgmt.subnets) {
      if (publicSubnets.some((p) => sameSubnet(p, subnet))) {
        throw new Error(`managementSubnetSelection ${describe(this.managementSubnetSelection)} includes public subnet ${subnetName(subnet)}: management subnets must be private; select subnets without a route to an internet gateway`);
      }
      if (this.applicationSubnets?.subnets.some((a) => sameSubnet(a, subnet))) {
        throw new Error(`applicationSubnetSelection ${describe(this.applicationSubnetSelection)} includes management subnet ${subnetName(subnet)}: application subnets route to NAT, management subnets must not; select different subnets`);
      }
    }
    const errors = this.internetRouteErrors();
    if (errors.length > 0) {
      throw new Error(errors[0]);
    }
  }

  private internetRouteErrors(): string[] {
    return this.managementSubnets.subnets.flatMap((subnet) => internetRoutesOf(subnet).map((route) =>
      `management subnet ${subnetName(subnet)} has route ${route.path} to ${route.destination} through ${route.target}: management subnets must never route to an internet gateway or NAT; remove the route or select another subnet in managementSubnetSelection`));
  }
}

/** How many CIDRs besides the VPC the management network ACL admits (rule numbers 110..290). */
const MAX_ACL_CIDRS = 19;

/** Resources created by the access kinds, exposed through the network's getters. */
interface AccessResources {
  clientVpnEndpoint?: ec2.ClientVpnEndpoint;
  clientVpnLogGroup?: logs.ILogGroup;
  vpnGatewayId?: string;
  customerGateway?: ec2.CfnCustomerGateway;
  vpnConnection?: ec2.CfnVPNConnection;
  directConnectGatewayAssociation?: directconnect.CfnDirectConnectGatewayAssociation;
  instanceConnectEndpoint?: ec2.CfnInstanceConnectEndpoint;
  sessionManagerEndpoints: ec2.InterfaceVpcEndpoint[];
}

/** Warns at synth when no access was added: nothing can reach the management subnets. */
class UnreachableWarning implements IAspect {
  constructor(private readonly network: ManagementNetwork) {}

  public visit(node: IConstruct): void {
    if (node === this.network && this.network.accessKinds.length === 0) {
      Annotations.of(this.network).addWarningV2('cdk-eni-patterns:management-unreachable',
        'no management access is configured: the management subnets are unreachable. Add ManagementAccess.clientVpn(), vpnGateway(), instanceConnectEndpoint() or sessionManager() through access or addAccess()');
    }
  }
}

function validateExistingVpcProps(props: ManagementNetworkProps): void {
  const newVpcOnly: Array<[string, unknown]> = [
    ['cidr', props.cidr],
    ['maxAzs', props.maxAzs],
    ['publicSubnetCidrMask', props.publicSubnetCidrMask],
    ['managementSubnetCidrMask', props.managementSubnetCidrMask],
    ['applicationSubnetCidrMask', props.applicationSubnetCidrMask],
    ['natGateways', props.natGateways],
  ];
  for (const [name, value] of newVpcOnly) {
    if (value !== undefined) {
      throw new Error(`${name} ${JSON.stringify(value)} shapes a new VPC, but vpc is given: drop ${name}, or drop vpc to create a new VPC`);
    }
  }
}

function createVpc(scope: Construct, props: ManagementNetworkProps): ec2.Vpc {
  const cidr = props.cidr ?? '10.0.0.0/16';
  let vpcPrefix: number | undefined;
  if (!Token.isUnresolved(cidr)) {
    const block = parseIpv4Cidr(cidr);
    if (!block || !isCanonicalIpv4Cidr(cidr)) {
      throw new Error(`cidr '${cidr}' is not an IPv4 CIDR block written with its network address: use a form such as 10.0.0.0/16`);
    }
    if (block.prefix < 16 || block.prefix > 28) {
      throw new Error(`cidr '${cidr}' is a /${block.prefix}: AWS allows VPC blocks from /16 to /28`);
    }
    vpcPrefix = block.prefix;
  }
  const maxAzs = props.maxAzs ?? 2;
  if (!Token.isUnresolved(maxAzs) && (!Number.isInteger(maxAzs) || maxAzs < 1)) {
    throw new Error(`maxAzs ${maxAzs} is not allowed: use a whole number of Availability Zones, 1 or more`);
  }
  const masks: Array<[string, number | undefined]> = [
    ['publicSubnetCidrMask', props.publicSubnetCidrMask ?? 24],
    ['managementSubnetCidrMask', props.managementSubnetCidrMask ?? 24],
    ['applicationSubnetCidrMask', props.applicationSubnetCidrMask],
  ];
  for (const [name, mask] of masks) {
    if (mask === undefined) {
      continue;
    }
    if (!Number.isInteger(mask) || mask < 16 || mask > 28) {
      throw new Error(`${name} ${mask} is not allowed: AWS subnets are /16 to /28`);
    }
    if (vpcPrefix !== undefined && mask < vpcPrefix) {
      throw new Error(`${name} ${mask} is larger than the VPC block ${cidr}: use a prefix length of ${vpcPrefix} or more`);
    }
  }
  const hasApplication = props.applicationSubnetCidrMask !== undefined;
  const natGateways = props.natGateways ?? (hasApplication ? 1 : 0);
  if (!hasApplication && natGateways > 0) {
    throw new Error(`natGateways ${natGateways} without application subnets: only application subnets use NAT (management subnets never do); set applicationSubnetCidrMask or drop natGateways`);
  }
  if (hasApplication && natGateways < 1) {
    throw new Error(`natGateways ${natGateways} leaves the application subnets without egress: use 1 or more (one per Availability Zone for zonal resilience), or drop applicationSubnetCidrMask`);
  }
  if (!Token.isUnresolved(maxAzs) && natGateways > maxAzs) {
    throw new Error(`natGateways ${natGateways} is more than maxAzs ${maxAzs}: a VPC gets at most one NAT gateway per Availability Zone`);
  }

  const subnetConfiguration: ec2.SubnetConfiguration[] = [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: masks[0][1] },
    { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: masks[1][1] },
  ];
  if (hasApplication) {
    subnetConfiguration.push({ name: 'Application', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: props.applicationSubnetCidrMask });
  }
  return new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    maxAzs,
    natGateways,
    subnetConfiguration,
    // Closed whatever the app's feature flags say: the default group is left open unless set
    // (Security Hub EC2.2; NIST 800-53, HIPAA and PCI packs flag it).
    restrictDefaultSecurityGroup: true,
  });
}

function select(vpc: ec2.IVpc, selection: ec2.SubnetSelection, prop: string): ec2.SelectedSubnets {
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(selection);
  } catch (e) {
    throw new Error(`${prop} ${describe(selection)} does not resolve to subnets of the VPC (${(e as Error).message}): select existing subnets, for example { subnetGroupName: '<name>' } or { subnets: [...] }`);
  }
  if (selected.subnets.length === 0 && !selected.isPendingLookup) {
    throw new Error(`${prop} ${describe(selection)} resolves to no subnets: select at least one subnet of the VPC`);
  }
  return selected;
}

function describe(selection: ec2.SubnetSelection | undefined): string {
  return JSON.stringify(selection ?? {}, (_key, value) => {
    if (value && typeof value === 'object' && 'node' in value) {
      const s = value as ec2.ISubnet;
      return subnetName(s);
    }
    return value;
  });
}
