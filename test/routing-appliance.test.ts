import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { cfnLintStacks, nagFindings } from './compliance';
import { testStack, testVpc } from './util';
import { ApplianceRole, NetworkInterface, RoutingAppliance, RoutingApplianceProps } from '../src';

interface Fixture {
  stack: Stack;
  vpc: ec2.Vpc;
}

function fixture(): Fixture {
  const stack = testStack();
  const vpc = testVpc(stack, 'Vpc', { flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
  return { stack, vpc };
}

function build(props: Partial<RoutingApplianceProps> = {}, f: Fixture = fixture()) {
  const appliance = new RoutingAppliance(f.stack, 'Nat', {
    vpc: f.vpc,
    role: ApplianceRole.nat(),
    routedSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ...props,
  });
  return {
    f,
    appliance,
    // Synthesized on first use, so tests can add to the appliance before reading the template.
    get template() {
      return Template.fromStack(f.stack);
    },
  };
}

const ENI_REF = { Ref: Match.stringLikeRegexp('^NatNetworkInterface') };

/** The instance's user data as the shell script EC2 runs, with CloudFormation references replaced by sample values. */
function renderedUserData(template: Template, logicalIdPrefix = 'NatInstance'): string {
  const instances = template.findResources('AWS::EC2::Instance');
  const [, instance] = Object.entries(instances).find(([id]) => id.startsWith(logicalIdPrefix))!;
  const userData = instance.Properties.UserData['Fn::Base64'];
  if (typeof userData === 'string') return userData;
  const join = userData['Fn::Join'] as [string, unknown[]];
  return join[1].map((part) => {
    if (typeof part === 'string') return part;
    const ref = JSON.stringify(part);
    if (ref.includes('NetworkInterface')) return 'eni-0123456789abcdef0';
    return '10.0.0.0/24';
  }).join(join[0]);
}

function shellcheck(script: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'userdata-')), 'user-data.sh');
  fs.writeFileSync(file, script);
  try {
    execFileSync('/usr/bin/shellcheck', ['-s', 'bash', file], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; message: string };
    return err.stdout || err.message;
  }
}

/** The body of a quoted heredoc (`cat > file <<'TAG' ... TAG`) in a script. */
function heredoc(script: string, tag: string): string {
  const match = new RegExp(`<<'${tag}'\\n([\\s\\S]*?)\\n${tag}\\n`).exec(script);
  if (!match) throw new Error(`no heredoc ${tag} in the script`);
  return match[1];
}

