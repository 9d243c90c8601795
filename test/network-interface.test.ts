import { Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NetworkInterface, NetworkInterfaceProps } from '../src';
import { importedInstance, testInstance, testStack, testVpc } from './util';

function setup() {
  const stack = testStack();
  const vpc = testVpc(stack);
  const subnet = vpc.isolatedSubnets[0]; // 10.0.2.0/24 in dummy1a
  return { stack, vpc, subnet };
}

function eni(props: Partial<NetworkInterfaceProps> = {}) {
  const { stack, vpc, subnet } = setup();
  const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, ...props });
  return { stack, vpc, subnet, ni, template: () => Template.fromStack(stack) };
}

describe('NetworkInterface defaults', () => {
  test('creates one interface in the selected subnet with a new security group and the construct path as description', () => {
    const { template, stack, subnet } = eni();
    const t = template();
    t.resourceCountIs('AWS::EC2::NetworkInterface', 1);
    t.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    t.hasResourceProperties('AWS::EC2::NetworkInterface', {
      SubnetId: stack.resolve(subnet.subnetId),
      Description: 'TestStack/Eni',
      GroupSet: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^EniSecurityGroup'), 'GroupId'] }],
      PrivateIpAddress: Match.absent(),
      SecondaryPrivateIpAddressCount: Match.absent(),
      SourceDestCheck: Match.absent(),
    });
    t.resourceCountIs('AWS::EC2::NetworkInterfaceAttachment', 0);
    t.resourceCountIs('AWS::EC2::EIP', 0);
    t.resourceCountIs('Custom::AWS', 0);
  });

  test('exposes the id, primary address and Availability Zone', () => {
    const { stack, ni } = eni();
    expect(stack.resolve(ni.networkInterfaceId)).toEqual({ Ref: 'EniB6F840BE' });
    expect(stack.resolve(ni.primaryPrivateIpAddress)).toEqual({ 'Fn::GetAtt': ['EniB6F840BE', 'PrimaryPrivateIpAddress'] });
    expect(ni.availabilityZone).toEqual('dummy1a');
    expect(ni.secondaryPrivateIpAddresses).toEqual([]);
    expect(ni.node.defaultChild).toBe(ni.resource);
  });

  test('the default security group can deny all outbound traffic', () => {
    const { template } = eni({ allowAllOutbound: false });
    template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });
});

