import { IngressSourceKind, SubnetKind, TopologyIngressRule, TopologyNetworkInterface } from './model';
import { TopologyModel, shortId } from './reader';

/** Text shared by the diagram and the table. */

/** `PublicSubnet1 (public)`, `subnet-0123 (imported)`. */
export function subnetLabel(model: TopologyModel, subnetId: string | undefined): string {
  if (!subnetId) return '- (default VPC)';
  const subnet = model.subnets.find((s) => s.id === subnetId);
  if (!subnet) return shortId(subnetId);
  return `${subnet.name} (${subnet.kind === SubnetKind.UNKNOWN ? 'imported' : subnet.kind})`;
}

/** A readable name for a security group id. */
export function groupLabel(model: TopologyModel, groupId: string): string {
  const group = model.securityGroups.find((g) => g.id === groupId);
  return group ? (group.imported ? `${group.id} (imported)` : group.name) : shortId(groupId);
}

/** Where a rule admits traffic from, as text. */
export function sourceLabel(model: TopologyModel, rule: TopologyIngressRule): string {
  switch (rule.sourceKind) {
    case IngressSourceKind.SECURITY_GROUP:
      return `sg ${groupLabel(model, rule.source)}`;
    case IngressSourceKind.PREFIX_LIST:
      return `prefix list ${shortId(rule.source)}`;
    default: {
      const vpc = model.vpcs.find((v) => v.id === rule.source);
      return vpc ? `${vpc.name} CIDR${vpc.cidr ? ` ${vpc.cidr}` : ''}` : shortId(rule.source);
    }
  }
}

/** The interface's addresses: fixed or automatic IPv4, IPv6, Elastic IPs, public IP at launch. */
export function addressParts(eni: TopologyNetworkInterface): string[] {
  const parts: string[] = [];
  const auto = eni.automaticIpv4Count;
  if (eni.privateIpv4Addresses.length > 0) {
    parts.push(eni.privateIpv4Addresses.join(', ') + (auto > 0 ? ` + ${auto} automatic` : ''));
  } else {
    parts.push(auto > 1 ? `automatic IPv4 x${auto}` : 'automatic IPv4');
  }
  if (eni.ipv6Addresses.length > 0) parts.push(eni.ipv6Addresses.join(', '));
  if (eni.ipv6AddressCount > 0) parts.push(`IPv6 x${eni.ipv6AddressCount}`);
  if (eni.elasticIps.length > 0) parts.push(eni.elasticIps.length === 1 ? 'Elastic IP' : `Elastic IP x${eni.elasticIps.length}`);
  if (eni.publicIpOnLaunch) parts.push('public IP at launch');
  return parts;
}
