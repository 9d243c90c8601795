import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { buildExampleApp } from '../examples/app';
import { NetworkInterface } from '../src';
import { TEST_ENV, importedInstance, testApp, testStack } from './util';
import {
  AttachmentKind, EntryPointKind, FindingSeverity, IngressSourceKind, SubnetKind, Topology, TopologyNetworkInterface,
} from '../src/topology';
import { UsageError, main } from '../src/topology/cli';
import { wrap } from '../src/topology/table';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'topology-'));
}

function eni(topology: Topology, name: string): TopologyNetworkInterface {
  const found = topology.networkInterfaces.find((e) => e.name === name);
  if (!found) throw new Error(`no interface named ${name}: ${topology.networkInterfaces.map((e) => e.name).join(', ')}`);
  return found;
}

/** The table row of an interface, split into trimmed cells. */
function row(table: string, interfaceName: string): string[] {
  const line = table.split('\n').find((l) => l.split(' | ')[1]?.trim() === interfaceName);
  if (!line) throw new Error(`no row for ${interfaceName} in\n${table}`);
  return line.split(' | ').map((c) => c.trim());
}

/** The indexes (in linkStyle numbering) of the mermaid edges that match. */
function edgeIndexes(mermaid: string, pattern: RegExp): number[] {
  const edges = mermaid.split('\n').filter((l) => /-->|==>|-\.->/.test(l));
  return edges.flatMap((l, i) => (pattern.test(l) ? [i] : []));
}

function redEdges(mermaid: string): number[] {
  const style = mermaid.split('\n').find((l) => l.trim().startsWith('linkStyle'));
  return style ? style.trim().split(' ')[1].split(',').map(Number) : [];
}

describe('the example app', () => {
  const assembly = buildExampleApp(tmpdir()).synth();
  const whole = Topology.fromAssembly(assembly);
  // The single-ENI stack, read on its own so the assertions below are exact.
  const topology = Topology.fromTemplate('EniExample', assembly.getStackByName('EniExample').template);

  test('the whole example app has no security finding', () => {
    expect(whole.findings).toEqual([]);
    expect(whole.toTable()).toContain('Findings: none');
  });

  test('every dual-homed host has its public interface at device 0 in a public subnet and its management interface at 1 in a management subnet', () => {
    const kindOf = (subnetId: string) => whole.subnets.find((s) => s.id === subnetId)?.kind;
    // Dual-homed hosts are the instances launched with two interfaces.
    const launched = (id: string) => whole.attachments.filter((a) => a.instanceId === id && a.kind === AttachmentKind.LAUNCH);
    const hosts = whole.instances.filter((i) => launched(i.id).length === 2);
    expect(hosts.length).toBeGreaterThanOrEqual(3);
    for (const host of hosts) {
      const byIndex = new Map(launched(host.id).map((a) => [a.deviceIndex, a.networkInterfaceId]));
      const nic = (index: number) => whole.networkInterfaces.find((n) => n.id === byIndex.get(index))!;
      expect([kindOf(nic(0).subnetId!), kindOf(nic(1).subnetId!)]).toEqual([SubnetKind.PUBLIC, SubnetKind.MANAGEMENT]);
    }
  });

  test('the management network example lists its ways in', () => {
    const kinds = whole.entryPoints.filter((e) => e.stackName === 'ManagementNetworkExample').map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining([
      EntryPointKind.VPN_GATEWAY, EntryPointKind.INSTANCE_CONNECT_ENDPOINT, EntryPointKind.INTERFACE_ENDPOINT,
    ]));
  });

  test('the service address sits in a public subnet with its fixed addresses and Elastic IP', () => {
    const service = eni(topology, 'ServiceEni');
    expect(service).toMatchObject({
      stackName: 'EniExample',
      createdAtLaunch: false,
      privateIpv4Addresses: ['10.10.0.10', '10.10.0.11'],
      automaticIpv4Count: 0,
      sourceDestCheck: true,
      description: 'Web service address',
    });
    expect(service.elasticIps).toHaveLength(1);
    const subnet = topology.subnets.find((s) => s.id === service.subnetId)!;
    expect(subnet).toMatchObject({ kind: SubnetKind.PUBLIC, cidr: '10.10.0.0/24', imported: false, name: 'Vpc/PublicSubnet1' });
    expect(topology.subnets.filter((s) => s.kind === SubnetKind.PRIVATE).map((s) => s.cidr)).toEqual(['10.10.2.0/24', '10.10.3.0/24']);
    expect(topology.vpcs).toEqual([expect.objectContaining({ name: 'Vpc', cidr: '10.10.0.0/16', imported: false })]);
  });

  test('the HTTPS rule is read with its source and the example has no finding', () => {
    const [group] = topology.securityGroups;
    expect(group.ingress).toEqual([expect.objectContaining({
      protocol: 'tcp', fromPort: 443, toPort: 443, ports: 'tcp/443', sourceKind: IngressSourceKind.IPV4_CIDR, source: '0.0.0.0/0',
    })]);
    expect(topology.findings).toEqual([]);
  });

  test('the table has a row for the interface and the resources by type', () => {
    const table = topology.toTable({ resourceCounts: true });
    expect(row(table, 'ServiceEni')).toEqual([
      'EniExample', 'ServiceEni', 'Vpc/PublicSubnet1 (public)', '-', 'ServiceEniSecurityGroup', 'tcp/443 from 0.0.0.0/0', '10.10.0.10, 10.10.0.11; Elastic IP',
    ]);
    expect(table).toMatch(/^Stack EniExample: \d+ resources$/m);
    expect(whole.toTable({ resourceCounts: true })).toMatch(/^Stack EniExample \(111111111111\/eu-west-1\): \d+ resources$/m);
    expect(table).toMatch(/^ +1 {2}AWS::EC2::NetworkInterface$/m);
    expect(table).toContain('Findings: none');
    expect(topology.toTable()).not.toContain('AWS::EC2::NetworkInterface');
  });

  test('the diagram groups the interface in its subnet and draws the internet edge with its port', () => {
    const mermaid = topology.toMermaid();
    expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid).toMatch(/^ {2}subgraph stack_EniExample\["stack EniExample"\]\n {4}subgraph vpc_EniExample_Vpc8378EB38\["VPC Vpc · 10.10.0.0\/16"\]$/m);
    expect(mermaid).toMatch(/subgraph sn_EniExample_VpcPublicSubnet1Subnet\w+\["PublicSubnet1 · public · 10.10.0.0\/24 · [\w-]+"\]\n\s+eni_EniExample_ServiceEni\w+\["ENI ServiceEni<br\/>10.10.0.10, 10.10.0.11, Elastic IP"\]/);
    // One Internet node per VPC, named after it.
    expect(mermaid).toContain('internet_EniExample_Vpc8378EB38(("Internet<br/>to Vpc"))');
    expect(mermaid).toMatch(/internet_EniExample_Vpc8378EB38 -->\|"tcp\/443"\| eni_EniExample_ServiceEni\w+/);
    // Empty subnets that no edge uses are left out.
    expect(mermaid).not.toContain('ServicesSubnet1');
    expect(mermaid).not.toContain('linkStyle');
  });
});