describe('NetworkInterface addresses', () => {
  test('fixed primary address', () => {
    const { template } = eni({ privateIpAddress: '10.0.2.10' });
    template().hasResourceProperties('AWS::EC2::NetworkInterface', { PrivateIpAddress: '10.0.2.10' });
  });

  test('a count of secondary addresses is exposed as one token per address', () => {
    const { template, ni, stack } = eni({ secondaryPrivateIpAddressCount: 2 });
    template().hasResourceProperties('AWS::EC2::NetworkInterface', { SecondaryPrivateIpAddressCount: 2 });
    expect(ni.secondaryPrivateIpAddresses).toHaveLength(2);
    expect(stack.resolve(ni.secondaryPrivateIpAddresses[1])).toEqual({
      'Fn::Select': [1, { 'Fn::GetAtt': ['EniB6F840BE', 'SecondaryPrivateIpAddresses'] }],
    });
    expect(ni.privateIpAddresses).toHaveLength(3);
  });

  test('a list of secondary addresses is rendered with exactly one primary entry', () => {
    const { template, ni } = eni({ privateIpAddress: '10.0.2.10', secondaryPrivateIpAddresses: ['10.0.2.11', '10.0.2.12'] });
    template().hasResourceProperties('AWS::EC2::NetworkInterface', {
      PrivateIpAddress: Match.absent(),
      SecondaryPrivateIpAddressCount: Match.absent(),
      PrivateIpAddresses: [
        { Primary: true, PrivateIpAddress: '10.0.2.10' },
        { Primary: false, PrivateIpAddress: '10.0.2.11' },
        { Primary: false, PrivateIpAddress: '10.0.2.12' },
      ],
    });
    expect(ni.secondaryPrivateIpAddresses).toEqual(['10.0.2.11', '10.0.2.12']);
  });

  test.each([
    [{ privateIpAddress: '10.0.9.4' }, /privateIpAddress '10\.0\.9\.4' is outside subnet .* \(10\.0\.2\.0\/24\): choose an address inside the subnet's CIDR/],
    [{ privateIpAddress: '10.0.2.300' }, /privateIpAddress '10\.0\.2\.300' is not an IPv4 address/],
    [{ privateIpAddress: '10.0.2.1' }, /privateIpAddress '10\.0\.2\.1' is reserved by AWS/],
    [{ privateIpAddress: '10.0.2.255' }, /privateIpAddress '10\.0\.2\.255' is reserved by AWS/],
    [{ privateIpAddress: '10.0.2.10', secondaryPrivateIpAddresses: ['10.0.3.11'] }, /secondaryPrivateIpAddresses '10\.0\.3\.11' is outside subnet/],
    [{ privateIpAddress: '10.0.2.10', secondaryPrivateIpAddresses: ['10.0.2.11', '10.0.2.11'] }, /secondaryPrivateIpAddresses '10\.0\.2\.11' is given more than once/],
    [{ privateIpAddress: '10.0.2.10', secondaryPrivateIpAddresses: ['10.0.2.10'] }, /secondaryPrivateIpAddresses '10\.0\.2\.10' is given more than once/],
    [{ secondaryPrivateIpAddressCount: 1, secondaryPrivateIpAddresses: ['10.0.2.11'] }, /secondaryPrivateIpAddressCount \(1\) and secondaryPrivateIpAddresses \(\["10\.0\.2\.11"\]\) are exclusive/],
    [{ secondaryPrivateIpAddresses: ['10.0.2.11'] }, /secondaryPrivateIpAddresses \["10\.0\.2\.11"\] needs privateIpAddress/],
    [{ secondaryPrivateIpAddressCount: -1 }, /secondaryPrivateIpAddressCount -1 is not allowed: use a whole number of 0 or more/],
    [{ secondaryPrivateIpAddressCount: 1.5 }, /secondaryPrivateIpAddressCount 1\.5 is not allowed/],
    [{ description: 'x'.repeat(256) }, /description is 256 characters long \('x{40}\.\.\.'\): AWS allows at most 255/],
    [{ elasticIps: [{}, {}] }, /elasticIps has 2 entries but the interface has 1 private IPv4 address: AWS maps at most one Elastic IP/],
  ])('rejects bad input %j', (props, message) => {
    expect(() => eni(props as Partial<NetworkInterfaceProps>)).toThrow(message);
  });

  test('a description of exactly 255 characters is accepted', () => {
    const { template } = eni({ description: 'd'.repeat(255) });
    template().hasResourceProperties('AWS::EC2::NetworkInterface', { Description: 'd'.repeat(255) });
  });

  test('unresolved tokens are never parsed', () => {
    const { stack, vpc, subnet } = setup();
    const address = new ec2.CfnEIP(stack, 'Any').attrPublicIp; // any string token
    expect(() => new NetworkInterface(stack, 'Eni', {
      vpc,
      vpcSubnets: { subnets: [subnet] },
      privateIpAddress: address,
      description: address,
    })).not.toThrow();
  });

  test('fixed addresses are not checked against an imported subnet whose CIDR is unknown', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] });
    const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'S', { subnetId: 'subnet-1', availabilityZone: 'eu-west-1a' });
    const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, privateIpAddress: '192.168.7.7' });
    expect(ni.availabilityZone).toEqual('eu-west-1a');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::NetworkInterface', { SubnetId: 'subnet-1', PrivateIpAddress: '192.168.7.7' });
  });
});

describe('NetworkInterface subnet selection', () => {
  test('a selection that resolves to several subnets is rejected with the subnets it found', () => {
    const { stack, vpc } = setup();
    expect(() => new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }))
      .toThrow(/vpcSubnets \{"subnetType":"Public"\} of TestStack\/Eni resolves to 2 subnets \[.*\(dummy1a\), .*\(dummy1b\)\]: a network interface lives in exactly one subnet/);
  });

  test('a subnet group narrowed to one Availability Zone is accepted', () => {
    const { stack, vpc } = setup();
    const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC, availabilityZones: ['dummy1b'] } });
    expect(ni.availabilityZone).toEqual('dummy1b');
    expect(ni.subnet).toBe(vpc.publicSubnets[1]);
  });
});

