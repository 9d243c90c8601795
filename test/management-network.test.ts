import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ManagementAccess, ManagementNetwork, ManagementNetworkProps } from '../src';
import { expectCfnLintClean } from './compliance';
import { testApp, testInstance, testStack, testVpc } from './util';
import { ManagementNetworkExampleStack } from '../examples/management-network';

const SERVER_CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111';
const CLIENT_CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/22222222-2222-2222-2222-222222222222';

function network(props: ManagementNetworkProps = {}) {
  const stack = testStack();
  const net = new ManagementNetwork(stack, 'Net', props);
  return { stack, net, template: () => Template.fromStack(stack) };
}

/** Resolved route table ids of the given subnets. */
function routeTableRefs(stack: Stack, subnets: ec2.ISubnet[]): unknown[] {
  return subnets.map((s) => stack.resolve(s.routeTable.routeTableId));
}

/** Every AWS::EC2::Route of the template whose RouteTableId is one of `refs`. */
function routesOf(template: Template, refs: unknown[]): Array<Record<string, unknown>> {
  const routes = Object.values(template.findResources('AWS::EC2::Route')).map((r) => r.Properties as Record<string, unknown>);
  return routes.filter((p) => refs.some((ref) => JSON.stringify(ref) === JSON.stringify(p.RouteTableId)));
}

