import * as fs from 'fs';
import * as path from 'path';
import {
  AttachmentKind, EntryPointKind, IngressSourceKind, RouteTargetKind, SubnetKind, TopologyAttachment, TopologyElasticIp,
  TopologyEntryPoint, TopologyFailover, TopologyIngressRule, TopologyInstance, TopologyNetworkInterface, TopologyRoute,
  TopologyRouteTable, TopologySecurityGroup, TopologyStack, TopologySubnet, TopologyVpc,
} from './model';
import { FAILOVER_METADATA, SUBNET_ROLE_TAG } from '../private/tags';


/** One template to read. */
export interface StackInput {
  readonly name: string;
  readonly template: any;
  readonly account?: string;
  readonly region?: string;
  /** Where the template was read from, when it is a file. */
  readonly templatePath?: string;
}

/**
 * A stack and the stacks nested in it, depth first: every `AWS::CloudFormation::Stack` resource whose
 * template the cloud assembly holds (the file named by the resource's `aws:asset:path` metadata, or
 * else the file asset of the assets manifest whose object key the resource's TemplateURL names). A nested stack is named `<parent><separator><logical ID>`.
 * Values the parent passes in as parameters are not followed: they read as `param:<name>`.
 */
export function withNestedStacks(stack: StackInput, assemblyDirectory: string, separator = '/'): StackInput[] {
  const found: StackInput[] = [stack];
  for (const [logicalId, resource] of Object.entries<any>(stack.template?.Resources ?? {})) {
    if (resource?.Type !== 'AWS::CloudFormation::Stack') continue;
    const file = nestedTemplateFile(resource, assemblyDirectory);
    if (file === undefined) continue;
    const templatePath = path.join(assemblyDirectory, file);
    if (!fs.existsSync(templatePath)) continue;
    const nested: StackInput = {
      name: `${stack.name}${separator}${logicalId}`,
      template: JSON.parse(fs.readFileSync(templatePath, 'utf8')),
      account: stack.account,
      region: stack.region,
      templatePath,
    };
    found.push(...withNestedStacks(nested, assemblyDirectory, separator));
  }
  return found;
}

/** The file name, in the assembly directory, of the template of an AWS::CloudFormation::Stack resource. */
function nestedTemplateFile(resource: any, assemblyDirectory: string): string | undefined {
  const file = resource.Metadata?.['aws:asset:path'];
  if (typeof file === 'string' && file.endsWith('.json')) return file;
  // Without asset metadata (the cdk CLI turns it on, a bare App does not): the assets manifests.
  const url = JSON.stringify(resource.Properties?.TemplateURL ?? '');
  for (const manifest of fs.readdirSync(assemblyDirectory).filter((f) => f.endsWith('.assets.json'))) {
    const assets = JSON.parse(fs.readFileSync(path.join(assemblyDirectory, manifest), 'utf8'));
    for (const asset of Object.values<any>(assets.files ?? {})) {
      const source = asset?.source?.path;
      if (typeof source !== 'string' || !source.endsWith('.json')) continue;
      const keys = Object.values<any>(asset.destinations ?? {}).map((d) => d?.objectKey).filter((k) => typeof k === 'string');
      if (keys.some((k: string) => url.includes(k))) return source;
    }
  }
  return undefined;
}

/** Everything the reader found. Not public API: `Topology` exposes it. */
export interface TopologyModel {
  readonly stacks: TopologyStack[];
  readonly vpcs: TopologyVpc[];
  readonly subnets: TopologySubnet[];
  readonly routeTables: TopologyRouteTable[];
  readonly instances: TopologyInstance[];
  readonly networkInterfaces: TopologyNetworkInterface[];
  readonly attachments: TopologyAttachment[];
  readonly securityGroups: TopologySecurityGroup[];
  readonly entryPoints: TopologyEntryPoint[];
  readonly failovers: TopologyFailover[];
  /** Ids (in the model) of internet gateways, defined or referenced. */
  readonly internetGatewayIds: string[];
}

type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> };

/** Where a logical ID lives, for resolving references. */
interface Scope {
  readonly stack: string;
  readonly resources: Record<string, Resource>;
  readonly parameters: Record<string, unknown>;
  /** Export name -> `<stack>/<logical id>` across every stack given to the reader. */
  readonly exports: Map<string, string>;
}

/**
 * Reads CloudFormation templates into a network model. `stacks` are read; `exportSources` (a
 * superset) only serve to resolve `Fn::ImportValue` across stacks.
 */
export function readTemplates(stacks: StackInput[], exportSources: StackInput[] = stacks): TopologyModel {
  const exports = collectExports(exportSources);
  const b = new Builder();
  const scopes = stacks.map((s): Scope => ({
    stack: s.name,
    resources: (s.template?.Resources ?? {}) as Record<string, Resource>,
    parameters: (s.template?.Parameters ?? {}) as Record<string, unknown>,
    exports,
  }));
  stacks.forEach((s, i) => b.stack(s, scopes[i]));
  // Order matters: containers first, so that later passes can look them up.
  for (const pass of [
    (sc: Scope) => b.vpcsAndGateways(sc),
    (sc: Scope) => b.subnetsAndRoutes(sc),
    (sc: Scope) => b.securityGroups(sc),
    (sc: Scope) => b.networkInterfaces(sc),
    (sc: Scope) => b.instances(sc),
    (sc: Scope) => b.managedInterfaces(sc),
    (sc: Scope) => b.attachmentsAndAddresses(sc),
    (sc: Scope) => b.entryPoints(sc),
  ]) {
    scopes.forEach(pass);
  }
  return b.finish();
}