describe('NetworkInterface security groups and flags', () => {
  test('given security groups replace the default one, and groups added later still render', () => {
    const { stack, vpc, subnet } = setup();
    const a = new ec2.SecurityGroup(stack, 'A', { vpc });
    const b = new ec2.SecurityGroup(stack, 'B', { vpc });
    const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, securityGroups: [a] });
    ni.addSecurityGroup(b);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::SecurityGroup', 2);
    t.hasResourceProperties('AWS::EC2::NetworkInterface', {
      GroupSet: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^A'), 'GroupId'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('^B'), 'GroupId'] }],
    });
  });

  test('connections open ports on the interface security group', () => {
    const { ni, template } = eni();
    ni.connections.allowFrom(ec2.Peer.ipv4('10.9.0.0/16'), ec2.Port.tcp(22));
    template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.9.0.0/16', FromPort: 22, ToPort: 22, IpProtocol: 'tcp', Description: Match.anyValue() }],
    });
  });

  test.each([
    ['SSH', ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'tcp 22 from 0.0.0.0/0', 'tcp 22'],
    ['RDP over IPv6', ec2.Peer.anyIpv6(), ec2.Port.tcp(3389), 'tcp 3389 from ::/0', 'tcp 3389'],
    ['a range that covers SSH', ec2.Peer.anyIpv4(), ec2.Port.tcpRange(1, 1024), 'tcp 1-1024 from 0.0.0.0/0', 'tcp 22'],
    ['all traffic', ec2.Peer.anyIpv4(), ec2.Port.allTraffic(), 'all traffic from 0.0.0.0/0', 'tcp 22'],
  ])('%s opened to the internet on the interface fails synth, even when added after construction', (_name, peer, port, rule, admin) => {
    const { ni, stack } = eni();
    ni.connections.allowFrom(peer, port);
    expect(() => Template.fromStack(stack)).toThrow(new RegExp(
      `security group TestStack/Eni/SecurityGroup of network interface TestStack/Eni admits ${rule}, which includes the administration port ${admin}: SSH and admin ports may only be opened to a management network, never to the internet`));
  });

  test('SSH from a private range and HTTPS from the internet are fine; adminPorts adds ports to SSH and RDP', () => {
    const { ni, stack } = eni({ adminPorts: [ec2.Port.tcp(8443)] });
    ni.connections.allowFrom(ec2.Peer.ipv4('10.9.0.0/16'), ec2.Port.tcp(22));
    ni.connections.allowFromAnyIpv4(ec2.Port.tcp(443));
    expect(() => Template.fromStack(stack)).not.toThrow();
    const { ni: other, stack: otherStack } = eni({ adminPorts: [ec2.Port.tcp(8443)] });
    other.connections.allowFromAnyIpv4(ec2.Port.tcp(8443));
    expect(() => Template.fromStack(otherStack)).toThrow(/admits tcp 8443 from 0\.0\.0\.0\/0, which includes the administration port tcp 8443/);
    // SSH stays refused whatever adminPorts says: there is no opting out.
    const { ni: third, stack: thirdStack } = eni({ adminPorts: [] });
    third.connections.allowFromAnyIpv4(ec2.Port.tcp(22));
    expect(() => Template.fromStack(thirdStack)).toThrow(/which includes the administration port tcp 22/);
  });

  test.each([true, false])('sourceDestCheck %s is rendered as given', (flag) => {
    const { template } = eni({ sourceDestCheck: flag });
    template().hasResourceProperties('AWS::EC2::NetworkInterface', { SourceDestCheck: flag });
  });

  test('tags reach the interface', () => {
    const { ni, template } = eni();
    Tags.of(ni).add('Role', 'floating');
    template().hasResourceProperties('AWS::EC2::NetworkInterface', { Tags: [{ Key: 'Role', Value: 'floating' }] });
  });
});