describe('RoutingAppliance', () => {
  test('the forwarding interface has its source/destination check off and an Elastic IP for NAT', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::NetworkInterface', {
      SourceDestCheck: false,
      SubnetId: { Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') },
      GroupSet: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^NatSecurityGroup'), 'GroupId'] }],
    });
    template.resourceCountIs('AWS::EC2::EIP', 1);
    template.hasResourceProperties('AWS::EC2::EIPAssociation', { NetworkInterfaceId: ENI_REF });
  });

  test('routes of the routed subnets target the interface, never the instance, and wait for its attachment', () => {
    const { template } = build();
    const routes = template.findResources('AWS::EC2::Route', { Properties: { NetworkInterfaceId: ENI_REF } });
    expect(Object.keys(routes)).toHaveLength(2);
    for (const route of Object.values(routes)) {
      expect(route.Properties).toEqual({
        RouteTableId: { Ref: expect.stringMatching(/^VpcPrivateSubnet[12]RouteTable/) },
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: { Ref: expect.stringMatching(/^NatNetworkInterface/) },
      });
      expect(route.Properties.InstanceId).toBeUndefined();
      expect(route.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^NatNetworkInterfaceAttachment/)]));
    }
  });

  test('the interface admits traffic from the routed subnets only; the instances admit nothing', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Nat forwarding interface: traffic from the routed subnets only',
      SecurityGroupIngress: [
        { CidrIp: '10.0.2.0/24', IpProtocol: '-1', Description: 'traffic of a routed subnet' },
        { CidrIp: '10.0.3.0/24', IpProtocol: '-1', Description: 'traffic of a routed subnet' },
      ],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Nat instances (primary interfaces): no inbound traffic',
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('the encrypted root volume follows rootDeviceName', () => {
    const { template } = build({ rootDeviceName: '/dev/sda1' });
    template.hasResourceProperties('AWS::EC2::Instance', {
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { Encrypted: true, VolumeSize: 8, VolumeType: 'gp3' } }],
    });
  });

  test('the instance requires IMDSv2, has an encrypted root volume, and gets the interface at device index 1', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      Monitoring: true,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 8, VolumeType: 'gp3' } }],
      SubnetId: { Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') },
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    });
    // No launch template: one named by the instance's id would clash with a second appliance's.
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 0);
    template.hasResourceProperties('AWS::EC2::NetworkInterfaceAttachment', {
      DeviceIndex: '1',
      NetworkInterfaceId: ENI_REF,
      InstanceId: { Ref: Match.stringLikeRegexp('^NatInstance') },
      DeleteOnTermination: false,
    });
  });

  test('an x86 instance type gets an x86 Amazon Linux 2023 image', () => {
    const { template } = build({ instanceType: new ec2.InstanceType('t3.micro') });
    const params = Object.keys(template.toJSON().Parameters ?? {});
    expect(params.some((p) => /al2023amikernel.*x8664/i.test(p))).toBe(true);
  });

  test('the NAT user data persists IP forwarding and a masquerade rule for the routed CIDRs', () => {
    const { template } = build();
    const script = renderedUserData(template);
    expect(heredoc(script, 'SYSCTL')).toBe('net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 2\nnet.ipv4.conf.default.rp_filter = 2');
    expect(script).toContain('cat > /etc/sysctl.d/90-cdk-eni-forwarding.conf');
    expect(heredoc(script, 'NFT')).toContain('ip saddr { 10.0.2.0/24, 10.0.3.0/24 } masquerade');
    expect(script).toContain('echo \'include "/etc/nftables/cdk-eni-nat.nft"\' >> /etc/sysconfig/nftables.conf');
    expect(script).toContain('systemctl enable nftables.service');
    expect(heredoc(script, 'UNIT')).toContain('ExecStart=/usr/local/sbin/cdk-eni-forwarding');
    expect(heredoc(script, 'UDEV')).toContain('RUN+="/usr/bin/systemctl --no-block restart cdk-eni-forwarding.service"');
    expect(heredoc(script, 'SCRIPT')).toContain("ENI_ID='eni-0123456789abcdef0'");
  });

  test('the NAT user data and the routing script it installs pass shellcheck', () => {
    const { template } = build();
    const script = renderedUserData(template);
    expect(shellcheck(script)).toEqual('');
    expect(shellcheck(heredoc(script, 'SCRIPT'))).toEqual('');
  });

  test('the proxy role only enables forwarding, leaves the software to the user, and passes shellcheck', () => {
    const f = fixture();
    const { appliance } = build({
      role: ApplianceRole.proxy(),
      vpcSubnets: { subnets: [f.vpc.isolatedSubnets[0]] },
      routedSubnets: { subnets: [f.vpc.isolatedSubnets[1]] },
    }, f);
    appliance.userData.addCommands('dnf install -y haproxy');
    const template = Template.fromStack(f.stack);
    const script = renderedUserData(template);
    expect(script).toContain('net.ipv4.ip_forward = 1');
    expect(script).not.toContain('masquerade');
    expect(script).not.toContain('cdk-eni-forwarding.service');
    expect(script).toContain('dnf install -y haproxy');
    expect(shellcheck(script)).toEqual('');
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.hasResourceProperties('AWS::EC2::Route', { NetworkInterfaceId: ENI_REF, RouteTableId: { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2RouteTable') } });
  });

  test('addRoute adds a route for another destination and route table', () => {
    const { appliance, f } = build({ routedSubnets: undefined });
    const route = appliance.addRoute('OnPremises', { routeTableId: 'rtb-0123456789abcdef0', destinationCidrBlock: '192.168.0.0/16' });
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::EC2::Route', 3); // the two public default routes and this one
    template.hasResourceProperties('AWS::EC2::Route', { RouteTableId: 'rtb-0123456789abcdef0', DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: ENI_REF });
    expect(appliance.routes).toEqual([route]);
  });

  test('a routed subnet in another Availability Zone gets a warning, not an error', () => {
    const { f } = build();
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Nat', Match.stringLikeRegexp('^subnet TestStack/Vpc/PrivateSubnet2 \\(dummy1b\\) routes 0.0.0.0/0 to the appliance in dummy1a: traffic crosses Availability Zones'));
    Annotations.fromStack(f.stack).hasNoWarning('/TestStack/Nat', Match.stringLikeRegexp('PrivateSubnet1 '));
  });

  test('an adopted interface with the check off is used as the route target and keeps its Elastic IP', () => {
    const f = fixture();
    const eni = new NetworkInterface(f.stack, 'Own', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] }, sourceDestCheck: false, elasticIps: [{}] });
    const { template, appliance } = build({ networkInterface: eni }, f);
    template.resourceCountIs('AWS::EC2::NetworkInterface', 1);
    template.hasResourceProperties('AWS::EC2::Route', { NetworkInterfaceId: { Ref: Match.stringLikeRegexp('^Own') } });
    expect(appliance.elasticIp).toBe(eni.elasticIps[0]);
  });

  test('an imported interface is attached with a CloudFormation attachment and warns that its check cannot be read', () => {
    const f = fixture();
    const eni = NetworkInterface.fromNetworkInterfaceAttributes(f.stack, 'Imported', {
      networkInterfaceId: 'eni-0123456789abcdef0', availabilityZone: 'dummy1a', securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(f.stack, 'Sg', 'sg-0123')],
    });
    const { template } = build({ networkInterface: eni }, f);
    template.hasResourceProperties('AWS::EC2::NetworkInterfaceAttachment', { NetworkInterfaceId: 'eni-0123456789abcdef0', DeviceIndex: '1' });
    template.hasResourceProperties('AWS::EC2::Route', { NetworkInterfaceId: 'eni-0123456789abcdef0' });
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Nat', Match.stringLikeRegexp('source/destination check of the imported networkInterface eni-0123456789abcdef0 cannot be read'));
  });

  test('a standby takes over the interface through EniFailover; routes wait for its placement and keep the interface as target', () => {
    const { template, appliance } = build({ standby: true });
    template.resourceCountIs('AWS::EC2::Instance', 2);
    template.resourceCountIs('AWS::EC2::NetworkInterfaceAttachment', 0);
    template.hasResourceProperties('Custom::EniFailoverPlacement', {
      NetworkInterfaceId: ENI_REF,
      CandidateInstanceIds: [{ Ref: Match.stringLikeRegexp('^NatInstance') }, { Ref: Match.stringLikeRegexp('^NatStandbyInstance') }],
      DeviceIndex: 1,
    });
    const routes = template.findResources('AWS::EC2::Route', { Properties: { NetworkInterfaceId: ENI_REF } });
    expect(Object.keys(routes)).toHaveLength(2);
    for (const route of Object.values(routes)) {
      expect(route.DependsOn).toEqual([expect.stringMatching(/^NatFailoverPlacement/)]);
    }
    expect(appliance.failover?.networkInterface).toBe(appliance.networkInterface);
    // The standby runs the same forwarding configuration, waiting for the interface to arrive.
    expect(renderedUserData(template, 'NatStandbyInstance')).toBe(renderedUserData(template, 'NatInstance'));
  });

  test('termination protection is off by default and can be turned on', () => {
    build().template.hasResourceProperties('AWS::EC2::Instance', { DisableApiTermination: false });
    build({ terminationProtection: true }).template.hasResourceProperties('AWS::EC2::Instance', { DisableApiTermination: true });
  });

  test.each<[string, (f: Fixture) => Partial<RoutingApplianceProps>, string | RegExp]>([
    ['a NAT appliance in a private subnet', (f) => ({ vpcSubnets: { subnets: [f.vpc.isolatedSubnets[0]] }, routedSubnets: { subnets: [f.vpc.isolatedSubnets[1]] } }),
      'vpcSubnets selects TestStack/Vpc/PrivateSubnet1, which has no route to an internet gateway: a NAT appliance sends the routed subnets\' traffic to the internet; place it in a public subnet'],
    ['a subnet selection of two subnets', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }),
      /^vpcSubnets of TestStack\/Nat resolves to 2 subnets \[TestStack\/Vpc\/PublicSubnet1 \(dummy1a\), TestStack\/Vpc\/PublicSubnet2 \(dummy1b\)\]: an appliance and its forwarding interface live in exactly one subnet/],
    ['routing the appliance\'s own subnet', (f) => ({ routedSubnets: { subnets: [f.vpc.isolatedSubnets[0], f.vpc.publicSubnets[0]] } }),
      "routedSubnets includes the appliance's own subnet TestStack/Vpc/PublicSubnet1: its 0.0.0.0/0 route would point at the appliance itself"],
    ['routing a subnet that already has a default route', (f) => ({ vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] }, routedSubnets: { subnets: [f.vpc.publicSubnets[1]] } }),
      "addRoute('PublicSubnet2Route'): subnet TestStack/Vpc/PublicSubnet2 already has a route for 0.0.0.0/0 (TestStack/Vpc/PublicSubnet2/DefaultRoute): a route table holds one route per destination"],
    ['an empty routed selection', () => ({ routedSubnets: { subnets: [] } }),
      'routedSubnets {} selects no subnet: select the private subnets whose traffic goes through the appliance'],
    ['a routed subnet of unknown CIDR', (f) => ({
      routedSubnets: { subnets: [ec2.Subnet.fromSubnetAttributes(f.stack, 'NoCidr', { subnetId: 'subnet-0abc', routeTableId: 'rtb-0abc', availabilityZone: 'dummy1a' })] },
    }), "routedSubnets includes subnet-0abc, whose IPv4 CIDR is unknown: the appliance admits traffic from the routed subnets' CIDRs only; import the subnet with ipv4CidrBlock"],
    ['a malformed destination', () => ({ destinationCidrBlock: '10.0.0.0' }),
      "destinationCidrBlock '10.0.0.0' is not an IPv4 CIDR block: use a form such as 0.0.0.0/0 or 192.168.0.0/16"],
    ['a NAT appliance on an adopted interface with the check on', (f) => ({
      networkInterface: new NetworkInterface(f.stack, 'Checked', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] } }),
    }), 'networkInterface TestStack/Checked has its source/destination check on: AWS drops every packet a NAT appliance forwards through it; create it with sourceDestCheck: false'],
    ['an adopted interface in another AZ', (f) => ({
      vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] },
      networkInterface: new NetworkInterface(f.stack, 'Far', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[1]] }, sourceDestCheck: false }),
    }), "networkInterface TestStack/Far is in dummy1b but the appliance's subnet TestStack/Vpc/PublicSubnet1 is in dummy1a: a network interface can only be attached to instances in its own Availability Zone; choose vpcSubnets in dummy1b"],
    ['elasticIp with an adopted interface', (f) => ({
      elasticIp: true,
      networkInterface: new NetworkInterface(f.stack, 'Own', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] }, sourceDestCheck: false }),
    }), 'elasticIp applies to the forwarding interface RoutingAppliance creates, but networkInterface TestStack/Own is given: add the Elastic IP to the adopted interface itself'],
    ['failover triggers without a standby', () => ({ alarmEmails: ['ops@example.com'] }),
      'alarmEmails applies to the failover of a standby, but standby is not set: set standby: true or drop it'],
  ])('%s is an error', (_name, props, message) => {
    const f = fixture();
    expect(() => build(props(f), f)).toThrow(message);
  });

  test('a route to an adopted interface with the check on is an error', () => {
    const f = fixture();
    const eni = new NetworkInterface(f.stack, 'Checked', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.isolatedSubnets[0]] } });
    const { appliance } = build({ role: ApplianceRole.proxy(), networkInterface: eni, routedSubnets: undefined }, f);
    expect(() => appliance.addRoute('ToProxy', { subnet: f.vpc.isolatedSubnets[1] })).toThrow(
      "addRoute('ToProxy') targets network interface TestStack/Checked, whose source/destination check is on: AWS drops forwarded packets whose source or destination is not the interface itself; create it with sourceDestCheck: false");
  });

  test('a proxy with routed subnets on an adopted interface with the check on is an error', () => {
    const f = fixture();
    const eni = new NetworkInterface(f.stack, 'Checked', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.isolatedSubnets[0]] } });
    expect(() => build({ role: ApplianceRole.proxy(), networkInterface: eni, routedSubnets: { subnets: [f.vpc.isolatedSubnets[1]] } }, f))
      .toThrow("addRoute('PrivateSubnet2Route') targets network interface TestStack/Checked, whose source/destination check is on");
  });

  test.each<[string, (a: RoutingAppliance, f: Fixture) => void, string]>([
    ['neither subnet nor route table', (a) => a.addRoute('X', {}), "addRoute('X') needs exactly one of subnet or routeTableId (got neither)"],
    ['both subnet and route table', (a, f) => a.addRoute('X', { subnet: f.vpc.isolatedSubnets[0], routeTableId: 'rtb-1' }), "addRoute('X') needs exactly one of subnet or routeTableId (got both)"],
    ['the same destination twice', (a) => {
      a.addRoute('A', { routeTableId: 'rtb-1' });
      a.addRoute('B', { routeTableId: 'rtb-1' });
    }, "addRoute('B'): route table rtb-1 already routes 0.0.0.0/0 to this appliance (route 'A'): a route table holds one route per destination"],
    ['a malformed destination', (a) => a.addRoute('X', { routeTableId: 'rtb-1', destinationCidrBlock: 'any' }),
      "destinationCidrBlock 'any' is not an IPv4 CIDR block"],
  ])('addRoute with %s is an error', (_name, act, message) => {
    const { appliance, f } = build({ routedSubnets: undefined });
    expect(() => act(appliance, f)).toThrow(message);
  });

  test.each([false, true])('has no cdk-nag finding and the template is cfn-lint clean (standby: %s)', (standby) => {
    const { f } = build({ standby });
    expect(nagFindings(f.stack)).toEqual([]);
    expect(cfnLintStacks(f.stack)).toEqual('');
  });
});