/**
 * A hand-made app with plain aws-cdk-lib constructs and L1 resources: a VPC with public and
 * management subnets, a dual-homed instance, an L1 instance with launch-time interfaces, a
 * failover pair described by metadata, and every kind of way in.
 */
function handMadeStack() {
  const app = testApp();
  const stack = testStack(app, 'Net');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const [publicA] = vpc.publicSubnets;
  const [mgmtA, mgmtB] = vpc.isolatedSubnets;

  // A dual-homed web server: its launch interface in the public subnet, a management ENI at device 1.
  const web = new ec2.Instance(stack, 'Web', {
    vpc,
    vpcSubnets: { subnets: [publicA] },
    instanceType: new ec2.InstanceType('t3.small'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    requireImdsv2: true,
  });
  web.connections.allowFromAnyIpv4(ec2.Port.tcp(443), 'HTTPS');
  const admin = new ec2.SecurityGroup(stack, 'AdminSg', { vpc, description: 'administrators' });
  const mgmt = new NetworkInterface(stack, 'WebMgmt', { vpc, vpcSubnets: { subnets: [mgmtA] }, privateIpAddress: '10.0.2.10' });
  mgmt.connections.allowFrom(admin, ec2.Port.tcp(22), 'SSH from administrators');
  mgmt.attachToInstance(web, { deviceIndex: 1 });

  // The mistake to catch: SSH open to the world on a public interface with an Elastic IP. This
  // library's constructs refuse it at synth, so it is written the way a hand-made stack would.
  const open = new ec2.SecurityGroup(stack, 'OpenSg', { vpc, description: 'too open' });
  open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH from anywhere');
  const bastion = new Construct(stack, 'Bastion');
  const bastionEni = new ec2.CfnNetworkInterface(bastion, 'Resource', { subnetId: publicA.subnetId, groupSet: [open.securityGroupId] });
  const bastionEip = new ec2.CfnEIP(bastion, 'ElasticIp', { domain: 'vpc' });
  new ec2.CfnEIPAssociation(bastion, 'ElasticIpAssociation', { allocationId: bastionEip.attrAllocationId, networkInterfaceId: bastionEni.ref });

  // L1: an instance that creates its primary interface at launch and takes an existing one at device 1.
  const applianceSg = new ec2.CfnSecurityGroup(stack, 'ApplianceSg', {
    groupDescription: 'appliance',
    vpcId: vpc.vpcId,
    securityGroupIngress: [{ ipProtocol: '-1', cidrIp: vpc.vpcCidrBlock, description: 'everything from the VPC' }],
  });
  new ec2.CfnSecurityGroupIngress(stack, 'ApplianceFromPrefixList', {
    groupId: applianceSg.attrGroupId, ipProtocol: 'udp', fromPort: 500, toPort: 500, sourcePrefixListId: 'pl-0123456789abcdef0',
  });
  const forwarding = new ec2.CfnNetworkInterface(stack, 'Forwarding', {
    subnetId: mgmtB.subnetId, groupSet: [applianceSg.attrGroupId], sourceDestCheck: false, secondaryPrivateIpAddressCount: 2,
  });
  new ec2.CfnInstance(stack, 'Appliance', {
    imageId: 'ami-12345678',
    instanceType: 'c6i.large',
    networkInterfaces: [
      { deviceIndex: '0', subnetId: mgmtB.subnetId, groupSet: [applianceSg.attrGroupId], privateIpAddress: '10.0.3.20' },
      { deviceIndex: '1', networkInterfaceId: forwarding.ref },
    ],
  });
  // A routed appliance: source/dest check off and a route to it; a second one without a route.
  new ec2.CfnRoute(stack, 'ToAppliance', { routeTableId: mgmtA.routeTable.routeTableId, destinationCidrBlock: '192.168.0.0/16', networkInterfaceId: forwarding.ref });
  new ec2.CfnNetworkInterface(stack, 'Unrouted', { subnetId: mgmtB.subnetId, sourceDestCheck: false });

  // A failover pair: the floating ENI names its candidates in metadata; failover places it.
  const primary = new ec2.CfnInstance(stack, 'Primary', { imageId: 'ami-12345678', instanceType: 't3.micro', subnetId: mgmtA.subnetId });
  const standby = new ec2.CfnInstance(stack, 'Standby', { imageId: 'ami-12345678', instanceType: 't3.micro', subnetId: mgmtA.subnetId });
  const floating = new ec2.CfnNetworkInterface(stack, 'Floating', { subnetId: mgmtA.subnetId, privateIpAddress: '10.0.2.100' });
  floating.addMetadata('cdk-eni-patterns:failover', {
    eni: stack.getLogicalId(floating), candidates: [primary.ref, stack.getLogicalId(standby)], deviceIndex: 2,
  });

  // The ways in.
  const vpnSg = new ec2.SecurityGroup(stack, 'VpnSg', { vpc, description: 'client vpn' });
  mgmt.connections.allowFrom(vpnSg, ec2.Port.tcp(22), 'SSH from VPN clients');
  const cvpn = new ec2.CfnClientVpnEndpoint(stack, 'ClientVpn', {
    clientCidrBlock: '10.100.0.0/22',
    serverCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    authenticationOptions: [{ type: 'certificate-authentication', mutualAuthentication: { clientRootCertificateChainArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/def' } }],
    connectionLogOptions: { enabled: false },
    vpcId: vpc.vpcId,
    securityGroupIds: [vpnSg.securityGroupId],
  });
  new ec2.CfnClientVpnTargetNetworkAssociation(stack, 'ClientVpnMgmtA', { clientVpnEndpointId: cvpn.ref, subnetId: mgmtA.subnetId });
  const vgw = new ec2.CfnVPNGateway(stack, 'Vgw', { type: 'ipsec.1' });
  new ec2.CfnVPCGatewayAttachment(stack, 'VgwAttachment', { vpcId: vpc.vpcId, vpnGatewayId: vgw.ref });
  new ec2.CfnVPNGatewayRoutePropagation(stack, 'VgwPropagation', { routeTableIds: [mgmtA.routeTable.routeTableId], vpnGatewayId: vgw.ref });
  const eicSg = new ec2.SecurityGroup(stack, 'EicSg', { vpc, description: 'instance connect' });
  new ec2.CfnInstanceConnectEndpoint(stack, 'Eic', { subnetId: mgmtB.subnetId, securityGroupIds: [eicSg.securityGroupId] });
  applianceSg.securityGroupIngress = [
    { ipProtocol: '-1', cidrIp: vpc.vpcCidrBlock, description: 'everything from the VPC' },
    { ipProtocol: 'tcp', fromPort: 22, toPort: 22, sourceSecurityGroupId: eicSg.securityGroupId },
  ];
  new ec2.InterfaceVpcEndpoint(stack, 'Ssm', { vpc, service: ec2.InterfaceVpcEndpointAwsService.SSM, subnets: { subnets: [mgmtA, mgmtB] } });

  return { app, stack, vpc };
}

describe('a hand-made app with L1 resources', () => {
  const { stack } = handMadeStack();
  const topology = Topology.fromStack(stack);
  const table = topology.toTable();
  const mermaid = topology.toMermaid();

  test('subnets are classified by their routes and names', () => {
    const kinds = Object.fromEntries(topology.subnets.map((s) => [s.name, s.kind]));
    expect(kinds).toEqual({
      'Vpc/PublicSubnet1': SubnetKind.PUBLIC,
      'Vpc/PublicSubnet2': SubnetKind.PUBLIC,
      'Vpc/ManagementSubnet1': SubnetKind.MANAGEMENT,
      'Vpc/ManagementSubnet2': SubnetKind.MANAGEMENT,
    });
    const mgmtTable = topology.routeTables.find((t) => t.subnetIds.includes(topology.subnets.find((s) => s.name === 'Vpc/ManagementSubnet1')!.id))!;
    expect(mgmtTable.routes).toEqual(expect.arrayContaining([
      expect.objectContaining({ destination: '192.168.0.0/16', targetKind: 'network-interface', targetId: 'Net/Forwarding' }),
      expect.objectContaining({ destination: 'propagated', targetKind: 'vpn-gateway', targetId: 'Net/Vgw' }),
    ]));
  });

  test('an ec2.Instance gets its launch interface at device 0 and the static ENI at device 1', () => {
    const web = topology.instances.find((i) => i.name === 'Web')!;
    expect(web).toMatchObject({ instanceType: 't3.small', imported: false });
    const attached = topology.attachments.filter((a) => a.instanceId === web.id).map((a) => [a.networkInterfaceId, a.deviceIndex, a.kind]);
    expect(attached).toEqual([
      [`${web.id}#eth0`, 0, AttachmentKind.LAUNCH],
      [eni(topology, 'WebMgmt').id, 1, AttachmentKind.STATIC],
    ]);
    expect(eni(topology, 'Web eth0')).toMatchObject({ createdAtLaunch: true, publicIpOnLaunch: true, automaticIpv4Count: 1 });
    expect(row(table, 'Web eth0').slice(2, 4)).toEqual(['Vpc/PublicSubnet1 (public)', 'Web #0']);
    expect(row(table, 'WebMgmt')).toEqual([
      'Net', 'WebMgmt', 'Vpc/ManagementSubnet1 (management)', 'Web #1', 'WebMgmtSecurityGroup',
      'tcp/22 from sg AdminSg; tcp/22 from sg VpnSg', '10.0.2.10',
    ]);
    // The instance is drawn with its interfaces, each with its device index and subnet.
    expect(mermaid).toMatch(/host_Net_Web\w+\("instance Web · t3.small<br\/>eth0 · PublicSubnet1 · automatic IPv4, public IP at launch<br\/>eth1 · ManagementSubnet1 · 10.0.2.10"\)/);
    expect(mermaid).not.toMatch(/eni_Net_WebMgmt/);
  });

  test('an L1 instance with NetworkInterfaces creates one at launch and takes an existing ENI', () => {
    const appliance = topology.instances.find((i) => i.name === 'Appliance')!;
    expect(topology.attachments.filter((a) => a.instanceId === appliance.id).map((a) => [a.networkInterfaceId, a.deviceIndex])).toEqual([
      ['Net/Appliance#eth0', 0],
      ['Net/Forwarding', 1],
    ]);
    expect(eni(topology, 'Appliance eth0')).toMatchObject({ privateIpv4Addresses: ['10.0.3.20'], securityGroupIds: ['Net/ApplianceSg'] });
    expect(eni(topology, 'Forwarding')).toMatchObject({ sourceDestCheck: false, automaticIpv4Count: 3 });
    expect(row(table, 'Forwarding')[6]).toBe('automatic IPv4 x3; source/dest check off');
  });

  test('inline, separate, prefix-list, CIDR and security-group rules are all read', () => {
    const sg = topology.securityGroups.find((g) => g.id === 'Net/ApplianceSg')!;
    expect(sg.ingress.map((r) => [r.ports, r.sourceKind, r.source, r.definedBy])).toEqual([
      ['all', IngressSourceKind.IPV4_CIDR, 'Net/Vpc8378EB38', 'Net/ApplianceSg'],
      ['tcp/22', IngressSourceKind.SECURITY_GROUP, topology.securityGroups.find((g) => g.name === 'EicSg')!.id, 'Net/ApplianceSg'],
      ['udp/500', IngressSourceKind.PREFIX_LIST, 'pl-0123456789abcdef0', 'Net/ApplianceFromPrefixList'],
    ]);
    expect(row(table, 'Appliance eth0')[5]).toBe('all from Vpc CIDR 10.0.0.0/16; tcp/22 from sg EicSg; udp/500 from prefix list pl-0123456789abcdef0');
  });

  test('the failover pair comes from the metadata on the floating ENI, dashed to the standby', () => {
    expect(topology.failovers).toEqual([{ networkInterfaceId: 'Net/Floating', candidateInstanceIds: ['Net/Primary', 'Net/Standby'], deviceIndex: 2 }]);
    expect(row(table, 'Floating')[3]).toBe('Primary #2 (floating, primary), Standby #2 (standby)');
    expect(mermaid).toContain('eni_Net_Floating ==>|"device 2 · primary"| host_Net_Primary');
    expect(mermaid).toContain('eni_Net_Floating -.->|"device 2 · standby"| host_Net_Standby');
    expect(mermaid).toMatch(/class [\w,]*eni_Net_Floating[\w,]* floating/);
    expect(table).toContain('  - Floating floats between Primary (primary), Standby (standby) at device index 2');
  });

  test('every way in is an entry node', () => {
    expect(topology.entryPoints.map((e) => [e.kind, e.name, e.detail])).toEqual([
      [EntryPointKind.CLIENT_VPN, 'ClientVpn', 'clients 10.100.0.0/22'],
      [EntryPointKind.VPN_GATEWAY, 'Vgw', '0 VPN connections'],
      [EntryPointKind.INSTANCE_CONNECT_ENDPOINT, 'Eic', 'source is the endpoint'],
      [EntryPointKind.INTERFACE_ENDPOINT, 'Ssm', 'ssm'],
    ]);
    expect(mermaid).toContain('ep_Net_ClientVpn[/"Client VPN ClientVpn<br/>clients 10.100.0.0/22"/]');
    expect(mermaid).toMatch(/ep_Net_ClientVpn -->\|"associated"\| sn_Net_VpcManagementSubnet1Subnet\w+/);
    expect(mermaid).toMatch(/ep_Net_Vgw -->\|"attached"\| vpc_Net_Vpc\w+/);
    // The EIC endpoint reaches the appliance through its security group.
    expect(mermaid).toContain('ep_Net_Eic -->|"eth1: tcp/22, eth0: tcp/22"| host_Net_Appliance');
    expect(mermaid).toMatch(/ep_Net_ClientVpn -->\|"eth1: tcp\/22"\| host_Net_Web\w+/);
    // The VPC's own CIDR is a node inside the VPC, not an outside source.
    expect(mermaid).toMatch(/ {6}vpccidr_Net_Vpc8378EB38\(\["Vpc CIDR 10.0.0.0\/16"\]\)/);
    expect(table).toMatch(/- client-vpn ClientVpn \(clients 10.100.0.0\/22\) in Vpc\/ManagementSubnet1 \(management\); security groups VpnSg/);
  });

  test('SSH open to 0.0.0.0/0 on a public ENI is a high finding and drawn in red', () => {
    const bastion = eni(topology, 'Bastion');
    expect(topology.findings).toContainEqual(expect.objectContaining({
      severity: FindingSeverity.HIGH, code: 'ADMIN_PORT_OPEN_TO_INTERNET', resourceId: bastion.id,
    }));
    expect(table).toMatch(/\[HIGH\] ADMIN_PORT_OPEN_TO_INTERNET: Bastion admits SSH \(tcp\/22\) from 0.0.0.0\/0 through security group OpenSg/);
    expect(row(table, 'Bastion')[5]).toBe('tcp/22 from 0.0.0.0/0 (!)');
    const red = edgeIndexes(mermaid, /^\s*internet_Net_Vpc\w+ -->\|"tcp\/22"\| eni_Net_Bastion/);
    expect(red).toHaveLength(1);
    expect(redEdges(mermaid)).toEqual(red);
    expect(mermaid).toMatch(/class eni_Net_Bastion\w+ high/);
    expect(mermaid).toMatch(/eni_Net_Bastion\w+\["ENI Bastion<br\/>automatic IPv4, Elastic IP<br\/>⚠ ADMIN_PORT_OPEN_TO_INTERNET"\]/);
    expect(mermaid).toContain('legend_ADMIN_PORT_OPEN_TO_INTERNET["⚠ ADMIN_PORT_OPEN_TO_INTERNET · HIGH · 1"]');
    expect(mermaid).toContain('legend_SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE["⚠ SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE · MEDIUM · 1"]');
    expect(mermaid).toMatch(/class [\w,]*eni_Net_Unrouted[\w,]* medium/);
    // HTTPS from the internet is fine and not red.
    expect(redEdges(mermaid)).not.toContain(edgeIndexes(mermaid, /"tcp\/443"/)[0]);
  });

  test('source/dest check off without a route is reported, with a route it is not', () => {
    const codes = topology.findings.filter((f) => f.code === 'SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE').map((f) => f.resourceId);
    expect(codes).toEqual(['Net/Unrouted']);
  });

  test('exactly the expected findings', () => {
    expect(topology.findings.map((f) => `${f.severity} ${f.code} ${f.resourceId}`)).toEqual([
      expect.stringMatching(/^high ADMIN_PORT_OPEN_TO_INTERNET Net\/Bastion/),
      'medium SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE Net/Unrouted',
    ]);
  });
});

describe('a hand-made app with an imported VPC', () => {
  function importedStack() {
    const app = testApp();
    const stack = testStack(app, 'Imported');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0abc',
      availabilityZones: ['eu-west-1a'],
      publicSubnetIds: ['subnet-0pub'],
      privateSubnetIds: ['subnet-0priv'],
    });
    const legacy = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Legacy', 'sg-0legacy');
    const open = new ec2.SecurityGroup(stack, 'Open', { vpc, description: 'open' });
    open.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(3389), 'RDP from anywhere');
    // NetworkInterface refuses admin ports open to the internet, so these mistakes are written with
    // L1 resources, as a hand-made stack would have them.
    const web = new Construct(stack, 'Web');
    const webEni = new ec2.CfnNetworkInterface(web, 'Resource', {
      subnetId: vpc.publicSubnets[0].subnetId, groupSet: [open.securityGroupId, legacy.securityGroupId],
    });
    const eip = new ec2.CfnEIP(web, 'ElasticIp', { domain: 'vpc' });
    new ec2.CfnEIPAssociation(web, 'ElasticIpAssociation', { allocationId: eip.attrAllocationId, networkInterfaceId: webEni.ref });
    new ec2.CfnNetworkInterfaceAttachment(web, 'Attachment', {
      instanceId: importedInstance(stack, 'i-0123', 'eu-west-1a').instanceId, networkInterfaceId: webEni.ref, deviceIndex: '2',
    });
    const inner = new ec2.SecurityGroup(stack, 'Inner', { vpc, description: 'inner' });
    inner.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.allTraffic(), 'everything');
    const innerEni = new Construct(stack, 'InnerEni');
    new ec2.CfnNetworkInterface(innerEni, 'Resource', { subnetId: vpc.privateSubnets[0].subnetId, groupSet: [inner.securityGroupId] });
    return stack;
  }
  const topology = Topology.fromStack(importedStack());
  const table = topology.toTable();

  test('imported subnets, groups and instances are shown by their ids', () => {
    expect(topology.subnets.map((s) => [s.id, s.kind, s.imported, s.vpcId])).toEqual([
      ['subnet-0pub', SubnetKind.UNKNOWN, true, 'vpc-0abc'],
      ['subnet-0priv', SubnetKind.UNKNOWN, true, 'vpc-0abc'],
    ]);
    expect(topology.vpcs).toEqual([{ id: 'vpc-0abc', name: 'vpc-0abc', imported: true }]);
    expect(topology.instances).toEqual([{ id: 'i-0123', name: 'i-0123', imported: true }]);
    expect(row(table, 'Web')).toEqual([
      'Imported', 'Web', 'subnet-0pub (imported)', 'i-0123 #2', 'Open, sg-0legacy (imported)', 'tcp/3389 from ::/0 (!)', 'automatic IPv4; Elastic IP',
    ]);
    const mermaid = topology.toMermaid();
    expect(mermaid).toContain('subgraph vpc_vpc_0abc["VPC vpc-0abc (imported)"]');
    expect(mermaid).toContain('subgraph sn_subnet_0pub["subnet-0pub · imported"]');
    expect(mermaid).toContain('host_i_0123("instance i-0123 · imported<br/>eth2 · subnet-0pub · automatic IPv4, Elastic IP<br/>⚠ ADMIN_PORT_OPEN_TO_INTERNET")');
  });

  test('RDP from ::/0 on an interface with an Elastic IP is high and red; all traffic on a private one is medium', () => {
    expect(topology.findings.map((f) => [f.severity, f.code, f.resourceId])).toEqual([
      [FindingSeverity.HIGH, 'ADMIN_PORT_OPEN_TO_INTERNET', expect.stringMatching(/^Imported\/Web/)],
      [FindingSeverity.MEDIUM, 'ADMIN_PORT_OPEN_TO_INTERNET', expect.stringMatching(/^Imported\/InnerEni/)],
    ]);
    expect(topology.findings[1].message).toContain('SSH (tcp/22), Telnet (tcp/23), RDP (tcp/3389)');
    const mermaid = topology.toMermaid();
    expect(redEdges(mermaid)).toEqual(edgeIndexes(mermaid, /internet_vpc_0abc -->\|"tcp\/3389 IPv6"\| host_i_0123/));
    expect(mermaid).toMatch(/class [\w,]*host_i_0123[\w,]* high/);
    expect(mermaid).toMatch(/class [\w,]*eni_Imported_InnerEni\w*[\w,]* medium/);
  });
});