function collectExports(stacks: StackInput[]): Map<string, string> {
  const exports = new Map<string, string>();
  for (const s of stacks) {
    const resources = s.template?.Resources ?? {};
    for (const output of Object.values<any>(s.template?.Outputs ?? {})) {
      const name = output?.Export?.Name;
      if (typeof name !== 'string') continue;
      const logicalId = logicalIdOf(output.Value);
      if (logicalId && resources[logicalId]) exports.set(name, `${s.name}/${logicalId}`);
    }
  }
  return exports;
}

/** The logical ID a `Ref` or `Fn::GetAtt` points at, if the value is one. */
function logicalIdOf(value: any): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
    if (typeof getAtt === 'string') return getAtt.split('.')[0];
  }
  return undefined;
}

/**
 * Resolves a reference to an id in the model: `<stack>/<logical ID>` for resources in the template,
 * the literal for strings (imported ids), `import:`/`param:` for what cannot be followed.
 */
export function resolveRef(value: any, scope: Scope): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    return scope.resources[value] ? `${scope.stack}/${value}` : value;
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') {
    if (value.Ref === 'AWS::NoValue') return undefined;
    const logicalId = logicalIdOf(value);
    if (logicalId !== undefined) {
      if (scope.resources[logicalId]) return `${scope.stack}/${logicalId}`;
      if (scope.parameters[logicalId] !== undefined) return `param:${logicalId}`;
      return `unresolved:${logicalId}`;
    }
    const imported = value['Fn::ImportValue'];
    if (imported !== undefined) {
      const name = typeof imported === 'string' ? imported : JSON.stringify(imported);
      return scope.exports.get(name) ?? `import:${name}`;
    }
  }
  return `unresolved:${JSON.stringify(value).slice(0, 60)}`;
}

function resolveList(value: any, scope: Scope): string[] {
  if (!Array.isArray(value)) {
    const one = resolveRef(value, scope);
    return one ? [one] : [];
  }
  return value.map((v) => resolveRef(v, scope)).filter((v): v is string => v !== undefined);
}

/** A literal string or number, or undefined for anything CloudFormation computes at deploy time. */
function literal(value: any): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function literalNumber(value: any): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  return n;
}

function bool(value: any, dflt: boolean): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return dflt;
}

function tag(props: Record<string, any> | undefined, key: string): string | undefined {
  const tags = props?.Tags;
  if (!Array.isArray(tags)) return undefined;
  return literal(tags.find((t: any) => t?.Key === key)?.Value);
}

/** A readable name: the `Name` tag without its stack prefix, or the logical ID without CDK's hash suffix. */
function displayName(scope: Scope, logicalId: string, props?: Record<string, any>): string {
  const nameTag = tag(props, 'Name');
  if (nameTag) return nameTag.startsWith(`${scope.stack}/`) ? nameTag.slice(scope.stack.length + 1) : nameTag;
  return shortLogicalId(logicalId);
}

/** `ServiceEni8E9A6E45` -> `ServiceEni`. */
export function shortLogicalId(logicalId: string): string {
  const m = /^(.+?)[0-9A-F]{8}$/.exec(logicalId);
  return m ? m[1] : logicalId;
}

/** The short form of an id for display: the logical ID (without CDK's hash) of `<stack>/<logical ID>`; other values as they are. */
export function shortId(id: string): string {
  if (/^[0-9a-fA-F:.]+\/\d+$/.test(id) || /^(import|unresolved|param):/.test(id)) return id;
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? shortLogicalId(id.slice(slash + 1)) : id;
}

const ADMIN_NAME = /manag|mgmt|admin/i;

class Builder {
  private readonly stacks: TopologyStack[] = [];
  private readonly vpcs = new Map<string, TopologyVpc>();
  private readonly subnets = new Map<string, Mutable<TopologySubnet>>();
  private readonly routeTables = new Map<string, { id: string; stackName?: string; routes: TopologyRoute[]; subnetIds: string[] }>();
  private readonly instanceMap = new Map<string, TopologyInstance>();
  private readonly enis = new Map<string, Mutable<TopologyNetworkInterface>>();
  private readonly attachments: TopologyAttachment[] = [];
  private readonly groups = new Map<string, TopologySecurityGroup>();
  private readonly entries: TopologyEntryPoint[] = [];
  private readonly failovers: TopologyFailover[] = [];
  private readonly igws = new Set<string>();
  private readonly vgws = new Set<string>();
  private readonly subnetTags = new Map<string, Record<string, any> | undefined>();