describe('ManagementNetwork with a new VPC', () => {
  test('creates public and management subnets in two Availability Zones, without NAT gateways', () => {
    const { template, net } = network();
    const t = template();
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    t.resourceCountIs('AWS::EC2::Subnet', 4);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(net.publicSubnets.subnets).toHaveLength(2);
    expect(net.managementSubnets.subnets).toHaveLength(2);
    expect(net.applicationSubnets).toBeUndefined();
    expect(net.applicationSubnetSelection).toBeUndefined();
    expect(net.managementSubnets.subnets.map((s) => s.ipv4CidrBlock)).toEqual(['10.0.2.0/24', '10.0.3.0/24']);
    expect(net.publicSubnetSelection).toEqual({ subnetGroupName: 'Public' });
    expect(net.managementSubnetSelection).toEqual({ subnetGroupName: 'Management' });
  });

  test('closes the VPC\'s default security group with default feature flags (Security Hub EC2.2)', () => {
    const { template, net } = network();
    template().hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetVpc'), 'DefaultSecurityGroup'] },
    });
    expect(net.node.tryGetContext('@aws-cdk/aws-ec2:restrictDefaultSecurityGroup')).toBeUndefined();
  });

  test('a management subnet never gets a route to the internet gateway or a NAT gateway', () => {
    const { template, net, stack } = network({ applicationSubnetCidrMask: 24 });
    const t = template();
    const mgmtTables = routeTableRefs(stack, net.managementSubnets.subnets);
    expect(new Set(mgmtTables.map((r) => JSON.stringify(r))).size).toBe(2); // a route table of their own each
    expect(routesOf(t, mgmtTables)).toEqual([]);
    // The other subnet groups do route out, which is what makes the check meaningful.
    expect(routesOf(t, routeTableRefs(stack, net.publicSubnets.subnets))).toEqual([
      expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: expect.anything() }),
      expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: expect.anything() }),
    ]);
    expect(routesOf(t, routeTableRefs(stack, net.applicationSubnets!.subnets))).toEqual([
      expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: expect.anything() }),
      expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: expect.anything() }),
    ]);
  });

  test('application subnets get one NAT gateway by default', () => {
    const { template, net } = network({ applicationSubnetCidrMask: 22 });
    const t = template();
    t.resourceCountIs('AWS::EC2::Subnet', 6);
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    expect(net.applicationSubnetSelection).toEqual({ subnetGroupName: 'Application' });
    expect(net.applicationSubnets!.subnets.map((s) => s.ipv4CidrBlock)).toEqual(['10.0.4.0/22', '10.0.8.0/22']);
  });

  test.each<[ManagementNetworkProps, number, string, string[]]>([
    [{ cidr: '172.16.0.0/20', maxAzs: 3, publicSubnetCidrMask: 26, managementSubnetCidrMask: 27 }, 6, '172.16.0.0/20', ['172.16.0.192/27', '172.16.0.224/27', '172.16.1.0/27']],
    [{ maxAzs: 1 }, 2, '10.0.0.0/16', ['10.0.1.0/24']],
    [{ applicationSubnetCidrMask: 24, natGateways: 2 }, 6, '10.0.0.0/16', ['10.0.2.0/24', '10.0.3.0/24']],
  ])('VPC shape %j', (props, subnets, cidr, mgmtCidrs) => {
    const { template, net } = network(props);
    template().resourceCountIs('AWS::EC2::Subnet', subnets);
    template().hasResourceProperties('AWS::EC2::VPC', { CidrBlock: cidr });
    template().resourceCountIs('AWS::EC2::NatGateway', props.natGateways ?? (props.applicationSubnetCidrMask ? 1 : 0));
    expect(net.managementSubnets.subnets.map((s) => s.ipv4CidrBlock)).toEqual(mgmtCidrs);
  });

  test.each<[string, ManagementNetworkProps, RegExp]>([
    ['malformed cidr', { cidr: '10.0.0/16' }, /^cidr '10\.0\.0\/16' is not an IPv4 CIDR block written with its network address: use a form such as 10\.0\.0\.0\/16$/],
    ['cidr with host bits', { cidr: '10.0.0.1/16' }, /cidr '10\.0\.0\.1\/16' is not an IPv4 CIDR block written with its network address/],
    ['cidr too large', { cidr: '10.0.0.0/8' }, /^cidr '10\.0\.0\.0\/8' is a \/8: AWS allows VPC blocks from \/16 to \/28$/],
    ['zero AZs', { maxAzs: 0 }, /^maxAzs 0 is not allowed: use a whole number of Availability Zones, 1 or more$/],
    ['subnet mask too small', { managementSubnetCidrMask: 29 }, /^managementSubnetCidrMask 29 is not allowed: AWS subnets are \/16 to \/28$/],
    ['subnet mask larger than the VPC', { cidr: '10.0.0.0/20', publicSubnetCidrMask: 18 }, /^publicSubnetCidrMask 18 is larger than the VPC block 10\.0\.0\.0\/20: use a prefix length of 20 or more$/],
    ['NAT without application subnets', { natGateways: 1 }, /^natGateways 1 without application subnets: only application subnets use NAT \(management subnets never do\)/],
    ['application subnets without NAT', { applicationSubnetCidrMask: 24, natGateways: 0 }, /^natGateways 0 leaves the application subnets without egress/],
    ['more NAT gateways than AZs', { applicationSubnetCidrMask: 24, natGateways: 3 }, /^natGateways 3 is more than maxAzs 2/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => network(props)).toThrow(message);
  });

  test('subnet selections without vpc are rejected', () => {
    expect(() => network({ managementSubnetSelection: { subnetGroupName: 'Management' } }))
      .toThrow(/^publicSubnetSelection, managementSubnetSelection and applicationSubnetSelection choose subnets of an existing VPC: give vpc too/);
  });
});

