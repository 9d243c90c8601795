import * as directconnect from 'aws-cdk-lib/aws-directconnect';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Annotations, Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import {
  ClientVpnAccessOptions, InstanceConnectEndpointAccessOptions, SessionManagerAccessOptions, VpnGatewayAccessOptions,
} from './management-access-options';
import { knownSubnetAz, subnetName } from './private/introspect';
import { isAnyAddress, parseIpv4, parseIpv4Cidr } from './private/ip';
import {
  cidrId, ClientVpnResources, InstanceConnectEndpointResources, knownVpcCidr, ManagementAccessContext, onePerAz,
  SessionManagerResources, subnetCidrOrThrow, VpnGatewayResources,
} from './private/management';
import { subnetRouteTableId } from './private/routes';

export * from './management-access-options';

/**
 * A way into the management subnets of a {@link ManagementNetwork}. Several can be combined.
 *
 * Each kind binds to the network it is added to through a narrow context (the VPC, the management
 * subnets and security group, and the management CIDRs it declares) and keeps what it creates in
 * each network. Read the resources from the network's getters (for example
 * `network.clientVpnEndpoint`), or keep a typed handle by constructing the access class directly
 * (`const vpn = new ClientVpnAccess({...})`, then `vpn.endpoint`): the static factories return
 * `ManagementAccess`, which has no resource getters. One access can be added to several networks
 * (for example one per stack): each gets its own resources, and the access's getters then throw,
 * as they cannot tell which network is meant, so read the network's getters instead.
 */
export abstract class ManagementAccess {
  /**
   * An AWS Client VPN endpoint associated with the management subnets (one per Availability
   * Zone), authorized only to the management subnets' CIDRs, with split tunnel and connection
   * logging to CloudWatch Logs. Its security group is the management security group.
   */
  public static clientVpn(options: ClientVpnAccessOptions): ManagementAccess {
    return new ClientVpnAccess(options);
  }

  /**
   * A virtual private gateway attached to the VPC for site-to-site VPN and Direct Connect, with
   * route propagation into the management route tables only, an optional customer gateway and
   * VPN connection, and an optional Direct Connect gateway association.
   */
  public static vpnGateway(options: VpnGatewayAccessOptions): ManagementAccess {
    return new VpnGatewayAccess(options);
  }

  /**
   * An EC2 Instance Connect Endpoint in a management subnet: SSH (and RDP) without a VPN. The
   * endpoint uses the management security group and does not preserve the client IP, so
   * instances see connections from the endpoint's private address.
   */
  public static instanceConnectEndpoint(options: InstanceConnectEndpointAccessOptions = {}): ManagementAccess {
    return new InstanceConnectEndpointAccess(options);
  }

  /**
   * Interface endpoints for Systems Manager (`ssm`, `ssmmessages`, `ec2messages`) in the
   * management subnets, so instances (and ECS Exec) are administrable without an internet path.
   */
  public static sessionManager(options: SessionManagerAccessOptions = {}): ManagementAccess {
    return new SessionManagerAccess(options);
  }

  /** The kind of access: `clientVpn`, `vpnGateway`, `instanceConnectEndpoint` or `sessionManager`. */
  public abstract readonly kind: string;

  /** What the access created, per network that added it, in the order they were added. */
  private readonly created = new Map<Construct, object>();

  /**
   * Creates the access's resources in the network that adds it and keeps them under that network.
   * A failed add (a validation error) records nothing: the access can still be added elsewhere.
   *
   * @internal
   */
  public _bind(context: ManagementAccessContext): void {
    const resources = this._configure(context);
    this.created.set(context.scope, resources);
  }

  /**
   * Validates the options against the network, creates the resources and returns them.
   *
   * @internal
   */
  protected abstract _configure(context: ManagementAccessContext): object;

  /**
   * What the access created in `network`; without `network`, in the only network it was added to
   * (undefined before any), and an error naming the networks when it was added to several.
   *
   * @internal
   */
  protected _createdIn(network: Construct | undefined, getter: string, networkGetter: string): object | undefined {
    if (network !== undefined) {
      return this.created.get(network);
    }
    if (this.created.size > 1) {
      const paths = [...this.created.keys()].map((n) => n.node.path);
      throw new Error(`${this.kind} ${getter} is ambiguous: the access is added to ${paths.length} networks (${paths.join(', ')}) and created one in each; read ${networkGetter} from the ManagementNetwork instead`);
    }
    return this.created.values().next().value;
  }
}

