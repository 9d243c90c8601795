import * as directconnect from 'aws-cdk-lib/aws-directconnect';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { knownSubnetAz, subnetName } from './introspect';

/**
 * What a management access gets from the network that adds it: where to create its resources,
 * the VPC, the management subnets and security group, and a way to declare the CIDRs its traffic
 * comes from. The access keeps what it creates; the network never reads its fields.
 */
export interface ManagementAccessContext {
  /** The construct the access creates its resources under (the network: construct ids are API). */
  readonly scope: Construct;

  /** The VPC of the network. */
  readonly vpc: ec2.IVpc;

  /** The management subnets. */
  readonly managementSubnets: ec2.ISubnet[];

  /** The security group of the ways in; resources admit management ports from it. */
  readonly managementSecurityGroup: ec2.ISecurityGroup;

  /**
   * Declares a CIDR management traffic comes from: the network validates it (`prop` names the
   * option in error messages), admits it in its network ACL and opens every management target to it.
   */
  addManagementCidr(cidr: string, prop: string): void;
}

/** What `ManagementAccess.clientVpn()` creates in one network. */
export interface ClientVpnResources {
  readonly endpoint: ec2.ClientVpnEndpoint;
  readonly logGroup: logs.ILogGroup;
}

/** What `ManagementAccess.vpnGateway()` creates in one network. */
export interface VpnGatewayResources {
  readonly vpnGatewayId: string;
  customerGateway?: ec2.CfnCustomerGateway;
  vpnConnection?: ec2.CfnVPNConnection;
  directConnectGatewayAssociation?: directconnect.CfnDirectConnectGatewayAssociation;
}

/** What `ManagementAccess.instanceConnectEndpoint()` creates in one network. */
export interface InstanceConnectEndpointResources {
  readonly endpoint: ec2.CfnInstanceConnectEndpoint;
}

/** What `ManagementAccess.sessionManager()` creates in one network. */
export interface SessionManagerResources {
  readonly endpoints: ec2.InterfaceVpcEndpoint[];
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * A construct id fragment for a CIDR block (`10.0.2.0/24` -> `10.0.2.0-24`): ids may not contain
 * `/`. A CIDR that is a token has no stable text, so it is named by its position instead.
 */
export function cidrId(cidr: string, position: number): string {
  return Token.isUnresolved(cidr) ? `Cidr${position}` : cidr.replace(/\//g, '-');
}

/**
 * The first subnet of every Availability Zone, in order. Client VPN target networks and interface
 * endpoints take at most one subnet per Availability Zone. Subnets whose AZ is unknown are kept.
 */
export function onePerAz(subnets: ec2.ISubnet[]): ec2.ISubnet[] {
  const seen = new Set<string>();
  return subnets.filter((s) => {
    const az = knownSubnetAz(s);
    if (az === undefined) {
      return true;
    }
    if (seen.has(az)) {
      return false;
    }
    seen.add(az);
    return true;
  });
}

/** The subnet's IPv4 CIDR (literal or token); throws with `why` when the subnet does not know it. */
export function subnetCidrOrThrow(subnet: ec2.ISubnet, why: string): string {
  let cidr: string | undefined;
  try {
    cidr = subnet.ipv4CidrBlock;
  } catch {
    cidr = undefined;
  }
  if (!cidr) {
    throw new Error(`${why}, but the CIDR of management subnet ${subnetName(subnet)} is unknown: import the subnet with its ipv4CidrBlock (ec2.Subnet.fromSubnetAttributes or ec2.Vpc.fromLookup)`);
  }
  return cidr;
}

/**
 * The VPC's primary IPv4 CIDR as a literal when it can be known at synth time: the attribute
 * itself, or the `CidrBlock` of an `AWS::EC2::VPC` defined in this app. Otherwise the token.
 */
export function knownVpcCidr(vpc: ec2.IVpc): string {
  const attr = vpc.vpcCidrBlock;
  if (!Token.isUnresolved(attr)) {
    return attr;
  }
  const cfn = vpc.node.defaultChild;
  if (cfn instanceof ec2.CfnVPC && typeof cfn.cidrBlock === 'string' && !Token.isUnresolved(cfn.cidrBlock)) {
    return cfn.cidrBlock;
  }
  return attr;
}