describe('ManagementNetwork flow logs', () => {
  test('are on by default, to a CloudWatch Logs group kept for a year', () => {
    const { template, net } = network();
    const t = template();
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('^NetFlowLogGroup') },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    expect(net.flowLog).toBeDefined();
    expect(net.flowLogGroup).toBeDefined();
  });

  test('can go to S3 with a chosen traffic type', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const net = new ManagementNetwork(stack, 'Net', {
      flowLogDestination: ec2.FlowLogDestination.toS3(bucket),
      flowLogTrafficType: ec2.FlowLogTrafficType.REJECT,
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 's3', TrafficType: 'REJECT' });
    t.resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(net.flowLogGroup).toBeUndefined();
  });

  test('retention is configurable', () => {
    const { template } = network({ flowLogRetention: logs.RetentionDays.THREE_MONTHS });
    template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('can be turned off', () => {
    const { template, net } = network({ flowLogs: false });
    template().resourceCountIs('AWS::EC2::FlowLog', 0);
    expect(net.flowLog).toBeUndefined();
  });

  test('retention with a destination of your own is rejected', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    expect(() => new ManagementNetwork(stack, 'Net', {
      flowLogDestination: ec2.FlowLogDestination.toS3(bucket),
      flowLogRetention: logs.RetentionDays.ONE_WEEK,
    })).toThrow(/^flowLogRetention 7 applies only to the log group created by default: set the retention on your own flowLogDestination instead$/);
  });

  test('flow log settings with flow logs off are rejected', () => {
    expect(() => network({ flowLogs: false, flowLogTrafficType: ec2.FlowLogTrafficType.ALL }))
      .toThrow(/^flowLogDestination, flowLogRetention and flowLogTrafficType configure flow logs, but flowLogs is false/);
  });
});

describe('ManagementNetwork network ACL', () => {
  test('admits only the VPC CIDR, in and out, on the management subnets only', () => {
    const { template, stack, net } = network({ applicationSubnetCidrMask: 24 });
    const t = template();
    t.resourceCountIs('AWS::EC2::NetworkAcl', 1);
    t.resourceCountIs('AWS::EC2::NetworkAclEntry', 2);
    for (const egress of [false, true]) {
      t.hasResourceProperties('AWS::EC2::NetworkAclEntry', {
        CidrBlock: '10.0.0.0/16',
        Egress: egress,
        Protocol: -1,
        RuleAction: 'allow',
        RuleNumber: 100,
      });
    }
    const associations = Object.values(t.findResources('AWS::EC2::SubnetNetworkAclAssociation')).map((r) => r.Properties.SubnetId);
    expect(associations).toEqual(net.managementSubnets.subnets.map((s) => stack.resolve(s.subnetId)));
  });

  test('admits every management CIDR in and out with increasing rule numbers', () => {
    const { template, net } = network({
      access: [ManagementAccess.vpnGateway({ onPremisesCidrs: ['192.168.0.0/16', '172.20.0.0/16'] })],
    });
    net.addManagementCidr('100.64.0.0/24');
    const t = template();
    t.resourceCountIs('AWS::EC2::NetworkAclEntry', 8);
    for (const [cidr, rule] of [['192.168.0.0/16', 110], ['172.20.0.0/16', 120], ['100.64.0.0/24', 130]] as const) {
      for (const egress of [false, true]) {
        t.hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: cidr, Egress: egress, Protocol: -1, RuleAction: 'allow', RuleNumber: rule });
      }
    }
    expect(net.managementCidrs).toEqual(['192.168.0.0/16', '172.20.0.0/16', '100.64.0.0/24']);
  });

  test('can be turned off', () => {
    const { template, net } = network({ managementNetworkAcl: false });
    net.addManagementCidr('192.168.0.0/16');
    template().resourceCountIs('AWS::EC2::NetworkAcl', 0);
    expect(net.networkAcl).toBeUndefined();
  });

  test('stops at 19 management CIDRs, the default rule quota less the VPC rule', () => {
    const { net } = network();
    for (let i = 0; i < 19; i++) {
      net.addManagementCidr(`172.${16 + i}.0.0/16`);
    }
    expect(() => net.addManagementCidr('192.168.0.0/16'))
      .toThrow(/^addManagementCidr '192\.168\.0\.0\/16' would be management CIDR number 20: the management network ACL admits at most 19 besides the VPC/);
  });
});

