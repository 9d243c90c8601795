import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildExampleApp } from '../../examples/app';

// What the example stacks would do on a real account, read from their templates: a host whose
// user data installs packages has a way out to the repositories; a port a host serves on is one
// its public security groups admit; every log group expires.

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-eni-examples-'));
const assembly = buildExampleApp(outdir).synth();
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const stacks = assembly.stacks.map((s) => ({ name: s.stackName, resources: s.template.Resources as Record<string, any> }));

const refOf = (v: any): string | undefined => (v && typeof v === 'object' ? v.Ref ?? v['Fn::GetAtt']?.[0] : undefined);

/** The user data script of an instance (the literal parts of its Fn::Base64 Fn::Join). */
function userData(instance: any): string {
  return JSON.stringify(instance.Properties.UserData ?? '');
}

/** The interface at device index 0 of an instance, when it is launched with interfaces. */
function primaryInterface(instance: any): string | undefined {
  const nic = (instance.Properties.NetworkInterfaces ?? []).find((n: any) => String(n.DeviceIndex) === '0');
  return nic ? refOf(nic.NetworkInterfaceId) : undefined;
}

/** Whether the instance gets a public IPv4 or a NAT route: the way to package repositories. */
function hasWayOut(resources: Record<string, any>, instance: any): boolean {
  const eni = primaryInterface(instance);
  const subnet = eni ? refOf(resources[eni].Properties.SubnetId) : refOf(instance.Properties.SubnetId);
  if (eni && Object.values(resources).some((r) => r.Type === 'AWS::EC2::EIPAssociation' && refOf(r.Properties.NetworkInterfaceId) === eni)) {
    return true;
  }
  // One interface at launch in a subnet that maps public IPs: the instance gets one.
  if (!eni && subnet && resources[subnet].Properties.MapPublicIpOnLaunch === true) return true;
  const table = Object.values(resources).find((r) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation' && refOf(r.Properties.SubnetId) === subnet);
  return Object.values(resources).some((r) => r.Type === 'AWS::EC2::Route' && refOf(r.Properties.RouteTableId) === refOf(table?.Properties.RouteTableId)
    && r.Properties.DestinationCidrBlock === '0.0.0.0/0' && (r.Properties.NatGatewayId || r.Properties.NetworkInterfaceId));
}

/** TCP ports admitted by the security groups of an instance's public side. */
function admittedPorts(resources: Record<string, any>, instance: any): number[] {
  const eni = primaryInterface(instance);
  const groups: string[] = (eni ? resources[eni].Properties.GroupSet : instance.Properties.SecurityGroupIds ?? []).map(refOf);
  // Interfaces attached later (a service address) admit traffic to the instance too.
  const logicalId = Object.entries(resources).find(([, r]) => r === instance)![0];
  for (const r of Object.values(resources)) {
    if (r.Type === 'AWS::EC2::NetworkInterfaceAttachment' && refOf(r.Properties.InstanceId) === logicalId) {
      groups.push(...resources[refOf(r.Properties.NetworkInterfaceId)!].Properties.GroupSet.map(refOf));
    }
    // A failover's address is placed on one of its candidates at deployment.
    if (r.Type === 'Custom::EniFailoverPlacement' && (r.Properties.CandidateInstanceIds ?? []).some((c: any) => refOf(c) === logicalId)) {
      groups.push(...resources[refOf(r.Properties.NetworkInterfaceId)!].Properties.GroupSet.map(refOf));
    }
  }
  const ports: number[] = [];
  for (const g of groups) {
    for (const rule of resources[g]?.Properties.SecurityGroupIngress ?? []) ports.push(rule.FromPort);
  }
  for (const r of Object.values(resources)) {
    if (r.Type === 'AWS::EC2::SecurityGroupIngress' && groups.includes(refOf(r.Properties.GroupId)!)) ports.push(r.Properties.FromPort);
  }
  return ports;
}

describe('the examples would work on a real account', () => {
  const instances = stacks.flatMap((s) => Object.entries(s.resources).filter(([, r]) => r.Type === 'AWS::EC2::Instance')
    .map(([id, r]) => ({ where: `${s.name}/${id}`, resources: s.resources, instance: r })));

  test('a host that installs packages has a way out (public IPv4 or a NAT route)', () => {
    const installing = instances.filter((i) => /(dnf|yum|apt-get) install/.test(userData(i.instance)));
    expect(installing.length).toBeGreaterThan(0);
    expect(installing.filter((i) => !hasWayOut(i.resources, i.instance)).map((i) => i.where)).toEqual([]);
  });

  test('a host that starts a web server admits the port it listens on (80)', () => {
    const serving = instances.filter((i) => /nginx|http\.server 80/.test(userData(i.instance)));
    expect(serving.length).toBeGreaterThan(0);
    expect(serving.filter((i) => !admittedPorts(i.resources, i.instance).includes(80)).map((i) => i.where)).toEqual([]);
  });

  test('every log group of every example expires', () => {
    const groups = stacks.flatMap((s) => Object.entries(s.resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup')
      .map(([id, r]) => ({ where: `${s.name}/${id}`, retention: r.Properties?.RetentionInDays })));
    expect(groups.filter((g) => g.retention === undefined).map((g) => g.where)).toEqual([]);
  });
});
