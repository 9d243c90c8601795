import { AttachmentKind, FindingSeverity, IngressSourceKind, RouteTargetKind, SubnetKind, TopologyFinding, TopologyIngressRule, TopologyNetworkInterface } from './model';
import { TopologyModel, shortId } from './reader';

/** Ports that administer a host: never open them to the internet. */
export const ADMIN_PORTS: ReadonlyArray<{ readonly port: number; readonly name: string }> = [
  { port: 22, name: 'SSH' },
  { port: 23, name: 'Telnet' },
  { port: 3389, name: 'RDP' },
  { port: 5900, name: 'VNC' },
  { port: 5985, name: 'WinRM' },
  { port: 5986, name: 'WinRM over HTTPS' },
];

const INTERNET = new Set(['0.0.0.0/0', '::/0']);

/** Whether the rule admits anyone on the internet. */
export function fromInternet(rule: TopologyIngressRule): boolean {
  return (rule.sourceKind === IngressSourceKind.IPV4_CIDR || rule.sourceKind === IngressSourceKind.IPV6_CIDR) && INTERNET.has(rule.source);
}

/** The admin ports (by name) a rule opens. */
export function adminPortsOpened(rule: TopologyIngressRule): string[] {
  if (rule.protocol !== 'all' && rule.protocol !== 'tcp') return [];
  return ADMIN_PORTS
    .filter(({ port }) => rule.protocol === 'all' || rule.fromPort === undefined
      || (rule.fromPort <= port && port <= (rule.toPort ?? rule.fromPort)))
    .map(({ port, name }) => `${name} (tcp/${port})`);
}

/** Whether the interface can be reached from the internet: in a public subnet or with a public address. */
export function internetFacing(model: TopologyModel, eni: TopologyNetworkInterface): boolean {
  const subnet = model.subnets.find((s) => s.id === eni.subnetId);
  return subnet?.kind === SubnetKind.PUBLIC || eni.elasticIps.length > 0 || eni.publicIpOnLaunch;
}

/** The rules of an interface's security groups that open admin ports to the internet. */
export function exposedAdminRules(model: TopologyModel, eni: TopologyNetworkInterface): TopologyIngressRule[] {
  return eni.securityGroupIds
    .flatMap((g) => model.securityGroups.find((sg) => sg.id === g)?.ingress ?? [])
    .filter((rule) => fromInternet(rule) && adminPortsOpened(rule).length > 0);
}