describe('ManagementNetwork management CIDRs and peers', () => {
  test('the management security group is a peer before any CIDR exists', () => {
    const { net } = network();
    expect(net.managementCidrs).toEqual([]);
    expect(net.managementPeers).toEqual([net.managementSecurityGroup]);
  });

  test('allowManagementTo admits the port from the security group and every CIDR, including CIDRs added later', () => {
    const { stack, net, template } = network();
    net.addManagementCidr('192.168.0.0/16');
    const instance = testInstance(stack, 'Server', net.vpc, net.publicSubnets.subnets[0]);
    net.allowManagementTo(instance, ec2.Port.tcp(22));
    net.addManagementCidr('172.20.0.0/16');
    const t = template();
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      SourceSecurityGroupId: stack.resolve(net.managementSecurityGroup.securityGroupId),
    });
    const inline = t.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'TestStack/Server/InstanceSecurityGroup' } });
    const ingress = Object.values(inline)[0].Properties.SecurityGroupIngress;
    expect(ingress).toEqual([
      expect.objectContaining({ CidrIp: '192.168.0.0/16', FromPort: 22, ToPort: 22, IpProtocol: 'tcp' }),
      expect.objectContaining({ CidrIp: '172.20.0.0/16', FromPort: 22, ToPort: 22, IpProtocol: 'tcp' }),
    ]);
    expect(net.managementPeers.map((p) => p.uniqueId)).toEqual([net.managementSecurityGroup.uniqueId, '192.168.0.0/16', '172.20.0.0/16']);
  });

  test('CIDRs known only at deploy time (parameters) are admitted without synth-time checks', () => {
    const { stack, net, template } = network();
    const office = new CfnParameter(stack, 'OfficeCidr', { type: 'String' }).valueAsString;
    const partner = new CfnParameter(stack, 'PartnerCidr', { type: 'String' }).valueAsString;
    net.addManagementCidr(office);
    net.addManagementCidr(partner);
    const t = template();
    t.hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: { Ref: 'OfficeCidr' }, RuleNumber: 110, Egress: false });
    t.hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: { Ref: 'PartnerCidr' }, RuleNumber: 120, Egress: true });
  });

  test.each([
    ['0.0.0.0/0', /^addManagementCidr '0\.0\.0\.0\/0' is the whole address space: management CIDRs open SSH and admin ports, so they must name the networks administrators come from \(for example 192\.168\.0\.0\/16\), never 0\.0\.0\.0\/0 or ::\/0$/],
    ['::/0', /^addManagementCidr '::\/0' is the whole address space/],
    ['192.168.0.0', /^addManagementCidr '192\.168\.0\.0' is not an IPv4 CIDR block: use a form such as 192\.168\.0\.0\/16$/],
    ['192.168.1.0/16', /^addManagementCidr '192\.168\.1\.0\/16' has host bits set: write the network address of the block/],
    ['10.0.128.0/17', /^addManagementCidr '10\.0\.128\.0\/17' overlaps the VPC CIDR 10\.0\.0\.0\/16: management traffic must come from outside the VPC/],
    ['172.20.1.0/24', /^addManagementCidr '172\.20\.1\.0\/24' overlaps addManagementCidr '172\.20\.0\.0\/16': management CIDRs must not overlap; choose separate blocks$/],
  ])('addManagementCidr(%s) is rejected', (cidr, message) => {
    const { net } = network();
    net.addManagementCidr('172.20.0.0/16');
    expect(() => net.addManagementCidr(cidr)).toThrow(message);
  });
});