describe('NetworkInterface Elastic IPs', () => {
  test('an Elastic IP on the primary address allocates an EIP and associates it with the primary address', () => {
    const { template, ni, stack } = eni({ elasticIps: [{}] });
    const t = template();
    t.resourceCountIs('AWS::EC2::EIP', 1);
    t.hasResourceProperties('AWS::EC2::EIP', { Domain: 'vpc' });
    t.hasResourceProperties('AWS::EC2::EIPAssociation', {
      AllocationId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EniElasticIp'), 'AllocationId'] },
      NetworkInterfaceId: { Ref: 'EniB6F840BE' },
      PrivateIpAddress: { 'Fn::GetAtt': ['EniB6F840BE', 'PrimaryPrivateIpAddress'] },
    });
    expect(ni.elasticIps).toHaveLength(1);
    const [logicalId, attribute] = stack.resolve(ni.elasticIps[0].publicIp)['Fn::GetAtt'];
    expect(logicalId).toMatch(/^EniElasticIp/);
    expect(attribute).toEqual('PublicIp');
  });

  test('the Elastic IP and its association wait for the internet gateway route of the subnet', () => {
    // AWS refuses an Elastic IP in a VPC whose internet gateway is not attached yet.
    const stack = testStack();
    const vpc = testVpc(stack);
    new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] }, elasticIps: [{}] });
    const t = Template.fromStack(stack);
    const route = stack.getLogicalId(vpc.publicSubnets[0].node.findChild('DefaultRoute') as ec2.CfnRoute);
    for (const type of ['AWS::EC2::EIP', 'AWS::EC2::EIPAssociation']) {
      t.hasResource(type, { DependsOn: Match.arrayWith([route]) });
    }
  });

  test('an Elastic IP per private address, one of them an existing allocation', () => {
    const { ni, template } = eni({ secondaryPrivateIpAddressCount: 2, elasticIps: [{}, { privateAddressIndex: 2, allocationId: 'eipalloc-123' }] });
    const t = template();
    t.resourceCountIs('AWS::EC2::EIP', 1);
    t.resourceCountIs('AWS::EC2::EIPAssociation', 2);
    t.hasResourceProperties('AWS::EC2::EIPAssociation', {
      AllocationId: 'eipalloc-123',
      PrivateIpAddress: { 'Fn::Select': [1, { 'Fn::GetAtt': ['EniB6F840BE', 'SecondaryPrivateIpAddresses'] }] },
    });
    expect(ni.elasticIps.map((e) => e.publicIp === undefined)).toEqual([false, true]);
    ni.addElasticIp({ privateAddressIndex: 1 });
    expect(ni.elasticIps).toHaveLength(3);
  });

  test.each([
    [{ privateAddressIndex: 3 }, /elasticIps: privateAddressIndex 3 does not name a private IPv4 address of this interface, which has 2/],
    [{ privateAddressIndex: -1 }, /privateAddressIndex -1 does not name a private IPv4 address/],
  ])('rejects an Elastic IP for an address the interface does not have (%j)', (opts, message) => {
    const { ni } = eni({ secondaryPrivateIpAddressCount: 1 });
    expect(() => ni.addElasticIp(opts)).toThrow(message);
  });

  test('rejects a second Elastic IP on the same private address', () => {
    const { ni } = eni({ secondaryPrivateIpAddressCount: 1, elasticIps: [{ privateAddressIndex: 1 }] });
    expect(() => ni.addElasticIp({ privateAddressIndex: 1 })).toThrow(/private address index 1 already has an Elastic IP: AWS maps at most one Elastic IP to each private IPv4 address/);
  });
});

