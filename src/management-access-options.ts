import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Options of an AWS Client VPN endpoint into the management subnets.
 */
export interface ClientVpnAccessOptions {
  /**
   * The IPv4 range client addresses are assigned from. AWS requires a block from /12 to /22 that
   * does not overlap the VPC or any other management CIDR.
   */
  readonly cidr: string;

  /** The ARN of the server certificate in AWS Certificate Manager. */
  readonly serverCertificateArn: string;

  /**
   * The ARN of the client root certificate chain in AWS Certificate Manager, for mutual TLS
   * authentication. At least one of `clientCertificateArn` and `samlProvider` is required.
   *
   * @default - no certificate authentication
   */
  readonly clientCertificateArn?: string;

  /**
   * The IAM SAML identity provider for federated authentication. At least one of
   * `clientCertificateArn` and `samlProvider` is required.
   *
   * @default - no federated authentication
   */
  readonly samlProvider?: iam.ISamlProvider;

  /**
   * The IAM SAML identity provider for the self-service portal. Needs `samlProvider`.
   *
   * @default - the self-service portal uses `samlProvider`
   */
  readonly selfServiceSamlProvider?: iam.ISamlProvider;

  /**
   * Whether only traffic for the VPC goes through the VPN, while the rest of the client's
   * traffic keeps its own internet path. The management subnets have no internet path, so a
   * full tunnel leaves clients without internet access while connected.
   *
   * @default true
   */
  readonly splitTunnel?: boolean;

  /**
   * The identity provider group (SAML group or Active Directory group ID) whose members may reach
   * the management subnets.
   *
   * @default - every authenticated client
   */
  readonly authorizedGroupId?: string;

  /**
   * DNS servers pushed to clients (at most two).
   *
   * @default - none: clients keep their own resolvers
   */
  readonly dnsServers?: string[];

  /**
   * How long connection logs are kept in CloudWatch Logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A customer gateway and site-to-site VPN connection to the virtual private gateway.
 */
export interface CustomerGatewayOptions {
  /** The public IPv4 address of the customer gateway device on premises. */
  readonly ipAddress: string;

  /**
   * The BGP autonomous system number of the customer gateway.
   *
   * @default 65000
   */
  readonly bgpAsn?: number;

  /**
   * Whether the VPN connection uses static routes (the `onPremisesCidrs`) instead of BGP.
   *
   * @default false
   */
  readonly staticRoutesOnly?: boolean;
}

/**
 * Options of a virtual private gateway for site-to-site VPN and Direct Connect.
 */
export interface VpnGatewayAccessOptions {
  /**
   * The on-premises networks that administer the management subnets. They are admitted by the
   * management network ACL and become management CIDRs (and peers). They must not overlap the
   * VPC or other management CIDRs, and none may be the whole address space.
   */
  readonly onPremisesCidrs: string[];

  /**
   * An existing virtual private gateway that is already attached to the VPC. Only route
   * propagation (and the optional connection and association) are added.
   *
   * @default - the VPC's own gateway (`vpc.vpnGatewayId`) when it has one, otherwise a new
   * gateway is created and attached
   */
  readonly vpnGatewayId?: string;

  /**
   * The private ASN of the Amazon side of a new gateway (64512-65534 or 4200000000-4294967294).
   *
   * @default - the AWS default, 64512
   */
  readonly amazonSideAsn?: number;

  /**
   * A customer gateway and site-to-site VPN connection to create.
   *
   * @default - no VPN connection: connect one later, or use Direct Connect
   */
  readonly customerGateway?: CustomerGatewayOptions;

  /**
   * The ID of a Direct Connect gateway to associate with the virtual private gateway. AWS then
   * advertises the VPC CIDR to the Direct Connect gateway.
   *
   * @default - no Direct Connect association
   */
  readonly directConnectGatewayId?: string;
}

/**
 * Options of an EC2 Instance Connect Endpoint.
 */
export interface InstanceConnectEndpointAccessOptions {
  /**
   * The Availability Zone of the management subnet that holds the endpoint. AWS allows one
   * endpoint per VPC; it reaches instances in every subnet of the VPC.
   *
   * @default - the Availability Zone of the first management subnet
   */
  readonly availabilityZone?: string;
}

/**
 * Options of the Session Manager interface endpoints.
 */
export interface SessionManagerAccessOptions {
  /**
   * Whether the endpoints answer for the public service names inside the VPC, so SSM Agent needs
   * no configuration. Needs DNS support and DNS hostnames on the VPC.
   *
   * @default true
   */
  readonly privateDnsEnabled?: boolean;
}