/**
 * An AWS Client VPN endpoint into the management subnets: see `ManagementAccess.clientVpn()`.
 *
 * What it creates is kept per network; its getters read the only network it was added to and throw
 * when it was added to several (read the `ManagementNetwork` getters then).
 */
export class ClientVpnAccess extends ManagementAccess {
  /** The kind of access: `clientVpn`. */
  public readonly kind: string = 'clientVpn';

  /**
   * The same as `ManagementAccess.clientVpn()`, typed: construct it directly to keep a handle on the
   * resources it creates once it is added to a network.
   */
  constructor(private readonly options: ClientVpnAccessOptions) {
    super();
  }

  /**
   * The Client VPN endpoint.
   *
   * @default - none until the access is added to a `ManagementNetwork`
   */
  public get endpoint(): ec2.ClientVpnEndpoint | undefined {
    return this._resourcesIn(undefined, 'endpoint', 'clientVpnEndpoint')?.endpoint;
  }

  /**
   * The log group of the endpoint's connection logs.
   *
   * @default - none until the access is added to a `ManagementNetwork`
   */
  public get logGroup(): logs.ILogGroup | undefined {
    return this._resourcesIn(undefined, 'logGroup', 'clientVpnLogGroup')?.logGroup;
  }

  /** @internal */
  public _resourcesIn(network: Construct | undefined, getter = '', networkGetter = ''): ClientVpnResources | undefined {
    return this._createdIn(network, getter, networkGetter) as ClientVpnResources | undefined;
  }