describe('NetworkInterface IPv6', () => {
  function dualStack() {
    const stack = testStack();
    const vpc = testVpc(stack, 'Vpc', { ipProtocol: ec2.IpProtocol.DUAL_STACK });
    return { stack, vpc, subnet: vpc.isolatedSubnets[0] };
  }

  test('a count of IPv6 addresses on a dual-stack subnet', () => {
    const { stack, vpc, subnet } = dualStack();
    new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, ipv6AddressCount: 2 });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::NetworkInterface', { Ipv6AddressCount: 2 });
  });

  test('fixed IPv6 addresses are rendered and exposed without a lookup', () => {
    const { stack, vpc, subnet } = dualStack();
    const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, ipv6Addresses: ['2001:db8::10'] });
    expect(ni.ipv6Addresses).toEqual(['2001:db8::10']);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::NetworkInterface', { Ipv6Addresses: [{ Ipv6Address: '2001:db8::10' }] });
    t.resourceCountIs('Custom::AWS', 0);
  });

  test('IPv6 addresses assigned by count are read by a lookup created on first use', () => {
    const { stack, vpc, subnet } = dualStack();
    const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, ipv6AddressCount: 2 });
    expect(ni.node.tryFindChild('Lookup')).toBeUndefined();
    const addresses = ni.ipv6Addresses;
    expect(addresses).toHaveLength(2);
    expect(stack.resolve(addresses[1])['Fn::GetAtt'][1]).toEqual('NetworkInterfaces.0.Ipv6Addresses.1.Ipv6Address');
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::AWS', 1);
    expect(JSON.stringify(Object.values(t.findResources('Custom::AWS'))[0].Properties.Create)).toContain('NetworkInterfaces.0.Ipv6Addresses.1.Ipv6Address');
  });

  test.each([
    [{ ipv6AddressCount: 1 }, /ipv6AddressCount 1 asks for IPv6 on subnet .*, which has no IPv6 CIDR block/],
    [{ ipv6Addresses: ['2001:db8::1'] }, /ipv6Addresses \["2001:db8::1"\] asks for IPv6 on subnet .*, which has no IPv6 CIDR block/],
  ])('IPv6 on a subnet without IPv6 is rejected (%j)', (props, message) => {
    expect(() => eni(props)).toThrow(message);
  });

  test('IPv6 on an imported subnet (unknown IPv6) is not rejected', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] });
    const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'S', { subnetId: 'subnet-1', availabilityZone: 'eu-west-1a' });
    expect(() => new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, ipv6AddressCount: 1 })).not.toThrow();
  });

  test.each([
    [{ ipv6AddressCount: 1, ipv6Addresses: ['2001:db8::1'] }, /ipv6AddressCount \(1\) and ipv6Addresses \(\["2001:db8::1"\]\) are exclusive/],
    [{ ipv6Addresses: ['2001:db8::1', '2001:0db8:0:0::1'] }, /ipv6Addresses '2001:0db8:0:0::1' is given more than once/],
    [{ ipv6Addresses: ['not-an-ip'] }, /ipv6Addresses 'not-an-ip' is not an IPv6 address/],
    [{ ipv6AddressCount: -2 }, /ipv6AddressCount -2 is not allowed/],
  ])('rejects bad IPv6 input %j', (props, message) => {
    const { stack, vpc, subnet } = dualStack();
    expect(() => new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, ...props })).toThrow(message);
  });

  test('a fixed IPv6 address outside a fixed subnet IPv6 block is rejected', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    const cfn = vpc.isolatedSubnets[0].node.defaultChild as ec2.CfnSubnet;
    cfn.ipv6CidrBlock = '2001:db8:1:2::/64';
    expect(() => new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] }, ipv6Addresses: ['2001:db8:1:3::5'] }))
      .toThrow(/ipv6Addresses '2001:db8:1:3::5' is outside subnet .* \(2001:db8:1:2::\/64\)/);
    expect(() => new NetworkInterface(stack, 'Eni2', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] }, ipv6Addresses: ['2001:db8:1:2::5'] })).not.toThrow();
  });
});

describe('NetworkInterface MAC address', () => {
  test('no lookup resource unless macAddress is read', () => {
    const { template } = eni();
    template().resourceCountIs('Custom::AWS', 0);
  });

  test('reading macAddress adds one DescribeNetworkInterfaces lookup, shared by later reads', () => {
    const { ni, template, stack } = eni();
    const mac = ni.macAddress;
    expect(ni.macAddress).toEqual(mac);
    const [logicalId, attribute] = stack.resolve(mac)['Fn::GetAtt'];
    expect(logicalId).toMatch(/^EniLookup/);
    expect(attribute).toEqual('NetworkInterfaces.0.MacAddress');
    const t = template();
    t.resourceCountIs('Custom::AWS', 1);
    const lookup = Object.values(t.findResources('Custom::AWS'))[0];
    expect(JSON.stringify(lookup.Properties.Create)).toContain('describeNetworkInterfaces');
    expect(JSON.stringify(lookup.Properties.Create)).toContain('NetworkInterfaces.0.MacAddress');
  });
});

