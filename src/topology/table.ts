import { adminPortsOpened, fromInternet } from './findings';
import { addressParts, groupLabel, sourceLabel, subnetLabel } from './labels';
import { AttachmentKind, FindingSeverity, TopologyFinding, TopologyTableOptions } from './model';
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
      for (const [type, n] of Object.entries(stack.resourceTypes)) out.push(`  ${String(n).padStart(4)}  ${type}`);
    }
    out.push('');
  }

  const rows = [...model.networkInterfaces]
    .sort((a, b) => naturalCompare(a.stackName ?? '~', b.stackName ?? '~') || naturalCompare(a.name, b.name))
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
  out.push(...formatTable(TABLE_HEADINGS, rows, options.maxColumnWidth));

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
  if (options.maxColumnWidth !== undefined) {
    // The lists below the table wrap at 120 characters.
    const width = 120;
    return out.flatMap((l) => (l.startsWith('  - ') ? wrap(l, width).map((w, k) => (k === 0 ? w : `    ${w}`)) : [l])).join('\n') + '\n';
  }
  return out.join('\n') + '\n';
}

/** Compares names the way people count: Host2 before Host10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || a.localeCompare(b);
}

/** The totals after the table: one line per stack with its resources and interfaces, then the sum. */
export function renderTotals(model: TopologyModel, findings: TopologyFinding[]): string {
  const out: string[] = [];
  const stacks = [...model.stacks].sort((a, b) => naturalCompare(a.name, b.name));
  const width = Math.max(0, ...stacks.map((s) => s.name.length));
  for (const stack of stacks) {
    const enis = model.networkInterfaces.filter((e) => e.stackName === stack.name).length;
    const instances = model.instances.filter((i) => i.stackName === stack.name).length;
    out.push(`  ${stack.name.padEnd(width)}  ${count(stack.resourceCount, 'resource', 4)}, ${count(enis, 'network interface', 3)}, ${count(instances, 'instance', 3)}`);
  }
  const total = model.stacks.reduce((n, s) => n + s.resourceCount, 0);
  const high = findings.filter((f) => f.severity === FindingSeverity.HIGH).length;
  return `Totals:\n${out.join('\n')}\n  ${count(model.stacks.length, 'stack')}, ${count(total, 'resource')}, `
    + `${count(model.networkInterfaces.length, 'network interface')}, ${count(model.instances.length, 'instance')}, `
    + `${count(findings.length, 'finding')} (${high} high)\n`;
}

/** `1 instance`, `3 instances`: the number (padded to `width`) and the noun in the right number. */
export function count(n: number, noun: string, width = 0): string {
  return `${String(n).padStart(width)} ${noun}${n === 1 ? '' : 's'}`;
}

function formatTable(headings: string[], rows: string[][], maxColumnWidth?: number): string[] {
  const wrapped = rows.map((r) => r.map((cell) => wrap(cell, maxColumnWidth)));
  const widths = headings.map((h, i) => Math.max(h.length, ...wrapped.flatMap((r) => r[i].map((l) => l.length))));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd().replace(/(\s+\|)+$/, '');
  const lines = [line(headings), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const r of wrapped) {
    const height = Math.max(...r.map((c) => c.length));
    for (let k = 0; k < height; k++) lines.push(line(r.map((c) => c[k] ?? '')));
  }
  return lines;
}

/**
 * Splits a cell into lines of at most `width` characters, after '; ', ', ' or a space; a word
 * longer than the width is broken where a new word starts inside it (`PrimaryEni|SecurityGroup`,
 * after `/`, `-`, `_`, `.` or `:`), and only mid-word when it has no such place.
 */
export function wrap(text: string, width?: number): string[] {
  if (width === undefined || text.length <= width) return [text];
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const window = rest.slice(0, width + 1);
    let cut = Math.max(window.lastIndexOf('; '), window.lastIndexOf(', '));
    if (cut > 0) cut += 1; else cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = wordBoundary(rest.slice(0, width));
    if (cut <= 0) cut = width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) lines.push(rest);
  return lines;
}

/** The last place inside `text` where a new word starts: before an upper-case letter that follows a lower-case letter or digit, or after a separator. */
function wordBoundary(text: string): number {
  for (let i = text.length - 1; i > 0; i--) {
    const before = text[i - 1];
    const at = text[i];
    if ('/-_.:'.includes(before)) return i;
    if (/[a-z0-9]/.test(before) && /[A-Z]/.test(at)) return i;
  }
  return 0;
}