describe('ManagementNetwork with an existing VPC', () => {
  test('uses the public and isolated subnets by default and puts the ACL on the isolated ones', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    const net = new ManagementNetwork(stack, 'Net', { vpc });
    expect(net.vpc).toBe(vpc);
    expect(net.publicSubnets.subnets).toEqual(vpc.publicSubnets);
    expect(net.managementSubnets.subnets).toEqual(vpc.isolatedSubnets);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    const associations = Object.values(t.findResources('AWS::EC2::SubnetNetworkAclAssociation')).map((r) => r.Properties.SubnetId);
    expect(associations).toEqual(vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId)));
    t.hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: '10.0.0.0/16', RuleNumber: 100 });
  });

  test('takes named selections, including application subnets', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      subnetConfiguration: [
        { name: 'Web', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Admin', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'Apps', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
      natGateways: 1,
    });
    const net = new ManagementNetwork(stack, 'Net', {
      vpc,
      publicSubnetSelection: { subnetGroupName: 'Web' },
      managementSubnetSelection: { subnetGroupName: 'Admin' },
      applicationSubnetSelection: { subnetGroupName: 'Apps' },
    });
    expect(net.applicationSubnets!.subnets).toEqual(vpc.privateSubnets);
    expect(net.managementSubnets.subnets).toEqual(vpc.isolatedSubnets);
  });

  test('works with an imported VPC whose routes are unknown', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.20.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
      isolatedSubnetIds: ['subnet-mgmt1', 'subnet-mgmt2'],
      isolatedSubnetIpv4CidrBlocks: ['10.20.2.0/24', '10.20.3.0/24'],
      isolatedSubnetRouteTableIds: ['rtb-mgmt1', 'rtb-mgmt2'],
    });
    const net = new ManagementNetwork(stack, 'Net', {
      vpc,
      access: [ManagementAccess.vpnGateway({ onPremisesCidrs: ['192.168.0.0/16'] })],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: 'subnet-mgmt1' });
    t.hasResourceProperties('AWS::EC2::VPNGatewayRoutePropagation', { RouteTableIds: ['rtb-mgmt1', 'rtb-mgmt2'] });
    expect(net.managementSubnets.subnetIds).toEqual(['subnet-mgmt1', 'subnet-mgmt2']);
    expect(() => net.addManagementCidr('10.20.5.0/24')).toThrow(/overlaps the VPC CIDR 10\.20\.0\.0\/16/);
  });

  test.each<[string, (vpc: ec2.Vpc) => Partial<ManagementNetworkProps>, RegExp]>([
    ['a management selection that resolves to nothing', () => ({ managementSubnetSelection: { subnetGroupName: 'Nope' } }),
      /^managementSubnetSelection \{"subnetGroupName":"Nope"\} does not resolve to subnets of the VPC \(.*\): select existing subnets/],
    ['an empty list of management subnets', () => ({ managementSubnetSelection: { subnets: [] } }),
      /^managementSubnetSelection \{"subnets":\[\]\} resolves to no subnets: select at least one subnet of the VPC$/],
    ['public subnets as management subnets', () => ({ managementSubnetSelection: { subnetType: ec2.SubnetType.PUBLIC } }),
      /^managementSubnetSelection \{"subnetType":"Public"\} includes public subnets: management subnets must have no route to an internet gateway; select private subnets$/],
    ['one public subnet as a management subnet', (vpc) => ({ managementSubnetSelection: { subnets: [vpc.publicSubnets[0]] } }),
      /^managementSubnetSelection \{"subnets":\["TestStack\/Vpc\/PublicSubnet1"\]\} includes public subnets: management subnets must have no route to an internet gateway/],
    ['a management subnet among the application subnets', (vpc) => ({ applicationSubnetSelection: { subnets: [vpc.isolatedSubnets[0]] } }),
      /^applicationSubnetSelection \{"subnets":\["TestStack\/Vpc\/PrivateSubnet1"\]\} includes management subnet TestStack\/Vpc\/PrivateSubnet1/],
    ['new-VPC props', () => ({ cidr: '10.1.0.0/16' }), /^cidr "10\.1\.0\.0\/16" shapes a new VPC, but vpc is given: drop cidr, or drop vpc to create a new VPC$/],
    ['natGateways', () => ({ natGateways: 1 }), /^natGateways 1 shapes a new VPC, but vpc is given/],
  ])('rejects %s', (_name, props, message) => {
    const stack = testStack();
    const vpc = testVpc(stack);
    expect(() => new ManagementNetwork(stack, 'Net', { vpc, ...props(vpc) })).toThrow(message);
  });

  test('a subnet known by id that is one of the VPC public subnets cannot be a management subnet', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-1',
      vpcCidrBlock: '10.20.0.0/16',
      availabilityZones: ['eu-west-1a'],
      publicSubnetIds: ['subnet-pub1'],
      isolatedSubnetIds: ['subnet-mgmt1'],
    });
    const subnet = ec2.Subnet.fromSubnetId(stack, 'ById', 'subnet-pub1');
    expect(() => new ManagementNetwork(stack, 'Net', { vpc, managementSubnetSelection: { subnets: [subnet] } }))
      .toThrow(/^managementSubnetSelection \{"subnets":\["subnet-pub1"\]\} includes public subnet subnet-pub1: management subnets must be private; select subnets without a route to an internet gateway$/);
  });

  test('a management subnet routed to the internet gateway is an error', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    (vpc.isolatedSubnets[0] as ec2.Subnet).addRoute('Internet', {
      routerType: ec2.RouterType.GATEWAY,
      routerId: vpc.internetGatewayId!,
      destinationCidrBlock: '0.0.0.0/0',
    });
    expect(() => new ManagementNetwork(stack, 'Net', { vpc }))
      .toThrow(/^management subnet TestStack\/Vpc\/PrivateSubnet1 has route TestStack\/Vpc\/PrivateSubnet1\/Internet to 0\.0\.0\.0\/0 through internet gateway VpcIGWD7BA715C: management subnets must never route to an internet gateway or NAT; remove the route or select another subnet in managementSubnetSelection$/);
  });

  test('a management subnet with a NAT route (a private subnet with egress) is an error', () => {
    const stack = testStack();
    const vpc = testVpc(stack, 'Vpc', {
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    expect(() => new ManagementNetwork(stack, 'Net', { vpc, managementSubnetSelection: { subnetGroupName: 'Private' } }))
      .toThrow(/^management subnet TestStack\/Vpc\/PrivateSubnet1 has route .* to 0\.0\.0\.0\/0 through NAT gateway VpcPublicSubnet1NATGateway/);
  });

  test.each<[string, Partial<ec2.CfnRouteProps>, RegExp]>([
    ['an egress-only internet gateway', { destinationIpv6CidrBlock: '::/0', egressOnlyInternetGatewayId: 'eigw-0123' }, /to ::\/0 through egress-only internet gateway eigw-0123/],
    ['an imported internet gateway', { destinationCidrBlock: '203.0.113.0/24', gatewayId: 'igw-0123' }, /to 203\.0\.113\.0\/24 through internet gateway igw-0123/],
    ['a NAT instance', { destinationCidrBlock: '0.0.0.0/0', instanceId: 'i-0123' }, /to 0\.0\.0\.0\/0 through instance i-0123/],
    ['a proxy network interface', { destinationCidrBlock: '0.0.0.0/0', networkInterfaceId: 'eni-0123' }, /to 0\.0\.0\.0\/0 through network interface eni-0123/],
  ])('a route added after construction to %s fails synth', (_name, route, message) => {
    const stack = testStack();
    const vpc = testVpc(stack);
    new ManagementNetwork(stack, 'Net', { vpc });
    new ec2.CfnRoute(stack, 'LateRoute', { routeTableId: vpc.isolatedSubnets[1].routeTable.routeTableId, ...route });
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test('routes to on-premises networks through the virtual private gateway are allowed', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    new ec2.CfnRoute(stack, 'OnPrem', { routeTableId: vpc.isolatedSubnets[0].routeTable.routeTableId, destinationCidrBlock: '0.0.0.0/0', gatewayId: 'vgw-0123' });
    new ManagementNetwork(stack, 'Net', { vpc, access: [ManagementAccess.sessionManager()] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('ManagementNetwork reachability warning', () => {
  test('warns when no access is configured', () => {
    const { stack } = network();
    Annotations.fromStack(stack).hasWarning('/TestStack/Net', Match.stringLikeRegexp('no management access is configured: the management subnets are unreachable.*\\[ack: cdk-eni-patterns:management-unreachable\\]'));
  });

  test('does not warn once access is added after construction', () => {
    const { stack, net } = network();
    net.addAccess(ManagementAccess.instanceConnectEndpoint());
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('unreachable'))).toEqual([]);
    expect(net.accessKinds).toEqual(['instanceConnectEndpoint']);
  });
});

describe('ManagementNetwork places a Fargate service in the application subnets', () => {
  function fargate() {
    const stack = testStack();
    const net = new ManagementNetwork(stack, 'Net', {
      applicationSubnetCidrMask: 24,
      access: [
        ManagementAccess.vpnGateway({ onPremisesCidrs: ['192.168.0.0/16'] }),
        ManagementAccess.sessionManager(),
      ],
    });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 80 }, { containerPort: 9090 }],
    });
    const service = new ecs.FargateService(stack, 'Service', {
      cluster,
      taskDefinition,
      vpcSubnets: net.applicationSubnetSelection,
      assignPublicIp: false,
      enableExecuteCommand: true,
    });
    net.allowManagementTo(service, ec2.Port.tcp(9090));
    return { stack, net, service, template: Template.fromStack(stack) };
  }

  test('the task ENIs sit in the application subnets without public IPs, with ECS Exec on', () => {
    const { stack, net, template } = fargate();
    template.hasResourceProperties('AWS::ECS::Service', {
      EnableExecuteCommand: true,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: net.applicationSubnets!.subnetIds.map((id) => stack.resolve(id)),
        },
      },
    });
  });

  test('the service security group admits the admin port from the management peers only', () => {
    const { stack, net, service, template } = fargate();
    const groupId = stack.resolve(service.connections.securityGroups[0].securityGroupId);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: groupId,
      IpProtocol: 'tcp',
      FromPort: 9090,
      ToPort: 9090,
      SourceSecurityGroupId: stack.resolve(net.managementSecurityGroup.securityGroupId),
    });
    const sg = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'TestStack/Service/SecurityGroup' } });
    expect(Object.values(sg)[0].Properties.SecurityGroupIngress).toEqual([
      { CidrIp: '192.168.0.0/16', Description: 'Management access from 192.168.0.0/16', FromPort: 9090, IpProtocol: 'tcp', ToPort: 9090 },
    ]);
  });

  test('ECS Exec reaches Systems Manager through the endpoints, whose security group admits the VPC', () => {
    const { template } = fargate();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ssmmessages:CreateControlChannel']) })]) },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.ssmmessages', PrivateDnsEnabled: true });
  });
});