describe('reading templates', () => {
  test.each([
    ['SSH', 'tcp', 22, 22],
    ['Telnet', 'tcp', 23, 23],
    ['RDP', 'tcp', 3389, 3389],
    ['VNC', 'tcp', 5900, 5900],
    ['WinRM', 'tcp', 5985, 5986],
    ['SSH', 'tcp', 0, 65535],
    ['SSH', '6', 20, 30],
    ['SSH', '-1', undefined, undefined],
  ])('%s through %s %s-%s from the internet on a public interface is a high finding', (name, protocol, from, to) => {
    const topology = Topology.fromTemplate('T', publicTemplate({ IpProtocol: protocol, FromPort: from, ToPort: to, CidrIp: '0.0.0.0/0' }));
    expect(topology.findings).toEqual([expect.objectContaining({ severity: FindingSeverity.HIGH, code: 'ADMIN_PORT_OPEN_TO_INTERNET', resourceId: 'T/Eni' })]);
    expect(topology.findings[0].message).toContain(name);
  });

  test.each([
    ['HTTPS from the internet', { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
    ['SSH from a private range', { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' }],
    ['UDP 22 from the internet', { IpProtocol: 'udp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }],
    ['ICMP from the internet', { IpProtocol: 'icmp', FromPort: 8, ToPort: -1, CidrIp: '0.0.0.0/0' }],
  ])('%s is no finding', (_name, rule) => {
    expect(Topology.fromTemplate('T', publicTemplate(rule)).findings).toEqual([]);
  });

  test('a management subnet with a route to the internet gateway, and a management ENI with a public address, are high findings', () => {
    const template = publicTemplate({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' });
    template.Resources.Subnet.Properties.Tags = [{ Key: 'cdk-eni-patterns:subnet-role', Value: 'management' }];
    template.Resources.EniEip = { Type: 'AWS::EC2::EIPAssociation', Properties: { AllocationId: 'eipalloc-0123', NetworkInterfaceId: { Ref: 'Eni' } } };
    const topology = Topology.fromTemplate('T', template);
    expect(topology.subnets[0].kind).toBe(SubnetKind.MANAGEMENT);
    expect(topology.findings.map((f) => [f.severity, f.code, f.resourceId])).toEqual([
      [FindingSeverity.HIGH, 'MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS', 'T/Eni'],
      [FindingSeverity.HIGH, 'MANAGEMENT_SUBNET_ROUTES_TO_INTERNET_GATEWAY', 'T/Subnet'],
    ]);
    expect(topology.findings[1].message).toBe('management subnet Subnet routes 0.0.0.0/0 to internet gateway Igw: a management subnet must not reach the internet directly; remove the route or use a NAT gateway');
    expect(topology.networkInterfaces[0].elasticIps).toEqual([{ id: 'eipalloc-0123' }]);
  });

  test('a floating ENI that CloudFormation also attaches, a candidate in another AZ and a device index taken twice are findings', () => {
    const template = publicTemplate({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' });
    template.Resources.Eni.Metadata = { 'cdk-eni-patterns:failover': { eni: 'Eni', candidates: [{ Ref: 'A' }, { Ref: 'B' }], deviceIndex: 1 } };
    template.Resources.A = { Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: 'Subnet' } } };
    template.Resources.B = { Type: 'AWS::EC2::Instance', Properties: { AvailabilityZone: 'eu-west-1b' } };
    template.Resources.Static = { Type: 'AWS::EC2::NetworkInterfaceAttachment', Properties: { InstanceId: { Ref: 'A' }, NetworkInterfaceId: { Ref: 'Eni' }, DeviceIndex: '1' } };
    template.Resources.Other = { Type: 'AWS::EC2::NetworkInterface', Properties: { SubnetId: { Ref: 'Subnet' } } };
    template.Resources.Clash = { Type: 'AWS::EC2::NetworkInterfaceAttachment', Properties: { InstanceId: { Ref: 'A' }, NetworkInterfaceId: { Ref: 'Other' }, DeviceIndex: 0 } };
    const codes = Topology.fromTemplate('T', template).findings.map((f) => `${f.code} ${f.resourceId}`);
    expect(codes).toEqual([
      'DEVICE_INDEX_TAKEN_TWICE T/Other',
      'FLOATING_INTERFACE_ATTACHED_BY_CLOUDFORMATION T/Eni',
      'FAILOVER_CANDIDATE_IN_ANOTHER_AZ T/B',
    ]);
  });

  test('launch templates, EIPs on instances, routes to instances and unresolvable references are read', () => {
    const template: any = {
      Parameters: { SubnetParam: { Type: 'String' } },
      Resources: {
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateName: 'lt', LaunchTemplateData: { SecurityGroupIds: ['sg-0lt'] } } },
        Nat: { Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: 'SubnetParam' }, SourceDestCheck: false, LaunchTemplate: { LaunchTemplateName: 'lt', Version: '1' } } },
        NatEip: { Type: 'AWS::EC2::EIP', Properties: { InstanceId: { Ref: 'Nat' } } },
        Route: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: 'rtb-0123', DestinationCidrBlock: '0.0.0.0/0', InstanceId: { Ref: 'Nat' } } },
        Far: { Type: 'AWS::EC2::NetworkInterface', Properties: { SubnetId: { 'Fn::ImportValue': 'Other:Subnet' }, Ipv6AddressCount: 2, Ipv6Addresses: [] } },
      },
    };
    const topology = Topology.fromTemplate('T', template);
    expect(eni(topology, 'Nat eth0')).toMatchObject({
      subnetId: 'param:SubnetParam', securityGroupIds: ['sg-0lt'], sourceDestCheck: false, elasticIps: [{ id: 'T/NatEip' }],
    });
    expect(eni(topology, 'Far')).toMatchObject({ subnetId: 'import:Other:Subnet', ipv6AddressCount: 2 });
    expect(topology.routeTables).toEqual([{ id: 'rtb-0123', routes: [{ destination: '0.0.0.0/0', targetKind: 'instance', targetId: 'T/Nat' }], subnetIds: [] }]);
    expect(topology.findings).toEqual([]);
    expect(row(topology.toTable(), 'Far')[2]).toBe('import:Other:Subnet (imported)');
  });

  test('a cross-stack reference is followed to the stack that exports it', () => {
    const app = testApp();
    const network = new Stack(app, 'Network', { env: TEST_ENV });
    const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    const servers = new Stack(app, 'Servers', { env: TEST_ENV });
    new NetworkInterface(servers, 'Eni', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    const topology = Topology.fromStack(servers);
    const subnet = topology.subnets.find((s) => s.id === eni(topology, 'Eni').subnetId)!;
    expect(subnet.id).toMatch(/^Network\/VpcPublicSubnet1Subnet/);
    // Only the requested stack is read; the subnet it references is known by id.
    expect(topology.stacks.map((s) => s.name)).toEqual(['Servers']);
    // The app's own synth afterwards returns the same assembly instead of failing.
    expect(app.synth().getStackArtifact(servers.artifactId).template.Resources).toBeDefined();
    expect(Topology.fromAssembly(app.synth()).subnets.find((s) => s.id === subnet.id)?.kind).toBe(SubnetKind.PUBLIC);
  });

  test('bad input is rejected with a message that says what to pass', () => {
    expect(() => Topology.fromTemplate('T', [])).toThrow("template of stack 'T' is an array: pass the parsed template object (with a Resources section)");
    expect(() => Topology.fromTemplate('T', 'x')).toThrow("template of stack 'T' is string: pass the parsed template object (with a Resources section)");
    const dir = tmpdir();
    expect(() => Topology.fromAssemblyDirectory(dir)).toThrow(`directory '${dir}' is not a cloud assembly: it has no manifest.json; run 'cdk synth' and pass its output directory (usually cdk.out)`);
    const root = new Construct(undefined as any, 'Root');
    const orphan = new Stack(root, 'Orphan');
    expect(() => Topology.fromStack(orphan)).toThrow('stack Root/Orphan is not inside an App or Stage (its root is Root): create it in an App, or synthesize the templates yourself and use Topology.fromTemplate()');
  });
});

describe('the cdk-eni-topology command', () => {
  const outdir = tmpdir();
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const stack = new Stack(app, 'Cli', { env: TEST_ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
  const open = new ec2.SecurityGroup(stack, 'Open', { vpc });
  open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  // Written with L1s: NetworkInterface would refuse SSH from anywhere at synth.
  new ec2.CfnNetworkInterface(new Construct(stack, 'Eni'), 'Resource', { subnetId: vpc.publicSubnets[0].subnetId, groupSet: [open.securityGroupId] });
  app.synth();

  function run(args: string[]): { status: number; text: string; progress: string } {
    let text = '';
    let progress = '';
    const status = main(args, { out: (t) => { text += t; }, err: (t) => { progress += t; } });
    return { status, text, progress };
  }

  test('prints the table, writes the diagram and reports progress on standard error', () => {
    const file = path.join(tmpdir(), 'net.mmd');
    const { status, text, progress } = run([outdir, `--mermaid=${file}`, '--counts', '--column-width=0']);
    expect(status).toBe(0);
    expect(text).toMatch(/^Stack Cli \(123456789012\/eu-west-1\)/);
    expect(row(text, 'Eni')[5]).toBe('tcp/22 from 0.0.0.0/0 (!)');
    expect(progress).toContain(`reading the cloud assembly in ${outdir}`);
    expect(progress).toMatch(/read 1 stack, 1 network interface, 1 finding in \d+\.\d s/);
    expect(progress).toContain(`mermaid diagram written to ${file}`);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^flowchart LR\n/);
  });

  test('--fail-on high (or --strict) exits 1 on a high finding; - prints the diagram', () => {
    const strict = run(['--strict', outdir, '--mermaid', '-']);
    expect(strict.status).toBe(1);
    expect(strict.text).toContain('[HIGH] ADMIN_PORT_OPEN_TO_INTERNET');
    expect(strict.text).toContain('\nflowchart LR\n');
    expect(run([outdir, '--fail-on=high']).status).toBe(1);
    expect(run([outdir, '--fail-on', 'medium']).status).toBe(1);
    expect(run([outdir]).status).toBe(0);
    expect(run([outdir, '--fail-on=none']).status).toBe(0);
  });

  test('the table wraps cells at 20 characters by default, at word boundaries; --column-width changes it', () => {
    const cells = (text: string) => text.split('\n').slice(0, text.split('\n').indexOf('')).filter((l) => !l.startsWith('---')).flatMap((l) => l.split(' | '));
    const narrow = run([outdir]).text;
    expect(row(narrow, 'Eni')[5]).toBe('tcp/22 from');
    for (const cell of cells(narrow)) expect(cell.trimEnd().length).toBeLessThanOrEqual(20);
    const wider = run([outdir, '--column-width', '40']).text;
    expect(row(wider, 'Eni')[5]).toBe('tcp/22 from 0.0.0.0/0 (!)');
    expect(cells(wider).some((c) => c.trimEnd().length > 20)).toBe(true);
    expect(() => run([outdir, '--column-width=5'])).toThrow("--column-width must be 0 (never wrap) or a whole number of at least 10 (got '5')");
    expect(() => run([outdir, '--column-width=wide'])).toThrow("--column-width must be 0 (never wrap) or a whole number of at least 10 (got 'wide')");
  });

  test('--json prints every list of the topology, findings included', () => {
    const { status, text } = run([outdir, '--json']);
    expect(status).toBe(0);
    const json = JSON.parse(text);
    expect(Object.keys(json)).toEqual(['stacks', 'vpcs', 'subnets', 'routeTables', 'instances', 'networkInterfaces',
      'attachments', 'securityGroups', 'entryPoints', 'failovers', 'findings']);
    expect(json.networkInterfaces.map((e: any) => e.name)).toEqual(['Eni']);
    expect(json.findings).toEqual([expect.objectContaining({ severity: 'high', code: 'ADMIN_PORT_OPEN_TO_INTERNET' })]);
  });

  test('help and command-line mistakes', () => {
    expect(run(['--help']).text).toMatch(/^Usage: cdk-eni-topology \[options\] \[cdk.out\]/);
    expect(run(['-h']).status).toBe(0);
    expect(() => run(['--nope'])).toThrow(UsageError);
    expect(() => run(['--nope'])).toThrow("Unknown option '--nope'");
    expect(() => run([outdir, '--mermaid'])).toThrow("Option '--mermaid <value>' argument missing");
    expect(() => run([outdir, '--mermaid='])).toThrow('--mermaid needs a file name (or - for standard output)');
    expect(() => run([outdir, outdir])).toThrow(`only one cloud assembly directory can be read (got '${outdir}', '${outdir}')`);
    expect(() => run([outdir, '--fail-on=low'])).toThrow("--fail-on must be high, medium or none (got 'low')");
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => run([outdir, `--fail-on=${name}`])).toThrow(`--fail-on must be high, medium or none (got '${name}')`);
    }
    expect(() => run([outdir, '--strict', '--fail-on=medium'])).toThrow('--strict means --fail-on high; it cannot be combined with --fail-on medium');
    expect(() => run([outdir, '--json', '--mermaid=-'])).toThrow('--json and --mermaid - both print to standard output: write the diagram to a file');
  });

  // The real process: exit statuses as a shell sees them (0 ok, 1 findings or error, 2 usage).
  test.each([
    [['--fail-on=high'], 1],
    [['--no-such-option'], 2],
    // Names every plain object has: the check must not look along the prototype chain.
    [['--fail-on=toString'], 2],
  ])('the command run as a process with %j exits %d', (args, expected) => {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, '../src/topology/cli.ts'), outdir, ...args], {
      encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
    });
    expect(result.status).toBe(expected);
    if (expected === 2) expect(result.stderr).toContain('Run cdk-eni-topology --help for the options.');
  });

  test('a directory that is not a cloud assembly is an error (exit 1)', () => {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, '../src/topology/cli.ts'), tmpdir()], {
      encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/is not a cloud assembly: it has no manifest.json/);
  });
});