/** Security mistakes and inconsistencies in the model. */
export function findingsOf(model: TopologyModel): TopologyFinding[] {
  const findings: TopologyFinding[] = [];
  const subnetOf = (id: string | undefined) => model.subnets.find((s) => s.id === id);

  for (const eni of model.networkInterfaces) {
    const facing = internetFacing(model, eni);
    for (const rule of exposedAdminRules(model, eni)) {
      findings.push({
        severity: facing ? FindingSeverity.HIGH : FindingSeverity.MEDIUM,
        code: 'ADMIN_PORT_OPEN_TO_INTERNET',
        resourceId: eni.id,
        message: `${eni.name} admits ${adminPortsOpened(rule).join(', ')} from ${rule.source} through security group ${shortId(rule.securityGroupId)} (rule ${rule.ports} in ${shortId(rule.definedBy)})`
          + (facing ? ': it is reachable from the internet' : ': not reachable from the internet today (no public subnet or address), one change away from it')
          + '; admit admin ports only from the management network (a security group or its CIDR)',
      });
    }

    const subnet = subnetOf(eni.subnetId);
    if (subnet?.kind === SubnetKind.MANAGEMENT && (eni.elasticIps.length > 0 || eni.publicIpOnLaunch)) {
      findings.push({
        severity: FindingSeverity.HIGH,
        code: 'MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS',
        resourceId: eni.id,
        message: `${eni.name} in management subnet ${subnet.name} has ${eni.elasticIps.length > 0 ? 'an Elastic IP' : 'a public IP at launch'}: management interfaces must be reachable only through the ways into the management network`,
      });
    }

    if (!eni.sourceDestCheck) {
      const attachedTo = model.attachments.filter((a) => a.networkInterfaceId === eni.id && a.deviceIndex === 0).map((a) => a.instanceId);
      const routed = model.routeTables.some((t) => t.routes.some((r) =>
        (r.targetKind === RouteTargetKind.NETWORK_INTERFACE && r.targetId === eni.id)
        || (r.targetKind === RouteTargetKind.INSTANCE && attachedTo.includes(r.targetId))));
      if (!routed) {
        findings.push({
          severity: FindingSeverity.MEDIUM,
          code: 'SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE',
          resourceId: eni.id,
          message: `${eni.name} has the source/destination check off but no route targets it: either it forwards nothing (turn the check back on) or a route to it is missing`,
        });
      }
    }
  }

  for (const subnet of model.subnets) {
    if (subnet.kind !== SubnetKind.MANAGEMENT) continue;
    const table = model.routeTables.find((t) => t.id === subnet.routeTableId);
    for (const route of table?.routes ?? []) {
      if (route.targetKind !== RouteTargetKind.INTERNET_GATEWAY) continue;
      findings.push({
        severity: FindingSeverity.HIGH,
        code: 'MANAGEMENT_SUBNET_ROUTES_TO_INTERNET_GATEWAY',
        resourceId: subnet.id,
        message: `management subnet ${subnet.name} routes ${route.destination} to internet gateway ${shortId(route.targetId)}: a management subnet must not reach the internet directly; remove the route or use a NAT gateway`,
      });
    }
  }

  const taken = new Map<string, string>();
  for (const a of model.attachments) {
    if (a.deviceIndex === undefined || a.kind === AttachmentKind.FAILOVER_STANDBY) continue;
    const key = `${a.instanceId}#${a.deviceIndex}`;
    const other = taken.get(key);
    if (other && other !== a.networkInterfaceId) {
      findings.push({
        severity: FindingSeverity.HIGH,
        code: 'DEVICE_INDEX_TAKEN_TWICE',
        resourceId: a.networkInterfaceId,
        message: `${shortId(a.networkInterfaceId)} and ${shortId(other)} both use device index ${a.deviceIndex} on ${shortId(a.instanceId)}: each device index can hold one interface; the deployment fails`,
      });
    }
    taken.set(key, a.networkInterfaceId);
  }

  for (const failover of model.failovers) {
    const eni = model.networkInterfaces.find((e) => e.id === failover.networkInterfaceId);
    const fixed = model.attachments.filter((a) => a.networkInterfaceId === failover.networkInterfaceId
      && (a.kind === AttachmentKind.STATIC || a.kind === AttachmentKind.LAUNCH));
    for (const a of fixed) {
      findings.push({
        severity: FindingSeverity.HIGH,
        code: 'FLOATING_INTERFACE_ATTACHED_BY_CLOUDFORMATION',
        resourceId: failover.networkInterfaceId,
        message: `floating interface ${eni?.name ?? shortId(failover.networkInterfaceId)} is also attached to ${shortId(a.instanceId)} by CloudFormation (${a.kind === AttachmentKind.STATIC ? 'AWS::EC2::NetworkInterfaceAttachment' : 'the instance\'s NetworkInterfaces'}): a stack update would move it back after a failover; let failover place it`,
      });
    }
    const eniAz = subnetOf(eni?.subnetId)?.availabilityZone;
    for (const instanceId of failover.candidateInstanceIds) {
      const az = model.instances.find((i) => i.id === instanceId)?.availabilityZone;
      if (eniAz && az && az !== eniAz) {
        findings.push({
          severity: FindingSeverity.HIGH,
          code: 'FAILOVER_CANDIDATE_IN_ANOTHER_AZ',
          resourceId: instanceId,
          message: `failover candidate ${shortId(instanceId)} is in ${az} but floating interface ${eni?.name ?? shortId(failover.networkInterfaceId)} is in ${eniAz}: an interface can only be attached in its own Availability Zone`,
        });
      }
    }
  }

  const order = { [FindingSeverity.HIGH]: 0, [FindingSeverity.MEDIUM]: 1 };
  return findings.sort((a, b) => order[a.severity] - order[b.severity]);
}