describe('NetworkInterface static attachment', () => {
  function withInstance(instanceType = 't3.micro') {
    const ctx = eni();
    const instance = testInstance(ctx.stack, 'Web', ctx.vpc, ctx.subnet, instanceType);
    return { ...ctx, instance };
  }

  test('attaches at device index 1 without delete-on-termination by default', () => {
    const { ni, instance, template } = withInstance();
    ni.attachToInstance(instance);
    template().hasResourceProperties('AWS::EC2::NetworkInterfaceAttachment', {
      DeviceIndex: '1',
      DeleteOnTermination: false,
      InstanceId: { Ref: Match.stringLikeRegexp('^Web') },
      NetworkInterfaceId: { Ref: 'EniB6F840BE' },
    });
  });

  test('device index and delete-on-termination are configurable', () => {
    const { ni, instance, template } = withInstance('t3.large');
    ni.attachToInstance(instance, { deviceIndex: 2, deleteOnTermination: true });
    template().hasResourceProperties('AWS::EC2::NetworkInterfaceAttachment', { DeviceIndex: '2', DeleteOnTermination: true });
  });

  test.each([0, -1, 1.5])('device index %p is rejected', (deviceIndex) => {
    const { ni, instance } = withInstance();
    expect(() => ni.attachToInstance(instance, { deviceIndex })).toThrow(new RegExp(`deviceIndex ${String(deviceIndex).replace('.', '\\.')} is not allowed: index 0 is the instance's primary network interface`));
  });

  test('a device index already used on the instance is rejected and names the holder', () => {
    const { ni, instance, stack, vpc, subnet } = withInstance('t3.large');
    ni.attachToInstance(instance, { deviceIndex: 1 });
    const other = new NetworkInterface(stack, 'Other', { vpc, vpcSubnets: { subnets: [subnet] } });
    expect(() => other.attachToInstance(instance, { deviceIndex: 1 })).toThrow(/deviceIndex 1 is already used on TestStack\/Web by TestStack\/Eni: choose a free index \(in use: 0, 1\)/);
  });

  test('an interface cannot be attached twice', () => {
    const { ni, instance, stack, vpc, subnet } = withInstance('t3.large');
    ni.attachToInstance(instance);
    const second = testInstance(stack, 'Second', vpc, subnet);
    expect(() => ni.attachToInstance(second)).toThrow(/TestStack\/Eni is already attached to TestStack\/Web: a network interface can be attached to one instance at a time/);
  });

  test('an instance in another Availability Zone is rejected', () => {
    const { ni, stack, vpc } = withInstance();
    const far = testInstance(stack, 'Far', vpc, vpc.isolatedSubnets[1]);
    expect(() => ni.attachToInstance(far)).toThrow(/cannot attach TestStack\/Eni \(subnet in dummy1a\) to TestStack\/Far in dummy1b: a network interface can only be attached to an instance in the same Availability Zone/);
  });

  test('more interfaces than the instance type allows is rejected', () => {
    const { ni, instance, stack, vpc, subnet } = withInstance('t3.micro'); // 2 interfaces
    ni.attachToInstance(instance, { deviceIndex: 1 });
    const third = new NetworkInterface(stack, 'Third', { vpc, vpcSubnets: { subnets: [subnet] } });
    expect(() => third.attachToInstance(instance, { deviceIndex: 2 })).toThrow(/instance type 't3\.micro' supports at most 2 network interfaces, but 3 are attached to TestStack\/Web \(device indexes 0, 1, 2\)/);
  });

  test('more addresses on the interface than the instance type allows is rejected', () => {
    const { stack, vpc, subnet } = setup();
    const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, secondaryPrivateIpAddressCount: 2 });
    const instance = testInstance(stack, 'Web', vpc, subnet, 't3.micro'); // 2 IPv4 per interface
    expect(() => ni.attachToInstance(instance)).toThrow(/instance type 't3\.micro' supports at most 2 private IPv4 addresses per network interface, but 3 are assigned to TestStack\/Eni/);
  });

  test('more IPv6 addresses on the interface than the instance type allows is rejected', () => {
    const stack = testStack();
    const vpc = testVpc(stack, 'Vpc', { ipProtocol: ec2.IpProtocol.DUAL_STACK });
    const subnet = vpc.isolatedSubnets[0];
    const ni = new NetworkInterface(stack, 'Eni', { vpc, vpcSubnets: { subnets: [subnet] }, ipv6AddressCount: 3 });
    const instance = testInstance(stack, 'Web', vpc, subnet, 't3.micro'); // 2 IPv6 per interface
    expect(() => ni.attachToInstance(instance)).toThrow(/instance type 't3\.micro' supports at most 2 IPv6 addresses per network interface, but 3 are assigned to TestStack\/Eni/);
  });

  test('an unknown instance type warns and attaches', () => {
    const { ni, stack, vpc, subnet } = withInstance();
    const odd = testInstance(stack, 'Odd', vpc, subnet, 'x9z.mega');
    ni.attachToInstance(odd);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('x9z\\.mega'));
  });

  test('an imported instance is checked against the instance type given in the options', () => {
    const { ni, stack } = withInstance();
    const imported = importedInstance(stack, 'i-123', 'dummy1a');
    ni.attachToInstance(imported, { instanceType: new ec2.InstanceType('t3.large') });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::NetworkInterfaceAttachment', { InstanceId: 'i-123' });
  });
});