describe('NestedStacks', () => {
  test('the topology, the table and the command read the templates of NestedStacks', () => {
    const outdir = tmpdir();
    const app = new App({ outdir });
    const parent = new Stack(app, 'Parent', { env: TEST_ENV });
    const nested = new NestedStack(parent, 'Network');
    const vpc = new ec2.Vpc(nested, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    const open = new ec2.SecurityGroup(nested, 'Open', { vpc });
    open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    new ec2.CfnNetworkInterface(new Construct(nested, 'Eni'), 'Resource', { subnetId: vpc.publicSubnets[0].subnetId, groupSet: [open.securityGroupId] });
    const assembly = app.synth();
    const nestedName = `Parent/${parent.getLogicalId(nested.nestedStackResource!)}`;

    const topology = Topology.fromAssembly(assembly);
    expect(topology.stacks.map((s) => s.name)).toEqual(['Parent', nestedName]);
    expect(eni(topology, 'Eni').stackName).toBe(nestedName);
    expect(topology.findings.map((f) => f.code)).toEqual(['ADMIN_PORT_OPEN_TO_INTERNET']);
    expect(Topology.fromStack(parent).networkInterfaces.map((e) => e.name)).toEqual(['Eni']);
    expect(main([outdir, '--strict'], { out: () => undefined, err: () => undefined })).toBe(1);
  });
});

/** A public subnet (routed to an IGW) with one ENI whose security group has the given rule. */
function publicTemplate(rule: Record<string, unknown>): any {
  return {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      Igw: { Type: 'AWS::EC2::InternetGateway' },
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'eu-west-1a' } },
      Rt: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
      Assoc: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: { Ref: 'Subnet' }, RouteTableId: { Ref: 'Rt' } } },
      Default: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: { Ref: 'Rt' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Igw' } } },
      Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'sg', VpcId: { Ref: 'Vpc' }, SecurityGroupIngress: [rule] } },
      Eni: { Type: 'AWS::EC2::NetworkInterface', Properties: { SubnetId: { Ref: 'Subnet' }, GroupSet: [{ 'Fn::GetAtt': ['Sg', 'GroupId'] }] } },
    },
  };
}