describe('ManagementNetwork checks', () => {
  test('cdk-nag AwsSolutions finds nothing unexplained with every access kind', () => {
    const app = testApp();
    const stack = testStack(app);
    new ManagementNetwork(stack, 'Net', {
      applicationSubnetCidrMask: 24,
      access: [
        ManagementAccess.clientVpn({ cidr: '10.100.0.0/22', serverCertificateArn: SERVER_CERT, clientCertificateArn: CLIENT_CERT }),
        ManagementAccess.vpnGateway({
          onPremisesCidrs: ['192.168.0.0/16'],
          customerGateway: { ipAddress: '203.0.113.12' },
          directConnectGatewayId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        }),
        ManagementAccess.instanceConnectEndpoint(),
        ManagementAccess.sessionManager(),
      ],
    });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  const exampleVariants = [
    ['without Client VPN', {}],
    ['with Client VPN', { clientVpnCertificates: { server: SERVER_CERT, client: CLIENT_CERT } }],
  ] as const;

  test.each(exampleVariants)('cdk-nag AwsSolutions is clean on the example stack %s', (_name, props) => {
    const app = testApp();
    const stack = new ManagementNetworkExampleStack(app, 'MgmtExample', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations).toEqual([]);
  });

  test.each(exampleVariants)('cfn-lint finds nothing in the example stack %s', (_name, props) => {
    const app = testApp();
    const stack = new ManagementNetworkExampleStack(app, 'MgmtExample', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
    expectCfnLintClean(stack);
  });
});
