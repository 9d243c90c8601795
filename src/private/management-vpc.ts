import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { subnetName } from './introspect';
import { isCanonicalIpv4Cidr, parseIpv4Cidr } from './ip';
import type { ManagementNetworkProps } from '../management-network';

/** Throws when a prop that shapes a new VPC is given together with an existing `vpc`. */
export function validateExistingVpcProps(props: ManagementNetworkProps): void {
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

/** Validates the new-VPC props and creates the VPC: public, management and (optional) application subnets. */
export function createVpc(scope: Construct, props: ManagementNetworkProps): ec2.Vpc {
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

/** Selects subnets of the VPC; throws naming `prop` when the selection is invalid or empty. */
export function select(vpc: ec2.IVpc, selection: ec2.SubnetSelection, prop: string): ec2.SelectedSubnets {
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

/** A selection as text for error messages, subnets named by their path. */
export function describe(selection: ec2.SubnetSelection | undefined): string {
  return JSON.stringify(selection ?? {}, (_key, value) => {
    if (value && typeof value === 'object' && 'node' in value) {
      const s = value as ec2.ISubnet;
      return subnetName(s);
    }
    return value;
  });
}