  /** @internal */
  protected _configure(context: ManagementAccessContext): ClientVpnResources {
    const o = this.options;
    if (!o.clientCertificateArn && !o.samlProvider) {
      throw new Error('clientVpn needs an authentication method: give clientCertificateArn (mutual TLS) or samlProvider (SAML federation), or both');
    }
    if (o.selfServiceSamlProvider && !o.samlProvider) {
      throw new Error('clientVpn selfServiceSamlProvider needs samlProvider: the self-service portal is part of federated authentication');
    }
    if (o.dnsServers && o.dnsServers.length > 2) {
      throw new Error(`clientVpn dnsServers ${JSON.stringify(o.dnsServers)} lists ${o.dnsServers.length} servers: AWS Client VPN pushes at most two`);
    }
    if (!Token.isUnresolved(o.cidr) && !isAnyAddress(o.cidr)) {
      const block = parseIpv4Cidr(o.cidr);
      if (block && (block.prefix < 12 || block.prefix > 22)) {
        throw new Error(`clientVpn cidr '${o.cidr}' is a /${block.prefix}: AWS Client VPN needs a client CIDR from /12 to /22 (for example 10.100.0.0/22)`);
      }
    }
    context.addManagementCidr(o.cidr, 'clientVpn cidr');

    const splitTunnel = o.splitTunnel ?? true;
    if (!splitTunnel) {
      Annotations.of(context.scope).addWarningV2('cdk-eni-patterns:client-vpn-full-tunnel',
        'clientVpn splitTunnel is false: every client route goes into the VPC, whose management subnets have no internet path, so clients lose internet access while connected');
    }

    const subnets = onePerAz(context.managementSubnets);
    const authorized = subnets.map((s) => subnetCidrOrThrow(s, 'clientVpn authorizes the management subnets by CIDR'));

    const logGroup = new logs.LogGroup(context.scope, 'ClientVpnLogGroup', {
      retention: o.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    const endpoint = new ec2.ClientVpnEndpoint(context.scope, 'ClientVpnEndpoint', {
      vpc: context.vpc,
      vpcSubnets: { subnets },
      cidr: o.cidr,
      serverCertificateArn: o.serverCertificateArn,
      clientCertificateArn: o.clientCertificateArn,
      userBasedAuthentication: o.samlProvider
        ? ec2.ClientVpnUserBasedAuthentication.federated(o.samlProvider, o.selfServiceSamlProvider)
        : undefined,
      securityGroups: [context.managementSecurityGroup],
      splitTunnel,
      dnsServers: o.dnsServers,
      logging: true,
      logGroup,
      authorizeAllUsersToVpcCidr: false,
      description: `Management access to ${context.scope.node.path}`.slice(0, 255),
    });
    for (const [i, cidr] of authorized.entries()) {
      endpoint.addAuthorizationRule(`Authorize-${cidrId(cidr, i)}`, {
        cidr,
        groupId: o.authorizedGroupId,
        description: `Management subnet ${cidr}`,
      });
    }
    return { endpoint, logGroup };
  }
}

/**
 * A virtual private gateway for site-to-site VPN and Direct Connect: see
 * `ManagementAccess.vpnGateway()`.
 *
 * What it creates is kept per network; its getters read the only network it was added to and throw
 * when it was added to several (read the `ManagementNetwork` getters then).
 */
export class VpnGatewayAccess extends ManagementAccess {
  /** The kind of access: `vpnGateway`. */
  public readonly kind: string = 'vpnGateway';

  /**
   * The same as `ManagementAccess.vpnGateway()`, typed: construct it directly to keep a handle on the
   * resources it creates once it is added to a network.
   */
  constructor(private readonly options: VpnGatewayAccessOptions) {
    super();
  }

  /**
   * The ID of the virtual private gateway: the one given, the VPC's own, or the one created.
   *
   * @default - none until the access is added to a `ManagementNetwork`
   */
  public get vpnGatewayId(): string | undefined {
    return this._resourcesIn(undefined, 'vpnGatewayId', 'vpnGatewayId')?.vpnGatewayId;
  }

  /**
   * The customer gateway.
   *
   * @default - none without `customerGateway`, or until the access is added to a `ManagementNetwork`
   */
  public get customerGateway(): ec2.CfnCustomerGateway | undefined {
    return this._resourcesIn(undefined, 'customerGateway', 'customerGateway')?.customerGateway;
  }

  /**
   * The site-to-site VPN connection.
   *
   * @default - none without `customerGateway`, or until the access is added to a `ManagementNetwork`
   */
  public get vpnConnection(): ec2.CfnVPNConnection | undefined {
    return this._resourcesIn(undefined, 'vpnConnection', 'vpnConnection')?.vpnConnection;
  }

  /**
   * The association of the virtual private gateway with the Direct Connect gateway.
   *
   * @default - none without `directConnectGatewayId`, or until the access is added to a `ManagementNetwork`
   */
  public get directConnectGatewayAssociation(): directconnect.CfnDirectConnectGatewayAssociation | undefined {
    return this._resourcesIn(undefined, 'directConnectGatewayAssociation', 'directConnectGatewayAssociation')?.directConnectGatewayAssociation;
  }

  /** @internal */
  public _resourcesIn(network: Construct | undefined, getter = '', networkGetter = ''): VpnGatewayResources | undefined {
    return this._createdIn(network, getter, networkGetter) as VpnGatewayResources | undefined;
  }

  /** @internal */
  protected _configure(context: ManagementAccessContext): VpnGatewayResources {
    const o = this.options;
    if (o.onPremisesCidrs.length === 0) {
      throw new Error('vpnGateway onPremisesCidrs is empty: name the on-premises networks that administer the management subnets (for example 192.168.0.0/16), so the network ACL and security groups can admit them');
    }
    const existingId = o.vpnGatewayId ?? context.vpc.vpnGatewayId;
    if (existingId !== undefined && o.amazonSideAsn !== undefined) {
      throw new Error(`vpnGateway amazonSideAsn ${o.amazonSideAsn} applies only to a new gateway, but the VPC already has virtual private gateway ${existingId}: drop amazonSideAsn`);
    }
    if (o.amazonSideAsn !== undefined && !Token.isUnresolved(o.amazonSideAsn) && !validAmazonAsn(o.amazonSideAsn)) {
      throw new Error(`vpnGateway amazonSideAsn ${o.amazonSideAsn} is not a private ASN AWS accepts: use 64512-65534 or 4200000000-4294967294`);
    }
    const cgw = o.customerGateway;
    if (cgw && !Token.isUnresolved(cgw.ipAddress) && parseIpv4(cgw.ipAddress) === undefined) {
      throw new Error(`vpnGateway customerGateway.ipAddress '${cgw.ipAddress}' is not an IPv4 address: use the public address of the on-premises VPN device, such as 203.0.113.12`);
    }
    const bgpAsn = cgw?.bgpAsn;
    if (bgpAsn !== undefined && !Token.isUnresolved(bgpAsn) && (!Number.isInteger(bgpAsn) || bgpAsn < 1 || bgpAsn > 2147483647)) {
      throw new Error(`vpnGateway customerGateway.bgpAsn ${bgpAsn} is out of range: use an ASN from 1 to 2147483647`);
    }
    const dx = o.directConnectGatewayId;
    if (dx !== undefined && !Token.isUnresolved(dx) && !DX_GATEWAY_ID.test(dx)) {
      throw new Error(`vpnGateway directConnectGatewayId '${dx}' is not a Direct Connect gateway ID: AWS gives them as UUIDs such as 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`);
    }
    for (const cidr of o.onPremisesCidrs) {
      context.addManagementCidr(cidr, 'vpnGateway onPremisesCidrs');
    }

    const routeTableIds = uniqueTokens(context.managementSubnets.map((s) => {
      const id = subnetRouteTableId(s);
      if (id === undefined) {
        throw new Error(`vpnGateway propagates routes into the management route tables, but the route table of management subnet ${subnetName(s)} is unknown: import the subnet with its routeTableId`);
      }
      return id;
    }));

    let vpnGatewayId = existingId;
    let attachment: ec2.CfnVPCGatewayAttachment | undefined;
    if (vpnGatewayId === undefined) {
      const gateway = new ec2.VpnGateway(context.scope, 'VpnGateway', {
        type: ec2.VpnConnectionType.IPSEC_1,
        amazonSideAsn: o.amazonSideAsn,
      });
      vpnGatewayId = gateway.gatewayId;
      attachment = new ec2.CfnVPCGatewayAttachment(context.scope, 'VpnGatewayAttachment', {
        vpcId: context.vpc.vpcId,
        vpnGatewayId,
      });
    }

    // Only the management route tables learn the on-premises routes: public and application
    // subnets keep no path back to the on-premises networks.
    const propagation = new ec2.CfnVPNGatewayRoutePropagation(context.scope, 'VpnRoutePropagation', {
      routeTableIds,
      vpnGatewayId,
    });
    if (attachment) {
      propagation.addDependency(attachment);
    }

    const resources: VpnGatewayResources = { vpnGatewayId };
    if (cgw) {
      const customerGateway = new ec2.CfnCustomerGateway(context.scope, 'CustomerGateway', {
        type: ec2.VpnConnectionType.IPSEC_1,
        ipAddress: cgw.ipAddress,
        bgpAsn: cgw.bgpAsn ?? 65000,
      });
      const staticRoutesOnly = cgw.staticRoutesOnly ?? false;
      const connection = new ec2.CfnVPNConnection(context.scope, 'VpnConnection', {
        type: ec2.VpnConnectionType.IPSEC_1,
        customerGatewayId: customerGateway.ref,
        vpnGatewayId,
        staticRoutesOnly,
      });
      if (staticRoutesOnly) {
        for (const [i, cidr] of o.onPremisesCidrs.entries()) {
          new ec2.CfnVPNConnectionRoute(context.scope, `VpnConnectionRoute-${cidrId(cidr, i)}`, {
            vpnConnectionId: connection.ref,
            destinationCidrBlock: cidr,
          });
        }
      }
      resources.customerGateway = customerGateway;
      resources.vpnConnection = connection;
    }

    if (o.directConnectGatewayId !== undefined) {
      const association = new directconnect.CfnDirectConnectGatewayAssociation(context.scope, 'DirectConnectGatewayAssociation', {
        directConnectGatewayId: o.directConnectGatewayId,
        associatedGatewayId: vpnGatewayId,
      });
      if (attachment) {
        // AWS associates only a gateway that is attached to a VPC.
        association.addDependency(attachment);
      }
      resources.directConnectGatewayAssociation = association;
    }
    return resources;
  }
}

/**
 * An EC2 Instance Connect Endpoint in a management subnet: see
 * `ManagementAccess.instanceConnectEndpoint()`.
 *
 * What it creates is kept per network; its getters read the only network it was added to and throw
 * when it was added to several (read the `ManagementNetwork` getters then).
 */
export class InstanceConnectEndpointAccess extends ManagementAccess {
  /** The kind of access: `instanceConnectEndpoint`. */
  public readonly kind: string = 'instanceConnectEndpoint';

  /**
   * The same as `ManagementAccess.instanceConnectEndpoint()`, typed: construct it directly to keep a handle on the
   * resources it creates once it is added to a network.
   */
  constructor(private readonly options: InstanceConnectEndpointAccessOptions = {}) {
    super();
  }

  /**
   * The EC2 Instance Connect Endpoint.
   *
   * @default - none until the access is added to a `ManagementNetwork`
   */
  public get endpoint(): ec2.CfnInstanceConnectEndpoint | undefined {
    return this._resourcesIn(undefined, 'endpoint', 'instanceConnectEndpoint')?.endpoint;
  }

  /** @internal */
  public _resourcesIn(network: Construct | undefined, getter = '', networkGetter = ''): InstanceConnectEndpointResources | undefined {
    return this._createdIn(network, getter, networkGetter) as InstanceConnectEndpointResources | undefined;
  }

  /** @internal */
  protected _configure(context: ManagementAccessContext): InstanceConnectEndpointResources {
    const subnets = context.managementSubnets;
    const az = this.options.availabilityZone;
    const subnet = az === undefined ? subnets[0] : subnets.find((s) => knownSubnetAz(s) === az);
    if (subnet === undefined) {
      const azs = subnets.map((s) => knownSubnetAz(s) ?? 'unknown');
      throw new Error(`instanceConnectEndpoint availabilityZone '${az}' has no management subnet: choose one of ${JSON.stringify(azs)}`);
    }
    const endpoint = new ec2.CfnInstanceConnectEndpoint(context.scope, 'InstanceConnectEndpoint', {
      subnetId: subnet.subnetId,
      securityGroupIds: [context.managementSecurityGroup.securityGroupId],
      // Connections reach instances from the endpoint's private address, which the management
      // network ACL admits; a preserved client IP would come from the internet and be dropped.
      preserveClientIp: false,
    });
    return { endpoint };
  }
}

/**
 * Interface endpoints for Systems Manager in the management subnets: see
 * `ManagementAccess.sessionManager()`.
 *
 * What it creates is kept per network; its getters read the only network it was added to and throw
 * when it was added to several (read the `ManagementNetwork` getters then).
 */
export class SessionManagerAccess extends ManagementAccess {
  /** The kind of access: `sessionManager`. */
  public readonly kind: string = 'sessionManager';

  /**
   * The same as `ManagementAccess.sessionManager()`, typed: construct it directly to keep a handle on the
   * resources it creates once it is added to a network.
   */
  constructor(private readonly options: SessionManagerAccessOptions = {}) {
    super();
  }

  /** The interface endpoints (`ssm`, `ssmmessages`, `ec2messages`); empty until the access is added to a `ManagementNetwork`. */
  public get endpoints(): ec2.InterfaceVpcEndpoint[] {
    return [...this._resourcesIn(undefined, 'endpoints', 'sessionManagerEndpoints')?.endpoints ?? []];
  }

  /**
   * The security group of the endpoints: HTTPS from the VPC.
   *
   * @default - none until the access is added to a `ManagementNetwork`
   */
  public get securityGroup(): ec2.ISecurityGroup | undefined {
    return this._resourcesIn(undefined, 'securityGroup', 'sessionManagerSecurityGroup')?.securityGroup;
  }

  /** @internal */
  public _resourcesIn(network: Construct | undefined, getter = '', networkGetter = ''): SessionManagerResources | undefined {
    return this._createdIn(network, getter, networkGetter) as SessionManagerResources | undefined;
  }

  /** @internal */
  protected _configure(context: ManagementAccessContext): SessionManagerResources {
    const scope = new Construct(context.scope, 'SessionManager');
    const securityGroup = new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
      vpc: context.vpc,
      description: `${context.scope.node.path} Systems Manager endpoints`,
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.ipv4(knownVpcCidr(context.vpc)), ec2.Port.tcp(443), 'HTTPS from the VPC to the Systems Manager endpoints');

    const services: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
      ['Ssm', ec2.InterfaceVpcEndpointAwsService.SSM],
      ['SsmMessages', ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES],
      ['Ec2Messages', ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES],
    ];
    const subnets = onePerAz(context.managementSubnets);
    const endpoints: ec2.InterfaceVpcEndpoint[] = [];
    for (const [id, service] of services) {
      endpoints.push(new ec2.InterfaceVpcEndpoint(scope, id, {
        vpc: context.vpc,
        service,
        subnets: { subnets },
        securityGroups: [securityGroup],
        open: false,
        privateDnsEnabled: this.options.privateDnsEnabled ?? true,
      }));
    }
    return { endpoints, securityGroup };
  }
}

const DX_GATEWAY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function validAmazonAsn(asn: number): boolean {
  return Number.isInteger(asn) && ((asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294));
}

function uniqueTokens(values: string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}
