import { adminPortsOpened, fromInternet, internetFacing } from './findings';
import { addressParts, groupLabel } from './labels';
import {
  AttachmentKind, EntryPointKind, FindingSeverity, IngressSourceKind, SubnetKind, TopologyFinding, TopologyIngressRule, TopologyNetworkInterface,
} from './model';
import { TopologyModel, shortId } from './reader';
import { naturalCompare } from './table';

const RED = 'stroke:#d00000,stroke-width:3px,color:#d00000';

/** At most this many drawn nodes of a source security group get an edge each; more are drawn as the group. */
const MAX_MEMBER_EDGES = 4;

/** The fill and stroke of each finding severity, shared by the nodes and the legend. */
const SEVERITY_STYLE: Record<FindingSeverity, string> = {
  [FindingSeverity.HIGH]: 'fill:#ffe0e0,stroke:#d00000,stroke-width:3px,color:#800000',
  [FindingSeverity.MEDIUM]: 'fill:#fff0d0,stroke:#d08000,stroke-width:2px,color:#704000',
};

/**
 * A drawn node: a host (an instance with the interfaces it is launched with, or several identical
 * hosts as one), or an interface on its own (floating, unattached, or created by an AWS service).
 */
interface Drawn {
  readonly node: string;
  readonly subnetId?: string;
  readonly vpcId?: string;
  readonly stackName?: string;
  readonly label: string[];
  readonly shape: 'host' | 'eni';
  readonly classes: Set<string>;
  /** Interface id -> the prefix its rules get on edges (`eth1: `), empty for a single interface. */
  readonly interfaces: Map<string, string>;
}

/**
 * Renders the model as a mermaid flowchart that stays legible as the app grows: one group per
 * stack, VPCs and named subnets inside it; each instance drawn with its interfaces as one node
 * (identical hosts, e.g. a fleet, as one node with a count); identical rules as one labelled edge;
 * one Internet node per VPC; sources that are subnets of the model drawn from the subnet; every
 * finding coloured by severity and named in the node and the legend.
 */
