import * as directconnect from 'aws-cdk-lib/aws-directconnect';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Aspects, Tags, Token, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { ClientVpnAccess, InstanceConnectEndpointAccess, ManagementAccess, SessionManagerAccess, VpnGatewayAccess } from './management-access';
import { ManagementNetworkProps } from './management-network-props';
import { subnetName } from './private/introspect';
import { ipv4CidrsOverlap, isAnyAddress, isCanonicalIpv4Cidr, parseIpv4Cidr } from './private/ip';
import { cidrId, knownVpcCidr, ManagementAccessContext } from './private/management';
import { MAX_ACL_CIDRS, UnreachableWarning } from './private/management-network-checks';
import { createVpc, describe, select, validateExistingVpcProps } from './private/management-vpc';
import { internetRoutesOf, sameSubnet } from './private/routes';
import { SUBNET_ROLE_TAG } from './private/tags';

export * from './management-network-props';

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

  private readonly _managementCidrs: Array<{ cidr: string; source: string }> = [];
  private readonly accesses: ManagementAccess[] = [];
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
    return this.accesses.map((a) => a.kind);
  }

  // The accesses keep what they create per network; these getters read what the access of the
  // kind created in this network (an access added to several networks has one set per network).

  /**
   * The AWS Client VPN endpoint created in this network by the added `ClientVpnAccess`.
   *
   * @default - none unless `ManagementAccess.clientVpn()` was added
   */
  public get clientVpnEndpoint(): ec2.ClientVpnEndpoint | undefined {
    return this.accessOf(ClientVpnAccess)?._resourcesIn(this)?.endpoint;
  }

  /**
   * The log group of the Client VPN endpoint's connection logs in this network.
   *
   * @default - none unless `ManagementAccess.clientVpn()` was added
   */
  public get clientVpnLogGroup(): logs.ILogGroup | undefined {
    return this.accessOf(ClientVpnAccess)?._resourcesIn(this)?.logGroup;
  }

  /**
   * The ID of the virtual private gateway used by the added `VpnGatewayAccess` in this network.
   *
   * @default - none unless `ManagementAccess.vpnGateway()` was added
   */
  public get vpnGatewayId(): string | undefined {
    return this.accessOf(VpnGatewayAccess)?._resourcesIn(this)?.vpnGatewayId;
  }

  /**
   * The customer gateway created in this network by the added `VpnGatewayAccess`.
   *
   * @default - none unless `ManagementAccess.vpnGateway()` was added with a customer gateway
   */
  public get customerGateway(): ec2.CfnCustomerGateway | undefined {
    return this.accessOf(VpnGatewayAccess)?._resourcesIn(this)?.customerGateway;
  }

  /**
   * The site-to-site VPN connection created in this network by the added `VpnGatewayAccess`.
   *
   * @default - none unless `ManagementAccess.vpnGateway()` was added with a customer gateway
   */
  public get vpnConnection(): ec2.CfnVPNConnection | undefined {
    return this.accessOf(VpnGatewayAccess)?._resourcesIn(this)?.vpnConnection;
  }

  /**
   * The association of the virtual private gateway with the Direct Connect gateway in this network.
   *
   * @default - none unless `ManagementAccess.vpnGateway()` was added with a Direct Connect gateway
   */
  public get directConnectGatewayAssociation(): directconnect.CfnDirectConnectGatewayAssociation | undefined {
    return this.accessOf(VpnGatewayAccess)?._resourcesIn(this)?.directConnectGatewayAssociation;
  }

  /**
   * The EC2 Instance Connect Endpoint created in this network by the added `InstanceConnectEndpointAccess`.
   *
   * @default - none unless `ManagementAccess.instanceConnectEndpoint()` was added
   */
  public get instanceConnectEndpoint(): ec2.CfnInstanceConnectEndpoint | undefined {
    return this.accessOf(InstanceConnectEndpointAccess)?._resourcesIn(this)?.endpoint;
  }

  /**
   * The Session Manager interface endpoints created in this network by the added
   * `SessionManagerAccess` (empty unless `ManagementAccess.sessionManager()` was added).
   */
  public get sessionManagerEndpoints(): ec2.InterfaceVpcEndpoint[] {
    return [...this.accessOf(SessionManagerAccess)?._resourcesIn(this)?.endpoints ?? []];
  }

  /**
   * The security group of the Session Manager endpoints in this network.
   *
   * @default - none unless `ManagementAccess.sessionManager()` was added
   */
  public get sessionManagerSecurityGroup(): ec2.ISecurityGroup | undefined {
    return this.accessOf(SessionManagerAccess)?._resourcesIn(this)?.securityGroup;
  }

  /**
   * Adds a way into the management subnets. Each kind of access can be added once. The same access
   * can be added to several networks: each creates its own resources.
   */
  public addAccess(access: ManagementAccess): void {
    if (this.accesses.some((a) => a.kind === access.kind)) {
      throw new Error(`access ${access.kind} is already configured on ${this.node.path}: each kind of management access can be added once`);
    }
    access._bind(this.accessContext());
    this.accesses.push(access);
  }

  /**
   * Adds a CIDR that management traffic comes from (for example a peered administration VPC): the
   * network ACL admits it, it joins `managementCidrs` and `managementPeers`, and every target
   * already opened with `allowManagementTo()` admits it too.
   */
  public addManagementCidr(cidr: string): void {
    this.recordManagementCidr(cidr, 'addManagementCidr');
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

  /** What an access gets from this network: narrow inputs, no access to its fields. */
  private accessContext(): ManagementAccessContext {
    return {
      scope: this,
      vpc: this.vpc,
      managementSubnets: this.managementSubnets.subnets,
      managementSecurityGroup: this.managementSecurityGroup,
      addManagementCidr: (cidr, prop) => this.recordManagementCidr(cidr, prop),
    };
  }

  private accessOf<T extends ManagementAccess>(type: new (...args: any[]) => T): T | undefined {
    return this.accesses.find((a): a is T => a instanceof type);
  }

  /** Validates a management CIDR and admits it: network ACL, peers, targets opened so far. */
  private recordManagementCidr(cidr: string, source: string): void {
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
