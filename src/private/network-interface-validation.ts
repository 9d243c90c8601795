import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Token } from 'aws-cdk-lib/core';
import { knownSubnetIpv4Cidr, subnetHasIpv6, subnetName } from './introspect';
import { canonicalIpv6, ipv4InCidr, ipv4ReservedInSubnet, ipv6InCidr, parseIpv4, parseIpv6 } from './ip';
import { NetworkInterfaceProps } from '../network-interface-props';

/**
 * Checks a network interface's props against each other and against its subnet; throws an error
 * naming the prop and the value when they cannot be deployed.
 */
export function validateProps(subnet: ec2.ISubnet, props: NetworkInterfaceProps): void {
  validateCountsAndDescription(props);
  validateIpv4Addresses(subnet, props);
  validateIpv6Addresses(subnet, props);
  validateAddressPlan(props);
}

function validateCountsAndDescription(props: NetworkInterfaceProps): void {
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
}

function validateIpv4Addresses(subnet: ec2.ISubnet, props: NetworkInterfaceProps): void {
  const cidr = knownSubnetIpv4Cidr(subnet);
  const subnetLabel = subnetName(subnet);
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
}

function validateIpv6Addresses(subnet: ec2.ISubnet, props: NetworkInterfaceProps): void {
  const subnetLabel = subnetName(subnet);
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
}

function validateAddressPlan(props: NetworkInterfaceProps): void {
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