export function renderMermaid(model: TopologyModel, findings: TopologyFinding[]): string {
  const ids = new NodeIds();
  const out: string[] = ['flowchart LR'];
  const subnetOf = (id: string | undefined) => model.subnets.find((s) => s.id === id);
  const rulesOf = (eni: TopologyNetworkInterface) => eni.securityGroupIds
    .flatMap((g) => model.securityGroups.find((sg) => sg.id === g)?.ingress ?? []);
  const findingsOn = new Map<string, TopologyFinding[]>();
  for (const f of findings) findingsOn.set(f.resourceId, [...(findingsOn.get(f.resourceId) ?? []), f]);

  // ---- hosts: each instance with the interfaces it is launched with (or statically attached)
  const floating = new Set(model.failovers.map((f) => f.networkInterfaceId));
  const fixedAttachments = model.attachments.filter((a) => a.kind === AttachmentKind.LAUNCH || a.kind === AttachmentKind.STATIC);
  const hostOf = new Map<string, string>();
  for (const a of fixedAttachments) {
    if (!floating.has(a.networkInterfaceId) && !hostOf.has(a.networkInterfaceId)) hostOf.set(a.networkInterfaceId, a.instanceId);
  }
  const failoverRole = new Map<string, string>();
  for (const f of model.failovers) f.candidateInstanceIds.forEach((id, k) => failoverRole.set(id, `${k === 0 ? 'primary' : 'standby'} of ${f.networkInterfaceId}`));

  const interfacesOf = (instanceId: string) => fixedAttachments
    .filter((a) => a.instanceId === instanceId && hostOf.get(a.networkInterfaceId) === instanceId)
    .sort((a, b) => (a.deviceIndex ?? 99) - (b.deviceIndex ?? 99))
    .map((a) => ({ eni: model.networkInterfaces.find((e) => e.id === a.networkInterfaceId)!, deviceIndex: a.deviceIndex }))
    .filter((x) => x.eni !== undefined);
  const ruleLabel = (rule: TopologyIngressRule) => `${rule.ports}${rule.sourceKind === IngressSourceKind.IPV6_CIDR ? ' IPv6' : ''} from ${rule.sourceKind === IngressSourceKind.SECURITY_GROUP ? `sg:${rule.source}` : rule.source}`;
  const codesOf = (resourceIds: string[]) => [...new Set(resourceIds.flatMap((id) => (findingsOn.get(id) ?? []).map((f) => `${f.severity}:${f.code}`)))].sort();

  // Identical hosts (same stack, type, subnets, address kinds, rules, findings and role) become one node.
  const hostGroups = new Map<string, string[]>();
  for (const instance of [...model.instances].sort((a, b) => naturalCompare(a.name, b.name))) {
    const nics = interfacesOf(instance.id);
    const signature = JSON.stringify([
      instance.stackName, instance.instanceType, instance.imported, failoverRole.get(instance.id) ?? '', nics.length === 0 ? instance.id : '',
      nics.map(({ eni, deviceIndex }) => [
        deviceIndex, eni.subnetId, addressKinds(eni), [...new Set(rulesOf(eni).map(ruleLabel))].sort(), eni.sourceDestCheck, eni.managedBy,
      ]),
      codesOf([instance.id, ...nics.map((n) => n.eni.id)]),
    ]);
    hostGroups.set(signature, [...(hostGroups.get(signature) ?? []), instance.id]);
  }

  const drawn: Drawn[] = [];
  const drawnOfEni = new Map<string, Drawn>();
  const drawnOfInstance = new Map<string, Drawn>();
  for (const members of hostGroups.values()) {
    const first = model.instances.find((i) => i.id === members[0])!;
    const nics = interfacesOf(first.id);
    const many = members.length > 1;
    const names = members.map((id) => model.instances.find((i) => i.id === id)!.name);
    const title = many ? `${members.length} hosts: ${nameRange(names)}` : `instance ${first.name}`;
    const label = [[title, first.instanceType, first.imported ? 'imported' : undefined].filter((x) => x).join(' · ')];
    const interfaces = new Map<string, string>();
    for (const { eni, deviceIndex } of nics) {
      const prefix = nics.length > 1 ? `eth${deviceIndex ?? '?'}` : '';
      const subnet = subnetOf(eni.subnetId);
      const addresses = many ? addressKinds(eni) : addressParts(eni).join(', ');
      label.push([`eth${deviceIndex ?? '?'}`, subnet ? subnetName(subnet.name) : undefined, addresses, eni.sourceDestCheck ? undefined : 'source/dest check off']
        .filter((x) => x).join(' · '));
      interfaces.set(eni.id, prefix);
    }
    const primarySubnet = subnetOf(nics[0]?.eni.subnetId);
    const d: Drawn = {
      node: ids.get('host', first.id),
      subnetId: primarySubnet?.id,
      vpcId: primarySubnet?.vpcId,
      stackName: first.stackName,
      label,
      shape: 'host',
      classes: new Set(),
      interfaces,
    };
    drawn.push(d);
    for (const id of members) {
      drawnOfInstance.set(id, d);
      const own = interfacesOf(id);
      for (const { eni, deviceIndex } of own) {
        drawnOfEni.set(eni.id, d);
        interfaces.set(eni.id, own.length > 1 ? `eth${deviceIndex ?? '?'}` : '');
      }
    }
    markFindings(d, [...members, ...members.flatMap((id) => interfacesOf(id).map((n) => n.eni.id))]);
  }

  // ---- interfaces on their own: floating, unattached, or created by a service for its tasks / load balancer
  for (const eni of [...model.networkInterfaces].sort((a, b) => naturalCompare(a.name, b.name))) {
    if (drawnOfEni.has(eni.id)) continue;
    const subnet = subnetOf(eni.subnetId);
    const kind = floating.has(eni.id) ? 'floating ENI' : eni.managedBy === 'ecs' ? 'ECS' : eni.managedBy === 'elasticloadbalancing' ? 'load balancer' : 'ENI';
    const label = [`${kind} ${eni.name}`, addressParts(eni).join(', ')];
    if (eni.managedBy && eni.description) label.push(eni.description);
    if (!eni.sourceDestCheck) label.push('source/dest check off');
    const d: Drawn = {
      node: ids.get('eni', eni.id),
      subnetId: subnet?.id,
      vpcId: subnet?.vpcId,
      stackName: eni.stackName,
      label,
      shape: 'eni',
      classes: new Set(floating.has(eni.id) ? ['floating'] : []),
      interfaces: new Map([[eni.id, '']]),
    };
    drawn.push(d);
    drawnOfEni.set(eni.id, d);
    markFindings(d, [eni.id]);
  }

  function markFindings(d: Drawn, resourceIds: string[]) {
    const own = resourceIds.flatMap((id) => findingsOn.get(id) ?? []);
    if (own.length === 0) return;
    const codes = [...new Set(own.map((f) => f.code))];
    for (const code of codes) d.label.push(`⚠ ${code}`);
    d.classes.add(own.some((f) => f.severity === FindingSeverity.HIGH) ? 'high' : 'medium');
  }

  // ---- nodes, placed: stack > VPC > subnet
  const byStack = new Map<string | undefined, string[]>();
  const place = (stackName: string | undefined, line: string) => byStack.set(stackName, [...(byStack.get(stackName) ?? []), line]);
  const inSubnet = new Map<string, Drawn[]>();
  for (const d of drawn) if (d.subnetId) inSubnet.set(d.subnetId, [...(inSubnet.get(d.subnetId) ?? []), d]);
  const entriesInSubnet = groupBy(
    model.entryPoints.filter((e) => e.kind === EntryPointKind.INSTANCE_CONNECT_ENDPOINT && e.subnetIds[0]), (e) => e.subnetIds[0]);

  const nodeText = (d: Drawn) => {
    const text = d.label.map(esc).join('<br/>');
    return d.shape === 'host' ? `${d.node}("${text}")` : `${d.node}["${text}"]`;
  };
  const subnetTitle = (subnetId: string) => {
    const s = subnetOf(subnetId)!;
    const own = (findingsOn.get(s.id) ?? []).map((f) => `⚠ ${f.code}`);
    return [subnetName(s.name), s.kind === SubnetKind.UNKNOWN ? 'imported' : s.kind, s.cidr, s.availabilityZone, ...own].filter((x) => x).join(' · ');
  };
  const emitSubnet = (indent: string, subnetId: string): string[] => {
    const lines = [`${indent}subgraph ${ids.get('sn', subnetId)}["${esc(subnetTitle(subnetId))}"]`];
    for (const d of inSubnet.get(subnetId) ?? []) lines.push(`${indent}  ${nodeText(d)}`);
    for (const e of entriesInSubnet.get(subnetId) ?? []) lines.push(`${indent}  ${entryNode(e.id)}`);
    lines.push(`${indent}end`);
    return lines;
  };

  // Interface endpoints of a VPC with the same security groups are one node.
  const endpointGroups = groupBy(model.entryPoints.filter((e) => e.kind === EntryPointKind.INTERFACE_ENDPOINT),
    (e) => `${e.vpcId}|${[...e.securityGroupIds].sort().join(',')}`);
  const endpointNode = new Map<string, string>();
  for (const group of endpointGroups.values()) {
    const node = ids.get('ep', group[0].id);
    for (const e of group) endpointNode.set(e.id, node);
  }
  function entryNode(entryId: string): string {
    const entry = model.entryPoints.find((e) => e.id === entryId)!;
    if (entry.kind === EntryPointKind.INTERFACE_ENDPOINT) {
      const group = [...endpointGroups.values()].find((g) => g.includes(entry))!;
      return `${endpointNode.get(entry.id)}[["${esc(`interface endpoint${group.length > 1 ? 's' : ''} ${group.map((e) => e.detail).join(', ')}`)}"]]`;
    }
    const label = [`${ENTRY_LABEL[entry.kind]} ${entry.name}`, entry.detail].map(esc).join('<br/>');
    const node = ids.get('ep', entry.id);
    if (entry.kind === EntryPointKind.CLIENT_VPN) return `${node}[/"${label}"/]`;
    if (entry.kind === EntryPointKind.VPN_GATEWAY) return `${node}{{"${label}"}}`;
    return `${node}[["${label}"]]`;
  }

  const knownVpcs = new Set(model.vpcs.map((v) => v.id));
  const internetOf = new Map<string, string>();
  const vpcCidrNodes = new Map<string, string>();
  const vpcLines = new Map<string, string[]>();
  for (const vpc of model.vpcs) {
    const subnets = model.subnets.filter((s) => s.vpcId === vpc.id);
    if (subnets.length === 0) continue;
    const lines = [`    subgraph ${ids.get('vpc', vpc.id)}["${esc(`VPC ${vpc.name}${vpc.imported ? ' (imported)' : ''}${vpc.cidr ? ` · ${vpc.cidr}` : ''}`)}"]`];
    for (const s of [...subnets].sort((a, b) => naturalCompare(a.name, b.name))) lines.push(...emitSubnet('      ', s.id));
    const endpoints = [...endpointGroups.values()].filter((g) => g[0].vpcId === vpc.id);
    for (const g of endpoints) lines.push(`      ${entryNode(g[0].id)}`);
    vpcLines.set(vpc.id, lines);
  }

  // ---- edges
  const edges: string[] = [];
  const red: number[] = [];
  const edge = (text: string, isRed = false) => {
    if (isRed) red.push(edges.length);
    edges.push(`  ${text}`);
  };
  const extraLines: Array<[string | undefined, string]> = [];

  for (const f of model.failovers) {
    const from = drawnOfEni.get(f.networkInterfaceId)?.node;
    if (!from) continue;
    const device = f.deviceIndex === undefined ? 'device ?' : `device ${f.deviceIndex}`;
    f.candidateInstanceIds.forEach((id, k) => {
      const to = drawnOfInstance.get(id)?.node ?? hostForImported(id);
      edge(k === 0 ? `${from} ==>|"${device} · primary"| ${to}` : `${from} -.->|"${device} · standby"| ${to}`);
    });
  }
  for (const a of model.attachments.filter((x) => x.kind === AttachmentKind.STATIC && drawnOfEni.get(x.networkInterfaceId)?.shape === 'eni')) {
    edge(`${drawnOfEni.get(a.networkInterfaceId)!.node} -->|"device ${a.deviceIndex ?? '?'}"| ${drawnOfInstance.get(a.instanceId)?.node ?? hostForImported(a.instanceId)}`);
  }
  function hostForImported(instanceId: string): string {
    const node = ids.get('host', instanceId);
    if (!drawn.some((d) => d.node === node)) {
      const instance = model.instances.find((i) => i.id === instanceId);
      const d: Drawn = { node, label: [`instance ${instance?.name ?? shortId(instanceId)}`, 'imported'], shape: 'host', classes: new Set(), interfaces: new Map() };
      drawn.push(d);
      drawnOfInstance.set(instanceId, d);
    }
    return node;
  }

  for (const entry of model.entryPoints) {
    const node = ids.get('ep', entry.id);
    if (entry.kind === EntryPointKind.CLIENT_VPN) {
      for (const subnetId of entry.subnetIds) edge(`${node} -->|"associated"| ${ids.get('sn', subnetId)}`);
    } else if (entry.kind === EntryPointKind.VPN_GATEWAY && entry.vpcId && knownVpcs.has(entry.vpcId)) {
      edge(`${node} -->|"attached"| ${ids.get('vpc', entry.vpcId)}`);
    }
  }

  // Security-group ingress: one edge per (source, drawn node), labelled with every rule it carries.
  const members = new Map<string, Set<string>>();
  const addMember = (group: string, node: string) => members.set(group, (members.get(group) ?? new Set()).add(node));
  for (const eni of model.networkInterfaces) for (const g of eni.securityGroupIds) addMember(g, drawnOfEni.get(eni.id)!.node);
  for (const entry of model.entryPoints) {
    for (const g of entry.securityGroupIds) addMember(g, entry.kind === EntryPointKind.INTERFACE_ENDPOINT ? endpointNode.get(entry.id)! : ids.get('ep', entry.id));
  }

  const ingress = new Map<string, { from: string; to: string; labels: string[]; red: boolean }>();
  const sourceNodes = new Map<string, string>();
  for (const eni of model.networkInterfaces) {
    const target = drawnOfEni.get(eni.id)!;
    const prefix = target.interfaces.get(eni.id) ?? '';
    const facing = internetFacing(model, eni);
    for (const rule of rulesOf(eni)) {
      const dangerous = facing && fromInternet(rule) && adminPortsOpened(rule).length > 0;
      const port = rule.sourceKind === IngressSourceKind.IPV6_CIDR && rule.source === '::/0' ? `${rule.ports} IPv6` : rule.ports;
      for (const from of sourcesOf(rule, eni, target)) {
        if (from === target.node) continue;
        const key = `${from}>${target.node}`;
        const e = ingress.get(key) ?? { from, to: target.node, labels: [], red: false };
        const text = prefix ? `${prefix}: ${port}` : port;
        if (!e.labels.includes(text)) e.labels.push(text);
        e.red ||= dangerous;
        ingress.set(key, e);
      }
    }
  }
  function sourcesOf(rule: TopologyIngressRule, eni: TopologyNetworkInterface, target: Drawn): string[] {
    if (rule.sourceKind === IngressSourceKind.SECURITY_GROUP) {
      const m = [...(members.get(rule.source) ?? [])];
      if (m.length > 0 && m.length <= MAX_MEMBER_EDGES) return m;
      return [sourceNode(`sg:${rule.source}`, target.stackName, `{{"security group ${esc(groupLabel(model, rule.source))}${m.length ? `<br/>${m.length} members` : ''}"}}`)];
    }
    if (rule.sourceKind === IngressSourceKind.PREFIX_LIST) {
      return [sourceNode(`pl:${rule.source}`, target.stackName, `[/"prefix list ${esc(shortId(rule.source))}"\\]`)];
    }
    if (fromInternet(rule)) {
      // One Internet node per VPC, drawn in the stack that defines the VPC.
      const vpcId = subnetOf(eni.subnetId)?.vpcId ?? '';
      let node = internetOf.get(vpcId);
      if (!node) {
        node = ids.get('internet', vpcId || 'unknown');
        internetOf.set(vpcId, node);
        const vpc = model.vpcs.find((v) => v.id === vpcId);
        extraLines.push([vpc?.stackName ?? target.stackName, `    ${node}(("Internet${vpc ? `<br/>to ${esc(vpc.name)}` : ''}"))`]);
      }
      return [node];
    }
    // A CIDR: the subnet it names is drawn as the source (a management subnet admitting its own admins
    // is not an outside source); the VPC CIDR is a node in the VPC; anything else an outside node.
    const vpcOfTarget = subnetOf(eni.subnetId)?.vpcId;
    const subnet = model.subnets.find((s) => s.cidr === rule.source && (!vpcOfTarget || s.vpcId === vpcOfTarget))
      ?? model.subnets.find((s) => s.cidr === rule.source);
    if (subnet && subnet.id !== target.subnetId) return [ids.get('sn', subnet.id)];
    const vpc = model.vpcs.find((v) => v.id === rule.source || (v.cidr !== undefined && v.cidr === rule.source));
    if (vpc && vpcLines.has(vpc.id)) {
      let node = vpcCidrNodes.get(vpc.id);
      if (!node) {
        node = ids.get('vpccidr', vpc.id);
        vpcCidrNodes.set(vpc.id, node);
        vpcLines.get(vpc.id)!.splice(1, 0, `      ${node}(["${esc(`${vpc.name} CIDR${vpc.cidr ? ` ${vpc.cidr}` : ''}`)}"])`);
      }
      return [node];
    }
    const vpn = model.entryPoints.find((e) => e.kind === EntryPointKind.CLIENT_VPN && e.detail.includes(rule.source));
    if (vpn) return [ids.get('ep', vpn.id)];
    return [sourceNode(`cidr:${rule.source}`, target.stackName, `(["${esc(shortId(rule.source))}"])`)];
  }
  function sourceNode(key: string, stackName: string | undefined, shape: string): string {
    let node = sourceNodes.get(key);
    if (!node) {
      node = ids.get('src', key);
      sourceNodes.set(key, node);
      extraLines.push([stackName, `    ${node}${shape}`]);
    }
    return node;
  }
  for (const e of ingress.values()) edge(`${e.from} -->|"${esc(e.labels.join(', '))}"| ${e.to}`, e.red);

  // ---- assemble: stack groups (named), their VPCs and outside nodes; what belongs to no stack last
  for (const vpc of model.vpcs) if (vpcLines.has(vpc.id)) byStack.set(vpc.stackName, [...(byStack.get(vpc.stackName) ?? []), ...vpcLines.get(vpc.id)!, '    end']);
  for (const s of model.subnets.filter((x) => !x.vpcId || !knownVpcs.has(x.vpcId))) byStack.set(s.stackName, [...(byStack.get(s.stackName) ?? []), ...emitSubnet('    ', s.id)]);
  // Hosts and interfaces without a known subnet (imported instances, the default VPC) sit in their stack.
  for (const d of drawn.filter((x) => !x.subnetId)) place(d.stackName, `    ${nodeText(d)}`);
  for (const entry of model.entryPoints) {
    if (entry.kind === EntryPointKind.CLIENT_VPN || entry.kind === EntryPointKind.VPN_GATEWAY
      || (entry.kind === EntryPointKind.INSTANCE_CONNECT_ENDPOINT && !entry.subnetIds[0])) {
      place(entry.stackName, `    ${entryNode(entry.id)}`);
    }
    if (entry.kind === EntryPointKind.INTERFACE_ENDPOINT && (!entry.vpcId || !vpcLines.has(entry.vpcId)) && endpointNode.get(entry.id) === ids.get('ep', entry.id)) {
      place(entry.stackName, `    ${entryNode(entry.id)}`);
    }
  }
  for (const [stackName, line] of extraLines) place(stackName, line);

  const stackNames = [...byStack.keys()].filter((s): s is string => s !== undefined).sort(naturalCompare);
  for (const stackName of stackNames) {
    out.push(`  subgraph ${ids.get('stack', stackName)}["${esc(`stack ${stackName}`)}"]`);
    out.push(...byStack.get(stackName)!);
    out.push('  end');
  }
  for (const line of byStack.get(undefined) ?? []) out.push(line.replace(/^ {2}/, ''));

  // Empty subnets that no edge starts or ends at add boxes and nothing else: leave them out.
  const referenced = new Set(edges.flatMap((e) => [...e.matchAll(/\b(sn_\w+)\b/g)].map((m) => m[1])));
  for (let k = out.length - 2; k >= 0; k--) {
    const m = /^\s*subgraph (sn_\w+)\[/.exec(out[k]);
    if (m && out[k + 1].trim() === 'end' && !referenced.has(m[1]) && !findings.some((f) => ids.get('sn', f.resourceId) === m[1])) out.splice(k, 2);
  }

  const legend = renderLegend(findings, ids);
  out.push(...legend.lines);
  out.push(...edges);
  out.push(`  classDef high ${SEVERITY_STYLE[FindingSeverity.HIGH]}`);
  out.push(`  classDef medium ${SEVERITY_STYLE[FindingSeverity.MEDIUM]}`);
  out.push('  classDef floating stroke-dasharray:6 4,stroke-width:2px');
  out.push('  classDef entry fill:#e6efff,stroke:#2457a6');
  out.push('  classDef internet fill:#fff4d6,stroke:#b08000');
  const classes = new Map<string, string[]>();
  for (const d of drawn) for (const c of d.classes) classes.set(c, [...(classes.get(c) ?? []), d.node]);
  const entryNodes = [...new Set(model.entryPoints.map((e) => endpointNode.get(e.id) ?? ids.get('ep', e.id)))];
  if (entryNodes.length > 0) classes.set('entry', entryNodes);
  if (internetOf.size > 0) classes.set('internet', [...internetOf.values()]);
  for (const [cls, nodes] of classes) out.push(`  class ${nodes.join(',')} ${cls}`);
  out.push(...legend.classes);
  for (const subnetId of new Set(findings.map((f) => f.resourceId).filter((id) => model.subnets.some((s) => s.id === id)))) {
    const high = findings.some((f) => f.resourceId === subnetId && f.severity === FindingSeverity.HIGH);
    const worst = high ? FindingSeverity.HIGH : FindingSeverity.MEDIUM;
    out.push(`  style ${ids.get('sn', subnetId)} ${SEVERITY_STYLE[worst]}`);
  }
  if (red.length > 0) out.push(`  linkStyle ${red.join(',')} ${RED}`);
  return out.join('\n') + '\n';
}

/** The legend: what the colours mean, and every finding code drawn with its count. */
function renderLegend(findings: TopologyFinding[], ids: NodeIds): { lines: string[]; classes: string[] } {
  if (findings.length === 0) return { lines: [], classes: [] };
  const lines = ['  subgraph legend["Legend: findings (see the table for details)"]'];
  const counts = new Map<string, { severity: FindingSeverity; count: number }>();
  for (const f of findings) {
    const c = counts.get(f.code) ?? { severity: f.severity, count: 0 };
    c.count++;
    if (f.severity === FindingSeverity.HIGH) c.severity = FindingSeverity.HIGH;
    counts.set(f.code, c);
  }
  const nodes: Record<string, string[]> = { high: [], medium: [] };
  for (const [code, { severity, count }] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
    const node = ids.get('legend', code);
    lines.push(`    ${node}["${esc(`⚠ ${code} · ${severity.toUpperCase()} · ${count}`)}"]`);
    nodes[severity].push(node);
  }
  lines.push('  end');
  const classes = Object.entries(nodes).filter(([, list]) => list.length > 0).map(([cls, list]) => `  class ${list.join(',')} ${cls}`);
  return { lines, classes };
}

/** What kinds of addresses an interface has, without the addresses (for a group of identical hosts). */
function addressKinds(eni: TopologyNetworkInterface): string {
  const kinds = [eni.privateIpv4Addresses.length > 0 ? 'fixed IPv4' : 'automatic IPv4'];
  if (eni.ipv6Addresses.length + eni.ipv6AddressCount > 0) kinds.push('IPv6');
  if (eni.elasticIps.length > 0) kinds.push('Elastic IP');
  if (eni.publicIpOnLaunch) kinds.push('public IP at launch');
  return kinds.join(', ');
}

/** `Host0 … Host59` for numbered names, else the first names and a count. */
function nameRange(names: string[]): string {
  const sorted = [...names].sort(naturalCompare);
  const prefix = (n: string) => n.replace(/\d+$/, '');
  if (sorted.every((n) => /\d+$/.test(n) && prefix(n) === prefix(sorted[0]))) return `${sorted[0]} … ${sorted[sorted.length - 1]}`;
  return sorted.length <= 3 ? sorted.join(', ') : `${sorted.slice(0, 2).join(', ')} and ${sorted.length - 2} more`;
}

/** `Vpc/PublicSubnet1` -> `PublicSubnet1`: the VPC is the enclosing group. */
function subnetName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

const ENTRY_LABEL: Record<EntryPointKind, string> = {
  [EntryPointKind.CLIENT_VPN]: 'Client VPN',
  [EntryPointKind.VPN_GATEWAY]: 'VPN gateway',
  [EntryPointKind.INSTANCE_CONNECT_ENDPOINT]: 'Instance Connect Endpoint',
  [EntryPointKind.INTERFACE_ENDPOINT]: 'interface endpoint',
};

/** Escapes text for a quoted mermaid label. */
function esc(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string | undefined, T[]> {
  const map = new Map<string | undefined, T[]>();
  for (const item of items) {
    const k = key(item);
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
}

/** Stable, unique mermaid node ids derived from model ids. */
class NodeIds {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  public get(prefix: string, id: string): string {
    const key = `${prefix}:${id}`;
    let node = this.byKey.get(key);
    if (!node) {
      const base = `${prefix}_${id.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
      node = base;
      for (let n = 2; this.used.has(node); n++) node = `${base}_${n}`;
      this.used.add(node);
      this.byKey.set(key, node);
    }
    return node;
  }
}