describe('the table for people', () => {
  // Eleven interfaces named Host0..Host10 in one subnet, each admitting HTTPS and SSH from the VPC.
  const resources: Record<string, unknown> = {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' } },
    Sg: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'sg',
        VpcId: { Ref: 'Vpc' },
        SecurityGroupIngress: [443, 22].map((p) => ({ IpProtocol: 'tcp', FromPort: p, ToPort: p, CidrIp: '10.0.0.0/16' })),
      },
    },
  };
  for (let i = 10; i >= 0; i--) {
    resources[`Host${i}`] = { Type: 'AWS::EC2::NetworkInterface', Properties: { SubnetId: { Ref: 'Subnet' }, GroupSet: [{ Ref: 'Sg' }] } };
  }
  const topology = Topology.fromTemplate('Fleet', { Resources: resources });

  test('rows are sorted the way people count: Host2 before Host10', () => {
    const names = topology.toTable().split('\n').slice(2, 13).map((l) => l.split(' | ')[1].trim());
    expect(names).toEqual(['Host0', 'Host1', 'Host2', 'Host3', 'Host4', 'Host5', 'Host6', 'Host7', 'Host8', 'Host9', 'Host10']);
  });

  test('maxColumnWidth wraps long cells onto continuation lines after a separator', () => {
    const wide = topology.toTable();
    expect(wide).toContain('tcp/443 from 10.0.0.0/16; tcp/22 from 10.0.0.0/16');
    const narrow = topology.toTable({ maxColumnWidth: 20 });
    const lines = narrow.split('\n');
    const first = lines.findIndex((l) => l.split(' | ')[1]?.trim() === 'Host0');
    expect(lines[first].split(' | ')[5].trim()).toBe('tcp/443 from');
    expect(lines[first + 1].split(' | ').map((c) => c.trim())).toEqual(['', '', '', '', '', '10.0.0.0/16;']);
    for (const line of lines.slice(0, lines.indexOf('')).filter((l) => !l.startsWith('---'))) {
      for (const cell of line.split(' | ')) expect(cell.trimEnd().length).toBeLessThanOrEqual(20);
    }
    expect(() => topology.toTable({ maxColumnWidth: 5 })).toThrow('maxColumnWidth must be an integer of at least 10 (got 5)');
  });

  test('the totals say 1 instance, not 1 instances', () => {
    const one = Topology.fromTemplate('One', {
      Resources: {
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24' } },
        Host: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't3.micro', SubnetId: { Ref: 'Subnet' } } },
      },
    });
    expect(one.toTotals()).toBe([
      'Totals:',
      '  One     2 resources,   1 network interface,   1 instance',
      '  1 stack, 2 resources, 1 network interface, 1 instance, 0 findings (0 high)',
      '',
    ].join('\n'));
  });

  test('a long name without spaces breaks where a new word starts, not mid-word', () => {
    expect(wrap('PrimaryEniSecurityGroup', 20)).toEqual(['PrimaryEniSecurity', 'Group']);
    expect(wrap('Vpc/ManagementSubnet1', 20)).toEqual(['Vpc/Management', 'Subnet1']);
    expect(wrap('sg-0123456789abcdef0123', 20)).toEqual(['sg-', '0123456789abcdef0123']);
    expect(wrap('abcdefghijklmnopqrstuvwxyz', 20)).toEqual(['abcdefghijklmnopqrst', 'uvwxyz']);
    expect(wrap('tcp/443 from 10.0.0.0/16; tcp/22 from 10.0.0.0/16', 20)).toEqual(['tcp/443 from', '10.0.0.0/16;', 'tcp/22 from', '10.0.0.0/16']);
  });

  test('the totals count resources, interfaces, instances and findings per stack and in all', () => {
    expect(topology.toTotals()).toBe([
      'Totals:',
      '  Fleet    14 resources,  11 network interfaces,   0 instances',
      '  1 stack, 14 resources, 11 network interfaces, 0 instances, 0 findings (0 high)',
      '',
    ].join('\n'));
  });
});