  public stack(input: StackInput, scope: Scope): void {
    const types: Record<string, number> = {};
    const resources = Object.values(scope.resources);
    for (const r of resources) types[r.Type] = (types[r.Type] ?? 0) + 1;
    this.stacks.push({
      name: input.name,
      account: input.account,
      region: input.region,
      resourceCount: resources.length,
      resourceTypes: Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b))),
    });
  }

  public vpcsAndGateways(sc: Scope): void {
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      const id = `${sc.stack}/${logicalId}`;
      if (r.Type === 'AWS::EC2::VPC') {
        const name = displayName(sc, logicalId, r.Properties);
        this.vpcs.set(id, { id, name, imported: false, stackName: sc.stack, cidr: literal(r.Properties?.CidrBlock) });
      } else if (r.Type === 'AWS::EC2::InternetGateway') {
        this.igws.add(id);
      } else if (r.Type === 'AWS::EC2::VPNGateway') {
        this.vgws.add(id);
      }
    }
  }

  public subnetsAndRoutes(sc: Scope): void {
    const res = Object.entries(sc.resources);
    for (const [logicalId, r] of res) {
      if (r.Type !== 'AWS::EC2::Subnet') continue;
      const id = `${sc.stack}/${logicalId}`;
      const p = r.Properties ?? {};
      const vpcId = this.vpcRef(p.VpcId, sc);
      this.subnets.set(id, {
        id,
        name: displayName(sc, logicalId, p),
        kind: SubnetKind.PRIVATE,
        imported: false,
        mapPublicIpOnLaunch: bool(p.MapPublicIpOnLaunch, false),
        stackName: sc.stack,
        vpcId,
        cidr: literal(p.CidrBlock),
        availabilityZone: literal(p.AvailabilityZone),
      });
      this.subnetTags.set(id, p);
    }
    for (const [logicalId, r] of res) {
      if (r.Type === 'AWS::EC2::RouteTable') this.routeTable(`${sc.stack}/${logicalId}`, sc.stack);
    }
    for (const [, r] of res) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::EC2::SubnetRouteTableAssociation') {
        const subnetId = resolveRef(p.SubnetId, sc);
        const tableId = resolveRef(p.RouteTableId, sc);
        if (!subnetId || !tableId) continue;
        this.routeTable(tableId).subnetIds.push(subnetId);
        const subnet = this.subnet(subnetId);
        subnet.routeTableId = tableId;
      } else if (r.Type === 'AWS::EC2::Route') {
        const tableId = resolveRef(p.RouteTableId, sc);
        if (!tableId) continue;
        const destination = literal(p.DestinationCidrBlock) ?? literal(p.DestinationIpv6CidrBlock)
          ?? resolveRef(p.DestinationPrefixListId, sc) ?? resolveRef(p.DestinationCidrBlock ?? p.DestinationIpv6CidrBlock, sc) ?? '?';
        const target = this.routeTarget(p, sc);
        if (target) this.routeTable(tableId).routes.push({ destination, ...target });
      } else if (r.Type === 'AWS::EC2::VPNGatewayRoutePropagation') {
        const vgw = resolveRef(p.VpnGatewayId, sc);
        if (!vgw) continue;
        for (const tableId of resolveList(p.RouteTableIds, sc)) {
          this.routeTable(tableId).routes.push({ destination: 'propagated', targetKind: RouteTargetKind.VPN_GATEWAY, targetId: vgw });
        }
      }
    }
  }

  public securityGroups(sc: Scope): void {
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      if (r.Type !== 'AWS::EC2::SecurityGroup') continue;
      const id = `${sc.stack}/${logicalId}`;
      const p = r.Properties ?? {};
      const group: TopologySecurityGroup = {
        id,
        // Instances tag their group with the instance's Name: the logical ID tells groups apart better.
        name: literal(p.GroupName) ?? shortLogicalId(logicalId),
        imported: false,
        stackName: sc.stack,
        vpcId: this.vpcRef(p.VpcId, sc),
        ingress: [],
      };
      this.groups.set(id, group);
      for (const rule of Array.isArray(p.SecurityGroupIngress) ? p.SecurityGroupIngress : []) {
        const parsed = ingressRule(rule, id, id, sc);
        if (parsed) group.ingress.push(parsed);
      }
    }
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      if (r.Type !== 'AWS::EC2::SecurityGroupIngress') continue;
      const p = r.Properties ?? {};
      const groupId = resolveRef(p.GroupId ?? p.GroupName, sc);
      if (!groupId) continue;
      const parsed = ingressRule(p, groupId, `${sc.stack}/${logicalId}`, sc);
      if (parsed) this.group(groupId).ingress.push(parsed);
    }
  }

  public networkInterfaces(sc: Scope): void {
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      if (r.Type !== 'AWS::EC2::NetworkInterface') continue;
      const id = `${sc.stack}/${logicalId}`;
      const p = r.Properties ?? {};
      this.enis.set(id, {
        ...interfaceAddresses(p),
        id,
        name: displayName(sc, logicalId, p),
        createdAtLaunch: false,
        stackName: sc.stack,
        subnetId: this.subnetRef(p.SubnetId, sc),
        securityGroupIds: this.groupRefs(p.GroupSet, sc),
        publicIpOnLaunch: false,
        sourceDestCheck: bool(p.SourceDestCheck, true),
        description: literal(p.Description),
      });
    }
  }

  public instances(sc: Scope): void {
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      if (r.Type !== 'AWS::EC2::Instance') continue;
      const id = `${sc.stack}/${logicalId}`;
      const p = r.Properties ?? {};
      const template = this.launchTemplateData(p.LaunchTemplate, sc);
      const name = displayName(sc, logicalId, p);
      const launchInterfaces: any[] = Array.isArray(p.NetworkInterfaces) ? p.NetworkInterfaces
        : !p.SubnetId && Array.isArray(template.NetworkInterfaces) ? template.NetworkInterfaces : [];
      let primarySubnet: string | undefined;
      if (launchInterfaces.length === 0) {
        // The instance's own primary interface, created at launch from the instance's properties.
        const subnetId = this.subnetRef(p.SubnetId, sc);
        primarySubnet = subnetId;
        const groups = p.SecurityGroupIds ?? p.SecurityGroups ?? template.SecurityGroupIds ?? template.SecurityGroups;
        this.launchInterface(id, name, 0, sc, {
          ...p,
          SubnetId: p.SubnetId,
          GroupSet: groups,
        }, subnetId, true);
      }
      for (const spec of launchInterfaces) {
        const deviceIndex = literalNumber(spec?.DeviceIndex) ?? 0;
        const existing = resolveRef(spec?.NetworkInterfaceId, sc);
        if (existing) {
          this.eni(existing);
          this.attachments.push({ networkInterfaceId: existing, instanceId: id, kind: AttachmentKind.LAUNCH, deviceIndex });
          if (deviceIndex === 0) primarySubnet = this.enis.get(existing)?.subnetId;
        } else {
          const subnetId = this.subnetRef(spec?.SubnetId, sc);
          if (deviceIndex === 0) primarySubnet = subnetId;
          this.launchInterface(id, name, deviceIndex, sc, spec, subnetId, false);
        }
      }
      this.instanceMap.set(id, {
        id,
        name,
        imported: false,
        stackName: sc.stack,
        instanceType: literal(p.InstanceType ?? template.InstanceType),
        availabilityZone: literal(p.AvailabilityZone) ?? (primarySubnet ? this.subnets.get(primarySubnet)?.availabilityZone : undefined),
      });
    }
  }

  /**
   * Interfaces that AWS services create for you: ECS tasks in awsvpc mode (Fargate), load balancers
   * (one per subnet), and the instances an Auto Scaling group launches (one instance stands for the group).
   */
  public managedInterfaces(sc: Scope): void {
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      const id = `${sc.stack}/${logicalId}`;
      const p = r.Properties ?? {};
      const name = displayName(sc, logicalId, p);
      if (r.Type === 'AWS::ECS::Service' && p.NetworkConfiguration?.AwsvpcConfiguration) {
        const vpc = p.NetworkConfiguration.AwsvpcConfiguration;
        const subnets = resolveList(vpc.Subnets, sc).map((s) => this.subnetRef(s, sc)).filter((s): s is string => s !== undefined);
        const tasks = literalNumber(p.DesiredCount);
        this.managedEni(`${id}#tasks`, sc, {
          name: `${name} tasks`,
          managedBy: 'ecs',
          subnetId: subnets[0],
          securityGroupIds: this.groupRefs(vpc.SecurityGroups, sc),
          publicIpOnLaunch: literal(vpc.AssignPublicIp) === 'ENABLED',
          description: `one interface per task (awsvpc)${tasks === undefined ? '' : `, ${tasks} tasks`}${subnets.length > 1 ? `, spread over ${subnets.length} subnets` : ''}`,
        });
      } else if (r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' || r.Type === 'AWS::ElasticLoadBalancing::LoadBalancer') {
        const mapped = Array.isArray(p.SubnetMappings) ? p.SubnetMappings.map((m: any) => m?.SubnetId) : p.Subnets;
        const subnets = resolveList(mapped, sc).map((s) => this.subnetRef(s, sc)).filter((s): s is string => s !== undefined);
        const internal = literal(p.Scheme) === 'internal';
        const kind = r.Type === 'AWS::ElasticLoadBalancing::LoadBalancer' ? 'classic' : literal(p.Type) ?? 'application';
        subnets.forEach((subnetId, k) => this.managedEni(`${id}#${k + 1}`, sc, {
          name: `${name} ${k + 1}`,
          managedBy: 'elasticloadbalancing',
          subnetId,
          securityGroupIds: this.groupRefs(p.SecurityGroups, sc),
          publicIpOnLaunch: !internal,
          description: `${kind} load balancer, ${internal ? 'internal' : 'internet-facing'}`,
        }));
      } else if (r.Type === 'AWS::AutoScaling::AutoScalingGroup') {
        const subnets = resolveList(p.VPCZoneIdentifier, sc).map((s) => this.subnetRef(s, sc)).filter((s): s is string => s !== undefined);
        const template = this.launchTemplateData(p.LaunchTemplate ?? p.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification, sc);
        const config = logicalIdOf(p.LaunchConfigurationName);
        const lc = config ? sc.resources[config]?.Properties ?? {} : {};
        const nic = Array.isArray(template.NetworkInterfaces)
          ? template.NetworkInterfaces.find((n: any) => literalNumber(n?.DeviceIndex) === 0) : undefined;
        const groups = nic?.Groups ?? template.SecurityGroupIds ?? template.SecurityGroups ?? lc.SecurityGroups;
        const size = `${literal(p.MinSize) ?? '?'}-${literal(p.MaxSize) ?? '?'}`;
        this.instanceMap.set(id, {
          id,
          name: `${name} (Auto Scaling ${size})`,
          imported: false,
          stackName: sc.stack,
          instanceType: literal(template.InstanceType ?? lc.InstanceType),
          availabilityZone: subnets.length === 1 ? this.subnets.get(subnets[0])?.availabilityZone : undefined,
        });
        this.managedEni(`${id}#eth0`, sc, {
          name: `${name} eth0`,
          managedBy: 'autoscaling',
          subnetId: subnets[0],
          securityGroupIds: this.groupRefs(groups, sc),
          publicIpOnLaunch: bool(nic?.AssociatePublicIpAddress ?? lc.AssociatePublicIpAddress,
            subnets[0] ? this.subnets.get(subnets[0])?.mapPublicIpOnLaunch ?? false : false),
          description: `launched by the Auto Scaling group (${size} instances)${subnets.length > 1 ? ` in ${subnets.length} subnets` : ''}`,
        });
        this.attachments.push({ networkInterfaceId: `${id}#eth0`, instanceId: id, kind: AttachmentKind.LAUNCH, deviceIndex: 0 });
      }
    }
  }

  public attachmentsAndAddresses(sc: Scope): void {
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::EC2::NetworkInterfaceAttachment') {
        const networkInterfaceId = resolveRef(p.NetworkInterfaceId, sc);
        const instanceId = resolveRef(p.InstanceId, sc);
        if (!networkInterfaceId || !instanceId) continue;
        this.eni(networkInterfaceId);
        this.instance(instanceId);
        this.attachments.push({ networkInterfaceId, instanceId, kind: AttachmentKind.STATIC, deviceIndex: literalNumber(p.DeviceIndex) });
      } else if (r.Type === 'AWS::EC2::EIPAssociation' || (r.Type === 'AWS::EC2::EIP' && p.InstanceId !== undefined)) {
        const eip: TopologyElasticIp = r.Type === 'AWS::EC2::EIP'
          ? { id: `${sc.stack}/${logicalId}` }
          : { id: resolveRef(p.AllocationId ?? p.EIP, sc) ?? `${sc.stack}/${logicalId}`, privateIpAddress: literal(p.PrivateIpAddress) };
        const target = resolveRef(p.NetworkInterfaceId, sc) ?? this.primaryInterfaceOf(resolveRef(p.InstanceId, sc));
        if (target) this.eni(target).elasticIps.push(eip);
      }
    }
    for (const [logicalId, r] of Object.entries(sc.resources)) {
      const failover = r.Metadata?.[FAILOVER_METADATA];
      if (!failover || typeof failover !== 'object') continue;
      const networkInterfaceId = resolveRef(failover.eni ?? logicalId, sc)!;
      const candidateInstanceIds = resolveList(failover.candidates, sc);
      const deviceIndex = literalNumber(failover.deviceIndex);
      this.eni(networkInterfaceId);
      candidateInstanceIds.forEach((instanceId, i) => {
        this.instance(instanceId);
        this.attachments.push({
          networkInterfaceId,
          instanceId,
          kind: i === 0 ? AttachmentKind.FAILOVER_PRIMARY : AttachmentKind.FAILOVER_STANDBY,
          deviceIndex,
        });
      });
      this.failovers.push({ networkInterfaceId, candidateInstanceIds, deviceIndex });
    }
  }

  public entryPoints(sc: Scope): void {
    const res = Object.entries(sc.resources);
    const associations = new Map<string, string[]>();
    const vgwVpcs = new Map<string, string>();
    const vpnConnections = new Map<string, number>();
    for (const [, r] of res) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::EC2::ClientVpnTargetNetworkAssociation') {
        const endpoint = resolveRef(p.ClientVpnEndpointId, sc);
        const subnet = this.subnetRef(p.SubnetId, sc);
        if (endpoint && subnet) associations.set(endpoint, [...(associations.get(endpoint) ?? []), subnet]);
      } else if (r.Type === 'AWS::EC2::VPCGatewayAttachment' && p.VpnGatewayId !== undefined) {
        const vgw = resolveRef(p.VpnGatewayId, sc);
        const vpc = this.vpcRef(p.VpcId, sc);
        if (vgw && vpc) vgwVpcs.set(vgw, vpc);
      } else if (r.Type === 'AWS::EC2::VPNConnection') {
        const vgw = resolveRef(p.VpnGatewayId, sc);
        if (vgw) vpnConnections.set(vgw, (vpnConnections.get(vgw) ?? 0) + 1);
      }
    }
    for (const [logicalId, r] of res) {
      const id = `${sc.stack}/${logicalId}`;
      const p = r.Properties ?? {};
      const base = { id, name: displayName(sc, logicalId, p), stackName: sc.stack };
      switch (r.Type) {
        case 'AWS::EC2::ClientVpnEndpoint':
          this.entries.push({
            ...base,
            kind: EntryPointKind.CLIENT_VPN,
            vpcId: this.vpcRef(p.VpcId, sc),
            subnetIds: associations.get(id) ?? [],
            securityGroupIds: this.groupRefs(p.SecurityGroupIds, sc),
            detail: `clients ${literal(p.ClientCidrBlock) ?? '?'}`,
          });
          break;
        case 'AWS::EC2::VPNGateway': {
          const connections = vpnConnections.get(id) ?? 0;
          this.entries.push({
            ...base,
            kind: EntryPointKind.VPN_GATEWAY,
            vpcId: vgwVpcs.get(id),
            subnetIds: [],
            securityGroupIds: [],
            detail: `${connections} VPN connection${connections === 1 ? '' : 's'}`,
          });
          break;
        }
        case 'AWS::EC2::InstanceConnectEndpoint': {
          const subnet = this.subnetRef(p.SubnetId, sc);
          this.entries.push({
            ...base,
            kind: EntryPointKind.INSTANCE_CONNECT_ENDPOINT,
            vpcId: subnet ? this.subnets.get(subnet)?.vpcId : undefined,
            subnetIds: subnet ? [subnet] : [],
            securityGroupIds: this.groupRefs(p.SecurityGroupIds, sc),
            detail: bool(p.PreserveClientIp, false) ? 'preserves client IP' : 'source is the endpoint',
          });
          break;
        }
        case 'AWS::EC2::VPCEndpoint':
          if (literal(p.VpcEndpointType) !== 'Interface') break;
          this.entries.push({
            ...base,
            kind: EntryPointKind.INTERFACE_ENDPOINT,
            vpcId: this.vpcRef(p.VpcId, sc),
            subnetIds: (Array.isArray(p.SubnetIds) ? p.SubnetIds : []).map((s: any) => this.subnetRef(s, sc)).filter((s: any): s is string => !!s),
            securityGroupIds: this.groupRefs(p.SecurityGroupIds, sc),
            detail: serviceName(p.ServiceName),
          });
          break;
        default:
          break;
      }
    }
  }

  public finish(): TopologyModel {
    // Classify subnets once every route is known.
    for (const subnet of this.subnets.values()) {
      if (subnet.imported) continue;
      const table = subnet.routeTableId ? this.routeTables.get(subnet.routeTableId) : undefined;
      const toIgw = (table?.routes ?? []).some((r) => r.targetKind === RouteTargetKind.INTERNET_GATEWAY);
      const props = this.subnetTags.get(subnet.id);
      const role = tag(props, SUBNET_ROLE_TAG);
      // The subnet's own name only: CDK's Name tag is the whole construct path, whose stack or parent
      // names ("ManagementNetworkExample/.../PublicSubnet1") say nothing about the subnet itself.
      const named = [tag(props, 'aws-cdk:subnet-name'), tag(props, 'Name')?.split('/').pop()]
        .some((n) => n !== undefined && ADMIN_NAME.test(n));
      subnet.kind = role === 'management' || (role === undefined && named) ? SubnetKind.MANAGEMENT : toIgw ? SubnetKind.PUBLIC : SubnetKind.PRIVATE;
    }
    this.inferImportedSubnetVpcs();
    const attachments = [...this.attachments]
      .sort((a, b) => a.instanceId.localeCompare(b.instanceId) || (a.deviceIndex ?? 99) - (b.deviceIndex ?? 99));
    return {
      stacks: this.stacks,
      vpcs: [...this.vpcs.values()],
      subnets: [...this.subnets.values()],
      routeTables: [...this.routeTables.values()],
      instances: [...this.instanceMap.values()],
      networkInterfaces: [...this.enis.values()],
      attachments,
      securityGroups: [...this.groups.values()],
      entryPoints: this.entries,
      failovers: this.failovers,
      internetGatewayIds: [...this.igws],
    };
  }

  // ---- helpers -------------------------------------------------------------------------------

  private launchInterface(
    instanceId: string, instanceName: string, deviceIndex: number, sc: Scope, spec: any, subnetId: string | undefined, instanceProps: boolean,
  ): void {
    const id = `${instanceId}#eth${deviceIndex}`;
    const subnet = subnetId ? this.subnets.get(subnetId) : undefined;
    const explicitPublic = spec?.AssociatePublicIpAddress;
    const publicIpOnLaunch = explicitPublic !== undefined ? bool(explicitPublic, false)
      : deviceIndex === 0 && (subnet?.mapPublicIpOnLaunch ?? false);
    this.enis.set(id, {
      ...interfaceAddresses(spec ?? {}),
      id,
      name: `${instanceName} eth${deviceIndex}`,
      createdAtLaunch: true,
      stackName: sc.stack,
      subnetId,
      securityGroupIds: this.groupRefs(spec?.GroupSet, sc),
      publicIpOnLaunch,
      sourceDestCheck: instanceProps ? bool(spec?.SourceDestCheck, true) : true,
      description: literal(spec?.Description),
    });
    this.attachments.push({ networkInterfaceId: id, instanceId, kind: AttachmentKind.LAUNCH, deviceIndex });
  }

  private managedEni(id: string, sc: Scope, props: {
    name: string; managedBy: string; subnetId?: string; securityGroupIds: string[]; publicIpOnLaunch: boolean; description: string;
  }): void {
    this.enis.set(id, {
      id,
      createdAtLaunch: true,
      stackName: sc.stack,
      privateIpv4Addresses: [],
      automaticIpv4Count: 1,
      ipv6Addresses: [],
      ipv6AddressCount: 0,
      elasticIps: [],
      sourceDestCheck: true,
      ...props,
    });
  }

  private launchTemplateData(ref: any, sc: Scope): Record<string, any> {
    if (!ref) return {};
    const byId = logicalIdOf(ref.LaunchTemplateId) ?? logicalIdOf(ref.LaunchTemplateName);
    const name = literal(ref.LaunchTemplateName);
    const lt = (byId ? sc.resources[byId] : undefined)
      ?? Object.values(sc.resources).find((r) => r.Type === 'AWS::EC2::LaunchTemplate' && name !== undefined && r.Properties?.LaunchTemplateName === name);
    return lt?.Type === 'AWS::EC2::LaunchTemplate' ? (lt.Properties?.LaunchTemplateData ?? {}) : {};
  }

  private primaryInterfaceOf(instanceId: string | undefined): string | undefined {
    if (!instanceId) return undefined;
    return this.attachments.find((a) => a.instanceId === instanceId && a.deviceIndex === 0)?.networkInterfaceId
      ?? this.eni(`${instanceId}#eth0`, true).id;
  }

  private routeTarget(p: Record<string, any>, sc: Scope): { targetKind: RouteTargetKind; targetId: string } | undefined {
    const pairs: Array<[string, RouteTargetKind]> = [
      ['NatGatewayId', RouteTargetKind.NAT_GATEWAY],
      ['NetworkInterfaceId', RouteTargetKind.NETWORK_INTERFACE],
      ['InstanceId', RouteTargetKind.INSTANCE],
      ['TransitGatewayId', RouteTargetKind.TRANSIT_GATEWAY],
      ['VpcPeeringConnectionId', RouteTargetKind.VPC_PEERING],
      ['VpcEndpointId', RouteTargetKind.VPC_ENDPOINT],
      ['EgressOnlyInternetGatewayId', RouteTargetKind.EGRESS_ONLY_INTERNET_GATEWAY],
      ['CarrierGatewayId', RouteTargetKind.OTHER],
      ['LocalGatewayId', RouteTargetKind.OTHER],
      ['CoreNetworkArn', RouteTargetKind.OTHER],
    ];
    for (const [prop, kind] of pairs) {
      const targetId = resolveRef(p[prop], sc);
      if (targetId) return { targetKind: kind, targetId };
    }
    const gateway = resolveRef(p.GatewayId, sc);
    if (!gateway) return undefined;
    if (this.igws.has(gateway) || gateway.startsWith('igw-')) {
      this.igws.add(gateway);
      return { targetKind: RouteTargetKind.INTERNET_GATEWAY, targetId: gateway };
    }
    if (this.vgws.has(gateway) || gateway.startsWith('vgw-')) return { targetKind: RouteTargetKind.VPN_GATEWAY, targetId: gateway };
    return { targetKind: RouteTargetKind.OTHER, targetId: gateway };
  }

  private routeTable(id: string, stackName?: string) {
    let table = this.routeTables.get(id);
    if (!table) {
      table = { id, stackName, routes: [], subnetIds: [] };
      this.routeTables.set(id, table);
    }
    return table;
  }

  private vpcRef(value: any, sc: Scope): string | undefined {
    const id = resolveRef(value, sc);
    if (id && !this.vpcs.has(id)) this.vpcs.set(id, { id, name: id, imported: true });
    return id;
  }

  /** Resolves a subnet reference, adding an imported placeholder for ids the templates do not define. */
  public subnetRef(value: any, sc: Scope): string | undefined {
    const id = resolveRef(value, sc);
    if (id) this.subnet(id);
    return id;
  }

  private subnet(id: string): Mutable<TopologySubnet> {
    let subnet = this.subnets.get(id);
    if (!subnet) {
      subnet = { id, name: id, kind: SubnetKind.UNKNOWN, imported: true, mapPublicIpOnLaunch: false };
      this.subnets.set(id, subnet);
    }
    return subnet;
  }

  private groupRefs(value: any, sc: Scope): string[] {
    const ids = resolveList(value, sc);
    ids.forEach((id) => this.group(id));
    return ids;
  }

  private group(id: string): TopologySecurityGroup {
    let group = this.groups.get(id);
    if (!group) {
      group = { id, name: id, imported: true, ingress: [] };
      this.groups.set(id, group);
    }
    return group;
  }

  private instance(id: string): void {
    if (!this.instanceMap.has(id)) this.instanceMap.set(id, { id, name: id, imported: true });
  }

  private eni(id: string, createdAtLaunch = false): Mutable<TopologyNetworkInterface> {
    let eni = this.enis.get(id);
    if (!eni) {
      eni = {
        id,
        name: id,
        createdAtLaunch,
        securityGroupIds: [],
        privateIpv4Addresses: [],
        automaticIpv4Count: 0,
        ipv6Addresses: [],
        ipv6AddressCount: 0,
        elasticIps: [],
        publicIpOnLaunch: false,
        sourceDestCheck: true,
      };
      this.enis.set(id, eni);
    }
    return eni;
  }

  /** After the pass over subnets, imported subnets learn their VPC from the security groups of interfaces in them. */
  private inferImportedSubnetVpcs(): void {
    for (const eni of this.enis.values()) {
      const subnet = eni.subnetId ? this.subnets.get(eni.subnetId) : undefined;
      if (!subnet || !subnet.imported || subnet.vpcId) continue;
      subnet.vpcId = eni.securityGroupIds.map((g) => this.groups.get(g)?.vpcId).find((v) => v !== undefined);
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function interfaceAddresses(p: Record<string, any>) {
  const fixed: string[] = [];
  const primary = literal(p.PrivateIpAddress);
  if (primary) fixed.push(primary);
  const list: any[] = Array.isArray(p.PrivateIpAddresses) ? p.PrivateIpAddresses : [];
  for (const entry of [...list].sort((a, b) => Number(bool(b?.Primary, false)) - Number(bool(a?.Primary, false)))) {
    const address = literal(entry?.PrivateIpAddress);
    if (address && !fixed.includes(address)) fixed.push(address);
  }
  const secondaryCount = literalNumber(p.SecondaryPrivateIpAddressCount) ?? 0;
  const ipv6: string[] = (Array.isArray(p.Ipv6Addresses) ? p.Ipv6Addresses : [])
    .map((a: any) => literal(a?.Ipv6Address ?? a))
    .filter((a: string | undefined): a is string => a !== undefined);
  return {
    privateIpv4Addresses: fixed,
    automaticIpv4Count: (fixed.length === 0 ? 1 : 0) + secondaryCount,
    ipv6Addresses: ipv6,
    ipv6AddressCount: literalNumber(p.Ipv6AddressCount) ?? 0,
    elasticIps: [] as TopologyElasticIp[],
  };
}

function ingressRule(rule: any, securityGroupId: string, definedBy: string, sc: Scope): TopologyIngressRule | undefined {
  if (!rule || typeof rule !== 'object') return undefined;
  const rawProtocol = literal(rule.IpProtocol) ?? '?';
  const protocol = rawProtocol === '-1' ? 'all' : PROTOCOL_NUMBERS[rawProtocol] ?? rawProtocol.toLowerCase();
  let fromPort = literalNumber(rule.FromPort);
  let toPort = literalNumber(rule.ToPort);
  if (typeof rule.FromPort === 'number' && rule.FromPort < 0) fromPort = undefined;
  if (typeof rule.ToPort === 'number' && rule.ToPort < 0) toPort = undefined;
  if (protocol === 'all') {
    fromPort = undefined;
    toPort = undefined;
  }
  let sourceKind: IngressSourceKind;
  let source: string | undefined;
  if (rule.CidrIp !== undefined) {
    sourceKind = IngressSourceKind.IPV4_CIDR;
    source = literal(rule.CidrIp) ?? resolveRef(rule.CidrIp, sc);
  } else if (rule.CidrIpv6 !== undefined) {
    sourceKind = IngressSourceKind.IPV6_CIDR;
    source = literal(rule.CidrIpv6) ?? resolveRef(rule.CidrIpv6, sc);
  } else if (rule.SourcePrefixListId !== undefined) {
    sourceKind = IngressSourceKind.PREFIX_LIST;
    source = resolveRef(rule.SourcePrefixListId, sc);
  } else {
    sourceKind = IngressSourceKind.SECURITY_GROUP;
    source = resolveRef(rule.SourceSecurityGroupId ?? rule.SourceSecurityGroupName, sc);
  }
  if (!source) return undefined;
  return {
    securityGroupId,
    protocol,
    fromPort,
    toPort,
    ports: formatPorts(protocol, fromPort, toPort),
    sourceKind,
    source,
    definedBy,
    description: literal(rule.Description),
  };
}

const PROTOCOL_NUMBERS: Record<string, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };

/** `tcp/22`, `tcp/8000-8080`, `udp/all`, `icmp`, `all`. */
export function formatPorts(protocol: string, fromPort: number | undefined, toPort: number | undefined): string {
  if (protocol === 'all') return 'all';
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    return fromPort === undefined ? protocol : `${protocol} type ${fromPort}`;
  }
  if (fromPort === undefined || (fromPort === 0 && toPort === 65535)) return `${protocol}/all`;
  return toPort === undefined || toPort === fromPort ? `${protocol}/${fromPort}` : `${protocol}/${fromPort}-${toPort}`;
}

/** `com.amazonaws.<region>.ssm` -> `ssm`, from a literal or an `Fn::Join`. */
function serviceName(value: any): string {
  let text: string | undefined = literal(value);
  const join = value?.['Fn::Join'];
  if (!text && Array.isArray(join) && Array.isArray(join[1])) {
    text = join[1].map((part: any) => literal(part) ?? '*').join(literal(join[0]) ?? '');
  }
  if (!text) return 'service ?';
  const m = /^com\.amazonaws\.[^.]+\.(.+)$/.exec(text);
  return m ? m[1] : text;
}
