import * as cxapi from 'aws-cdk-lib/cx-api';

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, any> }> };

/** Renders a CloudFormation value (Ref, GetAtt, literal) as short readable text. */
function show(value: unknown): string {
  if (value === undefined) return '-';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(show).join(', ');
  const v = value as Record<string, any>;
  if (v.Ref) return v.Ref;
  if (v['Fn::GetAtt']) return `${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}`;
  return JSON.stringify(value);
}

/** A plain-text summary of a synthesized cloud assembly: stacks, resources by type, every ENI. */
export function summarize(assembly: cxapi.CloudAssembly): string {
  const lines: string[] = [];
  for (const stack of assembly.stacks) {
    const template = stack.template as Template;
    const resources = Object.entries(template.Resources ?? {});
    lines.push(`Stack ${stack.stackName} (${stack.environment.account}/${stack.environment.region}): ${resources.length} resources`);
    const byType = new Map<string, number>();
    for (const [, r] of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
    for (const [type, count] of [...byType].sort()) lines.push(`  ${String(count).padStart(3)}  ${type}`);
    const enis = resources.filter(([, r]) => r.Type === 'AWS::EC2::NetworkInterface');
    if (enis.length) lines.push('  Network interfaces:');
    for (const [id, r] of enis) {
      const p = r.Properties ?? {};
      const fixed = [p.PrivateIpAddress, ...(p.PrivateIpAddresses ?? []).map((a: any) => a.PrivateIpAddress)].filter(Boolean);
      const eips = resources.filter(([, a]) => a.Type === 'AWS::EC2::EIPAssociation' && show(a.Properties?.NetworkInterfaceId) === id).length;
      lines.push(`    ${id}: subnet ${show(p.SubnetId)}; security groups ${show(p.GroupSet)}; ` +
        `IPv4 ${fixed.length ? fixed.join(', ') : 'automatic'}${p.SecondaryPrivateIpAddressCount ? ` + ${p.SecondaryPrivateIpAddressCount} automatic` : ''}; ` +
        `Elastic IPs ${eips}; source/dest check ${p.SourceDestCheck === false ? 'off' : 'on'}`);
    }
  }
  return lines.join('\n');
}