describe('interfaces that AWS services create, and a picture that scales', () => {
  const assembly = buildExampleApp(tmpdir()).synth();
  const whole = Topology.fromAssembly(assembly);

  test('Fargate tasks (awsvpc), load balancers and Auto Scaling groups get their interfaces', () => {
    const fargate = whole.networkInterfaces.filter((e) => e.stackName === 'ManagedFargateServiceExample');
    expect(fargate.map((e) => [e.name, e.managedBy, e.publicIpOnLaunch])).toEqual([
      ['WebService tasks', 'ecs', false],
      ['WebLoadBalancer 1', 'elasticloadbalancing', true],
      ['WebLoadBalancer 2', 'elasticloadbalancing', true],
    ]);
    expect(fargate[0].description).toBe('one interface per task (awsvpc), 2 tasks, spread over 2 subnets');
    expect(whole.subnets.find((s) => s.id === fargate[0].subnetId)?.name).toBe('Vpc/ApplicationSubnet1');
    const asg = whole.instances.find((i) => i.stackName === 'SelfHealingInstanceExample')!;
    expect(asg.name).toBe('WebASG (Auto Scaling 1-1)');
    expect(whole.attachments.filter((a) => a.instanceId === asg.id).map((a) => [a.networkInterfaceId, a.deviceIndex])).toEqual([[`${asg.id}#eth0`, 0]]);
    expect(whole.toMermaid()).toMatch(/eni_ManagedFargateServiceExample_WebService\w+_tasks\["ECS WebService tasks<br\/>automatic IPv4<br\/>one interface per task/);
  });

  test('examples/topology.mmd is the diagram of the current example app (regenerate it with npx projen example)', () => {
    expect(fs.readFileSync(path.join(__dirname, '..', 'examples', 'topology.mmd'), 'utf8')).toBe(whole.toMermaid());
  });

  test('every stack is a named group and the management subnets admitting SSH are drawn as sources, not outside nodes', () => {
    const mermaid = whole.toMermaid();
    for (const stack of whole.stacks) expect(mermaid).toContain(`["stack ${stack.name}"]`);
    expect(mermaid).toMatch(/sn_DualHomedExample_VpcManagementSubnet1Subnet\w+ -->\|"eth1: tcp\/22"\| host_DualHomedExample_HostInstance\w+/);
    expect(mermaid).not.toMatch(/src_cidr_10_20_2_0_24/);
    // One Internet node per VPC that admits internet traffic: all eight but the routing appliance's.
    expect((mermaid.match(/\(\("Internet<br\/>to /g) ?? []).length).toBe(whole.vpcs.length - 1);
    expect(mermaid).not.toMatch(/internet_RoutingApplianceExample/);
  });

  test('identical hosts are one node with a count, and their identical rules one edge', () => {
    const resources: Record<string, unknown> = {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'eu-west-1a' } },
      Admin: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.9.0/24', AvailabilityZone: 'eu-west-1a' } },
      Sg: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: { GroupDescription: 'sg', VpcId: { Ref: 'Vpc' }, SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.9.0/24' }] },
      },
    };
    for (let i = 0; i < 12; i++) {
      resources[`Host${i}`] = { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't3.micro', SubnetId: { Ref: 'Subnet' }, SecurityGroupIds: [{ Ref: 'Sg' }] } };
    }
    const mermaid = Topology.fromTemplate('Fleet', { Resources: resources }).toMermaid();
    expect(mermaid).toContain('host_Fleet_Host0("12 hosts: Host0 … Host11 · t3.micro<br/>eth0 · Subnet · automatic IPv4")');
    expect(mermaid.split('\n').filter((l) => l.includes('-->'))).toEqual(['  sn_Fleet_Admin -->|"tcp/22"| host_Fleet_Host0']);
  });
});
