import { adminPortsOpened, fromInternet, internetFacing } from './findings';
import { addressParts, groupLabel } from './labels';
import { AttachmentKind, EntryPointKind, IngressSourceKind, SubnetKind, TopologyIngressRule } from './model';
import { TopologyModel, shortId } from './reader';

const RED = 'stroke:#d00000,stroke-width:3px,color:#d00000';

/** At most this many members of a source security group get an edge each; more are drawn as the group. */
const MAX_MEMBER_EDGES = 4;

/**
 * Renders the model as a mermaid flowchart: VPCs and subnets as subgraphs, interfaces and
 * instances as nodes, attachments and security-group ingress as edges, the ways in as entry nodes.
 * Admin ports open to the internet on an internet-facing interface are drawn in red.
 */
export function renderMermaid(model: TopologyModel): string {
  const ids = new NodeIds();
  const out: string[] = ['flowchart LR'];
  const classes = new Map<string, Set<string>>();
  const addClass = (cls: string, node: string) => classes.set(cls, (classes.get(cls) ?? new Set()).add(node));

  // ---- placement: what goes inside which subgraph
  const enisBySubnet = group(model.networkInterfaces, (e) => e.subnetId);
  const subnetsByVpc = group(model.subnets, (s) => s.vpcId);
  const primarySubnetOf = (instanceId: string) => {
    const attachment = model.attachments.find((a) => a.instanceId === instanceId && a.kind !== AttachmentKind.FAILOVER_STANDBY);
    return model.networkInterfaces.find((e) => e.id === attachment?.networkInterfaceId)?.subnetId;
  };
  const vpcOfSubnet = (subnetId: string | undefined) => model.subnets.find((s) => s.id === subnetId)?.vpcId;
  const instancesByVpc = group(model.instances, (i) => vpcOfSubnet(primarySubnetOf(i.id)));
  const entriesBySubnet = group(model.entryPoints.filter((e) => e.kind === EntryPointKind.INSTANCE_CONNECT_ENDPOINT), (e) => e.subnetIds[0]);
  const endpointsByVpc = group(model.entryPoints.filter((e) => e.kind === EntryPointKind.INTERFACE_ENDPOINT), (e) => e.vpcId);

  const floating = new Set(model.failovers.map((f) => f.networkInterfaceId));
  const eniNode = (id: string) => ids.get('eni', id);

  const emitEni = (indent: string, eniId: string) => {
    const eni = model.networkInterfaces.find((e) => e.id === eniId)!;
    const lines = [`${floating.has(eni.id) ? 'floating ENI' : 'ENI'} ${eni.name}`, ...addressParts(eni)];
    if (!eni.sourceDestCheck) lines.push('source/dest check off');
    out.push(`${indent}${eniNode(eni.id)}["${lines.map(esc).join('<br/>')}"]`);
    if (floating.has(eni.id)) addClass('floating', eniNode(eni.id));
  };
  const emitInstance = (indent: string, instanceId: string) => {
    const instance = model.instances.find((i) => i.id === instanceId)!;
    const lines = [`instance ${instance.name}`];
    if (instance.instanceType) lines.push(instance.instanceType);
    if (instance.imported) lines.push('imported');
    out.push(`${indent}${ids.get('i', instance.id)}(["${lines.map(esc).join('<br/>')}"])`);
  };
  const emitEntry = (indent: string, entryId: string) => {
    const entry = model.entryPoints.find((e) => e.id === entryId)!;
    const node = ids.get('ep', entry.id);
    const label = [`${ENTRY_LABEL[entry.kind]} ${entry.name}`, entry.detail].map(esc).join('<br/>');
    const shapes: Record<EntryPointKind, [string, string]> = {
      [EntryPointKind.CLIENT_VPN]: ['[/"', '"/]'],
      [EntryPointKind.VPN_GATEWAY]: ['{{"', '"}}'],
      [EntryPointKind.INSTANCE_CONNECT_ENDPOINT]: ['[["', '"]]'],
      [EntryPointKind.INTERFACE_ENDPOINT]: ['[["', '"]]'],
    };
    const [open, close] = shapes[entry.kind];
    out.push(`${indent}${node}${open}${label}${close}`);
    addClass('entry', node);
  };
  const emitSubnet = (indent: string, subnetId: string) => {
    const subnet = model.subnets.find((s) => s.id === subnetId)!;
    const title = [subnet.name, subnet.kind === SubnetKind.UNKNOWN ? 'imported' : subnet.kind, subnet.cidr, subnet.availabilityZone]
      .filter((x) => x !== undefined).join(' · ');
    out.push(`${indent}subgraph ${ids.get('sn', subnet.id)}["${esc(title)}"]`);
    for (const eni of enisBySubnet.get(subnet.id) ?? []) emitEni(`${indent}  `, eni.id);
    for (const entry of entriesBySubnet.get(subnet.id) ?? []) emitEntry(`${indent}  `, entry.id);
    out.push(`${indent}end`);
  };

  // ---- nodes
  for (const vpc of model.vpcs) {
    const subnets = subnetsByVpc.get(vpc.id) ?? [];
    const instances = instancesByVpc.get(vpc.id) ?? [];
    const endpoints = endpointsByVpc.get(vpc.id) ?? [];
    if (subnets.length + instances.length + endpoints.length === 0) continue;
    const title = `VPC ${vpc.name}${vpc.imported ? ' (imported)' : ''}${vpc.cidr ? ` · ${vpc.cidr}` : ''}`;
    out.push(`  subgraph ${ids.get('vpc', vpc.id)}["${esc(title)}"]`);
    for (const subnet of subnets) emitSubnet('    ', subnet.id);
    for (const instance of instances) emitInstance('    ', instance.id);
    for (const endpoint of endpoints) emitEntry('    ', endpoint.id);
    out.push('  end');
  }
  const knownVpcs = new Set(model.vpcs.map((v) => v.id));
  for (const subnet of model.subnets.filter((s) => !s.vpcId || !knownVpcs.has(s.vpcId))) emitSubnet('  ', subnet.id);
  for (const eni of enisBySubnet.get(undefined) ?? []) emitEni('  ', eni.id);
  for (const instance of model.instances.filter((i) => { const v = vpcOfSubnet(primarySubnetOf(i.id)); return !v || !knownVpcs.has(v); })) {
    emitInstance('  ', instance.id);
  }
  for (const entry of model.entryPoints) {
    if (entry.kind === EntryPointKind.CLIENT_VPN || entry.kind === EntryPointKind.VPN_GATEWAY
      || (entry.kind === EntryPointKind.INSTANCE_CONNECT_ENDPOINT && !entry.subnetIds[0])
      || (entry.kind === EntryPointKind.INTERFACE_ENDPOINT && (!entry.vpcId || !knownVpcs.has(entry.vpcId)))) {
      emitEntry('  ', entry.id);
    }
  }

  // ---- edges
  const edges: string[] = [];
  const red: number[] = [];
  const edge = (text: string, isRed = false) => {
    if (isRed) red.push(edges.length);
    edges.push(`  ${text}`);
  };

  for (const a of model.attachments) {
    const from = eniNode(a.networkInterfaceId);
    const to = ids.get('i', a.instanceId);
    const device = a.deviceIndex === undefined ? 'device ?' : `device ${a.deviceIndex}`;
    if (a.kind === AttachmentKind.FAILOVER_PRIMARY) edge(`${from} ==>|"${device} · primary"| ${to}`);
    else if (a.kind === AttachmentKind.FAILOVER_STANDBY) edge(`${from} -.->|"${device} · standby"| ${to}`);
    else edge(`${from} -->|"${device}"| ${to}`);
  }

  for (const entry of model.entryPoints) {
    const node = ids.get('ep', entry.id);
    if (entry.kind === EntryPointKind.CLIENT_VPN) {
      for (const subnetId of entry.subnetIds) edge(`${node} -->|"associated"| ${ids.get('sn', subnetId)}`);
    } else if (entry.kind === EntryPointKind.VPN_GATEWAY && entry.vpcId && knownVpcs.has(entry.vpcId)) {
      edge(`${node} -->|"attached"| ${ids.get('vpc', entry.vpcId)}`);
    }
  }

  // Security-group ingress: one edge per (source, interface) with every port it admits.
  const members = new Map<string, string[]>();
  for (const eni of model.networkInterfaces) for (const g of eni.securityGroupIds) members.set(g, [...(members.get(g) ?? []), eniNode(eni.id)]);
  for (const entry of model.entryPoints) for (const g of entry.securityGroupIds) members.set(g, [...(members.get(g) ?? []), ids.get('ep', entry.id)]);

  const sourceNodes = new Map<string, string>();
  const ingress = new Map<string, { from: string; to: string; ports: string[]; red: boolean }>();
  for (const eni of model.networkInterfaces) {
    const target = eniNode(eni.id);
    const facing = internetFacing(model, eni);
    const rules = eni.securityGroupIds.flatMap((g) => model.securityGroups.find((sg) => sg.id === g)?.ingress ?? []);
    for (const rule of rules) {
      const dangerous = facing && fromInternet(rule) && adminPortsOpened(rule).length > 0;
      for (const from of sourcesOf(rule)) {
        if (from === target) continue;
        const key = `${from}>${target}`;
        const e = ingress.get(key) ?? { from, to: target, ports: [], red: false };
        const port = rule.sourceKind === IngressSourceKind.IPV6_CIDR && rule.source === '::/0' ? `${rule.ports} IPv6` : rule.ports;
        if (!e.ports.includes(port)) e.ports.push(port);
        e.red ||= dangerous;
        ingress.set(key, e);
      }
      if (dangerous) addClass('exposed', target);
    }
  }
  function sourcesOf(rule: TopologyIngressRule): string[] {
    if (rule.sourceKind === IngressSourceKind.SECURITY_GROUP) {
      const m = members.get(rule.source) ?? [];
      if (m.length > 0 && m.length <= MAX_MEMBER_EDGES) return m;
      return [sourceNode(`sg:${rule.source}`, `{{"security group ${esc(groupLabel(model, rule.source))}${m.length ? `<br/>${m.length} members` : ''}"}}`)];
    }
    if (rule.sourceKind === IngressSourceKind.PREFIX_LIST) {
      return [sourceNode(`pl:${rule.source}`, `[/"prefix list ${esc(shortId(rule.source))}"\\]`)];
    }
    if (fromInternet(rule)) return [sourceNode('internet', '(("Internet"))')];
    const vpc = model.vpcs.find((v) => v.id === rule.source);
    const text = vpc ? `${vpc.name} CIDR${vpc.cidr ? `<br/>${vpc.cidr}` : ''}` : esc(shortId(rule.source));
    return [sourceNode(`cidr:${rule.source}`, `(["${text}"])`)];
  }
  function sourceNode(key: string, shape: string): string {
    let node = sourceNodes.get(key);
    if (!node) {
      node = ids.get('src', key);
      sourceNodes.set(key, node);
      out.push(`  ${node}${shape}`);
      if (key === 'internet') addClass('internet', node);
    }
    return node;
  }
  for (const e of ingress.values()) edge(`${e.from} -->|"${esc(e.ports.join(', '))}"| ${e.to}`, e.red);

  out.push(...edges);
  out.push('  classDef exposed fill:#ffe0e0,stroke:#d00000,stroke-width:3px,color:#800000');
  out.push('  classDef floating stroke-dasharray:6 4,stroke-width:2px');
  out.push('  classDef entry fill:#e6efff,stroke:#2457a6');
  out.push('  classDef internet fill:#fff4d6,stroke:#b08000');
  for (const [cls, nodes] of classes) out.push(`  class ${[...nodes].join(',')} ${cls}`);
  if (red.length > 0) out.push(`  linkStyle ${red.join(',')} ${RED}`);
  return out.join('\n') + '\n';
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

function group<T>(items: T[], key: (item: T) => string | undefined): Map<string | undefined, T[]> {
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
