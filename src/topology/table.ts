import { adminPortsOpened, fromInternet } from './findings';
import { addressParts, groupLabel, sourceLabel, subnetLabel } from './labels';
import { AttachmentKind, TopologyFinding, TopologyTableOptions } from './model';
import { TopologyModel, shortId } from './reader';

/** The column headings of the interface table. */
export const TABLE_HEADINGS = ['Stack', 'Interface', 'Subnet', 'Instance #device', 'Security groups', 'Inbound', 'Addresses'];

/**
 * Renders the model as plain text: optionally every stack with its resources by type, then one row
 * per network interface, the ways in, the failover pairs, and the findings.
 */
export function renderTable(model: TopologyModel, findings: TopologyFinding[], options: TopologyTableOptions = {}): string {
  const out: string[] = [];
  if (options.resourceCounts) {
    for (const stack of model.stacks) {
      const env = stack.account || stack.region ? ` (${stack.account ?? '?'}/${stack.region ?? '?'})` : '';
      out.push(`Stack ${stack.name}${env}: ${stack.resourceCount} resources`);
      for (const [type, count] of Object.entries(stack.resourceTypes)) out.push(`  ${String(count).padStart(4)}  ${type}`);
    }
    out.push('');
  }

  const rows = [...model.networkInterfaces]
    .sort((a, b) => (a.stackName ?? '~').localeCompare(b.stackName ?? '~') || a.name.localeCompare(b.name))
    .map((eni) => {
      const instances = model.attachments.filter((a) => a.networkInterfaceId === eni.id).map((a) => {
        const name = model.instances.find((i) => i.id === a.instanceId)?.name ?? shortId(a.instanceId);
        const device = a.deviceIndex === undefined ? '' : ` #${a.deviceIndex}`;
        if (a.kind === AttachmentKind.FAILOVER_PRIMARY) return `${name}${device} (floating, primary)`;
        if (a.kind === AttachmentKind.FAILOVER_STANDBY) return `${name}${device} (standby)`;
        return `${name}${device}`;
      });
      const rules = eni.securityGroupIds.flatMap((g) => model.securityGroups.find((sg) => sg.id === g)?.ingress ?? []);
      const inbound = rules.map((r) => `${r.ports} from ${sourceLabel(model, r)}${fromInternet(r) && adminPortsOpened(r).length > 0 ? ' (!)' : ''}`);
      return [
        eni.stackName ?? '-',
        eni.name,
        subnetLabel(model, eni.subnetId),
        instances.join(', ') || '-',
        eni.securityGroupIds.map((g) => groupLabel(model, g)).join(', ') || '-',
        [...new Set(inbound)].join('; ') || '-',
        addressParts(eni).join('; ') + (eni.sourceDestCheck ? '' : '; source/dest check off'),
      ];
    });
  out.push(...formatTable(TABLE_HEADINGS, rows));

  if (model.entryPoints.length > 0) {
    out.push('', 'Ways in:');
    for (const e of model.entryPoints) {
      const where = e.subnetIds.length > 0 ? ` in ${e.subnetIds.map((s) => subnetLabel(model, s)).join(', ')}` : e.vpcId ? ` attached to ${shortId(e.vpcId)}` : '';
      const groups = e.securityGroupIds.length > 0 ? `; security groups ${e.securityGroupIds.map((g) => groupLabel(model, g)).join(', ')}` : '';
      out.push(`  - ${e.kind} ${e.name} (${e.detail})${where}${groups}`);
    }
  }

  if (model.failovers.length > 0) {
    out.push('', 'Failover:');
    for (const f of model.failovers) {
      const eni = model.networkInterfaces.find((e) => e.id === f.networkInterfaceId)?.name ?? shortId(f.networkInterfaceId);
      const candidates = f.candidateInstanceIds.map((id, i) => `${model.instances.find((x) => x.id === id)?.name ?? shortId(id)} (${i === 0 ? 'primary' : 'standby'})`);
      out.push(`  - ${eni} floats between ${candidates.join(', ')}${f.deviceIndex === undefined ? '' : ` at device index ${f.deviceIndex}`}`);
    }
  }

  out.push('');
  if (findings.length === 0) {
    out.push('Findings: none');
  } else {
    out.push('Findings:');
    for (const f of findings) out.push(`  - [${f.severity.toUpperCase()}] ${f.code}: ${f.message}`);
  }
  return out.join('\n') + '\n';
}

function formatTable(headings: string[], rows: string[][]): string[] {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(headings), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)];
}