describe('NetworkInterface grants and import', () => {
  test('grantAttach and grantDetach are scoped to the interface and instance ARNs', () => {
    const { ni, stack, vpc, subnet } = eni();
    const instance = testInstance(stack, 'Web', vpc, subnet);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ni.grantAttach(role, instance);
    ni.grantDetach(role, instance);
    const eniArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:network-interface/', { Ref: 'EniB6F840BE' }]] };
    const instanceArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:instance/', { Ref: Match.stringLikeRegexp('^Web') }]] };
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'ec2:AttachNetworkInterface', Effect: 'Allow', Resource: [eniArn, instanceArn] },
          { Action: 'ec2:DetachNetworkInterface', Effect: 'Allow', Resource: [eniArn, instanceArn] },
        ],
      },
    });
  });

  test('grantAttach without instances is refused rather than widened', () => {
    const { ni, stack } = eni();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => ni.grantAttach(role)).toThrow(/ec2:AttachNetworkInterface needs the instances it may act on/);
  });

  test('grantModify is scoped to the interface ARN', () => {
    const { ni, stack } = eni();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ni.grantModify(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Action: Match.arrayWith(['ec2:ModifyNetworkInterfaceAttribute', 'ec2:AssignPrivateIpAddresses']),
          Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
        })],
      },
    });
  });

  test('an imported interface keeps its attributes, connections and grants', () => {
    const stack = testStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-1', { mutable: true });
    const ni = NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Imp', {
      networkInterfaceId: 'eni-0abc',
      securityGroups: [sg],
      primaryPrivateIpAddress: '10.0.2.50',
      availabilityZone: 'eu-west-1a',
    });
    expect(ni.networkInterfaceId).toEqual('eni-0abc');
    expect(ni.primaryPrivateIpAddress).toEqual('10.0.2.50');
    expect(ni.availabilityZone).toEqual('eu-west-1a');
    expect(stack.resolve(ni.networkInterfaceArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:network-interface/eni-0abc']],
    });
    ni.connections.allowFrom(ec2.Peer.ipv4('10.9.0.0/16'), ec2.Port.tcp(443));
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-1', FromPort: 443 });
  });

  test('an imported interface without its primary address says which attribute is missing', () => {
    const stack = testStack();
    const ni = NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Imp', { networkInterfaceId: 'eni-0abc' });
    expect(() => ni.primaryPrivateIpAddress).toThrow(/primaryPrivateIpAddress of the imported network interface eni-0abc is unknown/);
  });
});
