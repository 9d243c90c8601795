import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, CfnParameter, Lazy, Size, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { DualHomedExampleStack } from '../examples/dual-homed';
import { DualHomedFleet, DualHomedInstance, DualHomedInstanceProps, DualHomedOs, NetworkInterface } from '../src';
import { cfnLintTemplate } from './compliance';
import { testApp, testStack, testVpc } from './util';

const UBUNTU_2404 = '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id';
const UBUNTU_2204 = '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id';
const AL2023 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const ADMIN_CIDR = '10.0.2.0/24';

function setup(app?: App) {
  const stack = testStack(app);
  const vpc = testVpc(stack);
  return { stack, vpc };
}

/** A dual-homed instance in dummy1a: public 10.0.0.0/24, management 10.0.2.0/24. */
function host(props: Partial<DualHomedInstanceProps> = {}, app?: App) {
  const { stack, vpc } = setup(app);
  const h = new DualHomedInstance(stack, 'Host', {
    vpc,
    publicSubnet: { subnets: [vpc.publicSubnets[0]] },
    managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
    ...props,
  });
  return { stack, vpc, h, template: () => Template.fromStack(stack) };
}

function userDataText(h: DualHomedInstance): string {
  return h.userData.render();
}

describe('DualHomedInstance launch', () => {
  test('launches with the public interface at device index 0 and the management interface at index 1', () => {
    const { template, stack, h } = host();
    const t = template();
    t.resourceCountIs('AWS::EC2::Instance', 1);
    t.resourceCountIs('AWS::EC2::NetworkInterface', 2);
    t.resourceCountIs('AWS::EC2::NetworkInterfaceAttachment', 0);
    t.hasResourceProperties('AWS::EC2::Instance', {
      NetworkInterfaces: [
        { DeviceIndex: '0', NetworkInterfaceId: stack.resolve(h.publicInterface.networkInterfaceId) },
        { DeviceIndex: '1', NetworkInterfaceId: stack.resolve(h.managementInterface.networkInterfaceId) },
      ],
      SubnetId: Match.absent(),
      SecurityGroupIds: Match.absent(),
      AvailabilityZone: Match.absent(),
    });
    expect(h.instanceAvailabilityZone).toBe('dummy1a');
  });

  test('never asks for an automatic public IP, which AWS refuses with two interfaces', () => {
    const { template } = host();
    const instance = Object.values(template().findResources('AWS::EC2::Instance'))[0];
    expect(JSON.stringify(instance)).not.toContain('AssociatePublicIpAddress');
  });

  test('the interfaces sit in the selected subnets', () => {
    const { template, stack, vpc } = host();
    template().hasResourceProperties('AWS::EC2::NetworkInterface', {
      SubnetId: stack.resolve(vpc.publicSubnets[0].subnetId),
      Description: 'TestStack/Host public interface (device index 0)',
    });
    template().hasResourceProperties('AWS::EC2::NetworkInterface', {
      SubnetId: stack.resolve(vpc.isolatedSubnets[0].subnetId),
      Description: 'TestStack/Host management interface (device index 1)',
    });
  });

  test('secure defaults: IMDSv2 required, encrypted gp3 root volume, no detailed monitoring, no termination protection', () => {
    const { template } = host();
    template().hasResourceProperties('AWS::EC2::Instance', {
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 16, DeleteOnTermination: true } }],
      Monitoring: false,
      DisableApiTermination: false,
      KeyName: Match.absent(),
    });
  });

  test('an Elastic IP on the public interface gives the public address, after the internet gateway route exists', () => {
    const { template, stack, h } = host();
    const t = template();
    t.resourceCountIs('AWS::EC2::EIP', 1);
    t.hasResource('AWS::EC2::EIPAssociation', {
      Properties: { NetworkInterfaceId: stack.resolve(h.publicInterface.networkInterfaceId) },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^VpcPublicSubnet1DefaultRoute')]),
    });
    const eipId = Object.keys(t.findResources('AWS::EC2::EIP'))[0];
    expect(stack.resolve(h.instancePublicIp)).toEqual({ 'Fn::GetAtt': [eipId, 'PublicIp'] });
  });

  test('the public security group admits nothing by default; the management group admits SSH from the management peers only and sends nothing', () => {
    const { template, stack, h } = host();
    const t = template();
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Host public interface: service ports',
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Host management interface: SSH and admin ports',
      SecurityGroupIngress: [{ CidrIp: ADMIN_CIDR, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Description: 'administration 22' }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    expect(h.connections).toBe(h.publicInterface.connections);
    expect(h.managementConnections).toBe(h.managementInterface.connections);
    const groupId = (c: ec2.Connections) => stack.resolve(c.securityGroups[0].securityGroupId);
    expect(groupId(h.connections)).not.toEqual(groupId(h.managementConnections));
  });

  test('is usable as an ec2.IInstance: id, Availability Zone, private IP, role', () => {
    const { stack, h } = host();
    const asInstance: ec2.IInstance = h;
    expect(stack.resolve(asInstance.instanceId)).toEqual({ Ref: stack.resolve(h.instance.instanceId).Ref });
    expect(asInstance.instanceAvailabilityZone).toBe('dummy1a');
    expect(stack.resolve(asInstance.instancePrivateIp)).toEqual(stack.resolve(h.instance.instancePrivateIp));
    expect(stack.resolve(h.managementPrivateIp)).toEqual(stack.resolve(h.managementInterface.primaryPrivateIpAddress));
    expect(h.role).toBe(h.instance.role);
    expect(asInstance.grantPrincipal).toBe(h.role);
    expect(stack.resolve(h.instanceRef.instanceId)).toEqual(stack.resolve(h.instanceId));
    expect(h.node.defaultChild).toBe(h.instance.node.defaultChild);
    expect(h.operatingSystem).toBe(DualHomedOs.AMAZON_LINUX_2023);
  });

  test('grants on the instance go to its role', () => {
    const { template, h } = host();
    h.publicInterface.grantModify(h);
    template().hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^HostInstanceInstanceRole') }],
    });
  });
});

describe('DualHomedInstance device indexes', () => {
  test.each(['construct', 'ec2.Instance'])('a static attachment at device index 1 of the %s collides with the management interface', (target) => {
    const { stack, vpc, h } = host({ instanceType: new ec2.InstanceType('t3.large') });
    const extra = new NetworkInterface(stack, 'Extra', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] } });
    expect(() => extra.attachToInstance(target === 'construct' ? h : h.instance, { deviceIndex: 1 }))
      .toThrow(/deviceIndex 1 is already used on TestStack\/Host.* by TestStack\/Host\/ManagementInterface/);
  });

  test('a third interface fits a t3.large at device index 2', () => {
    const { stack, vpc, h } = host({ instanceType: new ec2.InstanceType('t3.large') });
    const extra = new NetworkInterface(stack, 'Extra', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] } });
    extra.attachToInstance(h, { deviceIndex: 2 });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::NetworkInterfaceAttachment', { DeviceIndex: '2' });
  });

  test('a third interface exceeds the two interfaces of a t3.micro', () => {
    const { stack, vpc, h } = host();
    const extra = new NetworkInterface(stack, 'Extra', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] } });
    expect(() => extra.attachToInstance(h, { deviceIndex: 2 })).toThrow(/instance type 't3.micro' supports at most 2 network interfaces, but 3 are attached/);
  });

  test('an instance type the limits table does not know is reported as a warning', () => {
    // p5 has several network cards, so it is deliberately not in the table.
    const { stack } = host({ instanceType: new ec2.InstanceType('p5.48xlarge') });
    Annotations.fromStack(stack).hasWarning('/TestStack/Host', Match.stringLikeRegexp('p5\\.48xlarge'));
  });
});

describe('DualHomedInstance props', () => {
  test('service ports are admitted from anywhere by default, from servicePeers when given', () => {
    const a = host({ servicePorts: [ec2.Port.tcp(80), ec2.Port.tcp(443)] });
    a.template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Host public interface: service ports',
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      ],
    });
    const b = host({ servicePorts: [ec2.Port.tcp(443)], servicePeers: [ec2.Peer.ipv4('198.51.100.0/24'), ec2.Peer.anyIpv6()] });
    b.template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Host public interface: service ports',
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '198.51.100.0/24', FromPort: 443 }),
        Match.objectLike({ CidrIpv6: '::/0', FromPort: 443 }),
      ],
    });
  });

  test('admin ports and a custom SSH port are admitted from every management peer', () => {
    const { template, h } = host({
      sshPort: 2222,
      adminPorts: [ec2.Port.tcp(9100)],
      managementPeers: [ec2.Peer.ipv4('10.0.2.0/24'), ec2.Peer.prefixList('pl-0123456789abcdef0')],
    });
    const t = template();
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Host management interface: SSH and admin ports',
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.2.0/24', FromPort: 2222, ToPort: 2222 }),
        Match.objectLike({ CidrIp: '10.0.2.0/24', FromPort: 9100, ToPort: 9100 }),
      ],
    });
    for (const port of [2222, 9100]) {
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HostManagementSecurityGroup'), 'GroupId'] },
        SourcePrefixListId: 'pl-0123456789abcdef0',
        FromPort: port,
      });
    }
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
    expect(userDataText(h)).toContain('readonly SSH_PORT=2222');
  });

  test('a management security group as peer admits SSH from it', () => {
    const { stack, vpc } = setup();
    const bastion = new ec2.SecurityGroup(stack, 'Bastion', { vpc });
    new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [bastion],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: stack.resolve(bastion.securityGroupId),
      FromPort: 22,
      ToPort: 22,
    });
  });

  test('elasticIp false creates no Elastic IP', () => {
    const { template, h, stack } = host({ elasticIp: false });
    template().resourceCountIs('AWS::EC2::EIP', 0);
    template().resourceCountIs('AWS::EC2::EIPAssociation', 0);
    expect(stack.resolve(h.instancePublicIp)).toEqual(stack.resolve(h.instance.instancePublicIp));
  });

  test.each([
    ['t3.micro', 1],
    ['t3.large', 11],
  ])('secondary public addresses within the limit of a %s (%d)', (type, count) => {
    const { template, h } = host({ instanceType: new ec2.InstanceType(type), secondaryPublicAddressCount: count });
    template().hasResourceProperties('AWS::EC2::NetworkInterface', {
      Description: 'TestStack/Host public interface (device index 0)',
      SecondaryPrivateIpAddressCount: count,
    });
    expect(h.publicInterface.privateIpAddresses).toHaveLength(count + 1);
  });

  test('allowAllOutbound false closes the default public security group', () => {
    const { template } = host({ allowAllOutbound: false });
    template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Host public interface: service ports',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('given security groups are used instead of new ones and get the rules', () => {
    const { stack, vpc } = setup();
    const pub = new ec2.SecurityGroup(stack, 'Pub', { vpc });
    const mgmt = new ec2.SecurityGroup(stack, 'Mgmt', { vpc, allowAllOutbound: false });
    const h = new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
      servicePorts: [ec2.Port.tcp(443)],
      publicSecurityGroup: pub,
      managementSecurityGroup: mgmt,
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::SecurityGroup', 2);
    expect(h.connections.securityGroups).toEqual([pub]);
    expect(h.managementConnections.securityGroups).toEqual([mgmt]);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Pub',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443 })],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Mgmt',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: ADMIN_CIDR, FromPort: 22 })],
    });
  });

  test.each([
    ['addSecurityGroup on the construct', (h: DualHomedInstance, sg: ec2.ISecurityGroup) => h.addSecurityGroup(sg)],
    ['addSecurityGroup on the ec2.Instance', (h: DualHomedInstance, sg: ec2.ISecurityGroup) => h.instance.addSecurityGroup(sg)],
    ['the ec2.Instance connections', (h: DualHomedInstance, sg: ec2.ISecurityGroup) => h.instance.connections.addSecurityGroup(sg)],
  ])('a security group added through %s lands on the public interface', (_name, add) => {
    const { stack, vpc, h, template } = host();
    const extra = new ec2.SecurityGroup(stack, 'Extra', { vpc });
    add(h, extra);
    template().hasResourceProperties('AWS::EC2::NetworkInterface', {
      Description: 'TestStack/Host public interface (device index 0)',
      GroupSet: [
        { 'Fn::GetAtt': [Match.stringLikeRegexp('^HostPublicSecurityGroup'), 'GroupId'] },
        stack.resolve(extra.securityGroupId),
      ],
    });
  });

  test('addManagementSecurityGroup adds to the management interface only', () => {
    const { stack, vpc, h, template } = host();
    const extra = new ec2.SecurityGroup(stack, 'Extra', { vpc });
    h.addManagementSecurityGroup(extra);
    template().hasResourceProperties('AWS::EC2::NetworkInterface', {
      Description: 'TestStack/Host management interface (device index 1)',
      GroupSet: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^HostManagementSecurityGroup'), 'GroupId'] }, stack.resolve(extra.securityGroupId)],
    });
  });

  test('a given role is used and ssmManagedInstance adds Session Manager access to it', () => {
    const { stack, vpc } = setup();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const h = new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [],
      role,
      ssmManagedInstance: true,
    });
    expect(h.role).toBe(role);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::Role', 1);
    t.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
    // Session Manager is a way in: no warning about an unreachable management interface.
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Host', Match.stringLikeRegexp('managementPeers is empty'));
    // The SSM agent reaches endpoints in its own management subnet through the management interface.
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Host management interface: SSH and admin ports',
      SecurityGroupEgress: [{ CidrIp: '10.0.2.0/24', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'Session Manager endpoints in the management subnet' }],
    });
  });

  test('Session Manager is off by default', () => {
    const { template } = host();
    template().hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('no management peers and no Session Manager is reported as a warning', () => {
    const { stack } = host({ managementPeers: [] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Host', Match.stringLikeRegexp('managementPeers is empty and ssmManagedInstance is off'));
  });

  test.each([
    [{ detailedMonitoring: true }, { Monitoring: true }],
    [{ terminationProtection: true }, { DisableApiTermination: true }],
    [
      { rootVolumeSize: Size.gibibytes(40) },
      { BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: 40, Encrypted: true }) })] },
    ],
  ])('%j is rendered on the instance', (props, expected) => {
    host(props as Partial<DualHomedInstanceProps>).template().hasResourceProperties('AWS::EC2::Instance', expected);
  });

  test('a key pair is passed to the instance', () => {
    const { stack, vpc } = setup();
    const keyPair = ec2.KeyPair.fromKeyPairName(stack, 'Key', 'admin-key');
    new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
      keyPair,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', { KeyName: 'admin-key' });
  });

  test('userDataCommands run after the network configuration, and later additions after them', () => {
    const { h } = host({ userDataCommands: ['dnf install -y nginx'] });
    h.userData.addCommands('systemctl enable --now nginx');
    const text = userDataText(h);
    const configured = text.indexOf('/usr/local/sbin/dual-homed-setup; then');
    expect(configured).toBeGreaterThan(0);
    expect(text.indexOf('dnf install -y nginx')).toBeGreaterThan(configured);
    expect(text.indexOf('systemctl enable --now nginx')).toBeGreaterThan(text.indexOf('dnf install -y nginx'));
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
  });

  test('availabilityZone picks one subnet from selections that span zones', () => {
    const { stack, vpc } = setup();
    const h = new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnetType: ec2.SubnetType.PUBLIC },
      managementSubnet: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      availabilityZone: 'dummy1b',
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4('10.0.3.0/24')],
    });
    expect(h.publicInterface.subnet).toBe(vpc.publicSubnets[1]);
    expect(h.managementInterface.subnet).toBe(vpc.isolatedSubnets[1]);
    expect(h.instanceAvailabilityZone).toBe('dummy1b');
  });

  test('works with a VPC imported by attributes and explicit subnets', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a'],
      publicSubnetIds: ['subnet-pub'],
      isolatedSubnetIds: ['subnet-mgmt'],
    });
    const h = new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnetType: ec2.SubnetType.PUBLIC },
      managementSubnet: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4('10.20.0.0/24')],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::NetworkInterface', { SubnetId: 'subnet-pub' });
    t.hasResourceProperties('AWS::EC2::NetworkInterface', { SubnetId: 'subnet-mgmt' });
    expect(h.publicInterface.availabilityZone).toBe('eu-west-1a');
  });
});

describe('DualHomedInstance operating system', () => {
  test.each([
    ['latestAmazonLinux2023()', () => ec2.MachineImage.latestAmazonLinux2023(), DualHomedOs.AMAZON_LINUX_2023, '/dev/xvda'],
    ['an AL2023 SSM parameter', () => ec2.MachineImage.fromSsmParameter('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64'), DualHomedOs.AMAZON_LINUX_2023, '/dev/xvda'],
    ['the Ubuntu 24.04 SSM parameter', () => ec2.MachineImage.fromSsmParameter(UBUNTU_2404), DualHomedOs.UBUNTU_24_04, '/dev/sda1'],
    ['the Ubuntu 22.04 SSM parameter resolved at launch', () => ec2.MachineImage.resolveSsmParameterAtLaunch(UBUNTU_2204), DualHomedOs.UBUNTU_22_04, '/dev/sda1'],
    ['the Ubuntu noble codename', () => ec2.MachineImage.fromSsmParameter('/aws/service/canonical/ubuntu/server/noble/stable/current/arm64/hvm/ebs-gp3/ami-id'), DualHomedOs.UBUNTU_24_04, '/dev/sda1'],
  ])('detects the distribution from %s', (_name, image, os, rootDevice) => {
    const { h, template } = host({ machineImage: image() });
    expect(h.operatingSystem).toBe(os);
    template().hasResourceProperties('AWS::EC2::Instance', { BlockDeviceMappings: [Match.objectLike({ DeviceName: rootDevice })] });
    const text = userDataText(h);
    if (os === DualHomedOs.AMAZON_LINUX_2023) {
      expect(text).toContain('rpm -q amazon-ec2-net-utils');
      expect(text).not.toContain('netplan');
    } else {
      expect(text).toContain('netplan apply');
      expect(text).toContain('ssh.socket');
    }
  });

  /** An image whose AMI ID is a CloudFormation parameter (type SSM parameter value) with a default SSM path. */
  class ParameterImage implements ec2.IMachineImage {
    constructor(private readonly imageId: (scope: Construct) => string) {}

    public getImage(scope: Construct): ec2.MachineImageConfig {
      return { imageId: this.imageId(scope), osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() };
    }
  }

  /** The parameter `Images/<id>` of the scope's stack, created on first use. */
  function imageParameter(scope: Construct, id: string, parameterName: string): CfnParameter {
    const stack = Stack.of(scope);
    const group = stack.node.tryFindChild('Images') as Construct | undefined ?? new Construct(stack, 'Images');
    return group.node.tryFindChild(id) as CfnParameter | undefined
      ?? new CfnParameter(group, id, { type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', default: parameterName });
  }

  test.each([
    ['ssm.StringParameter.valueForStringParameter()', (scope: Construct) => ssm.StringParameter.valueForStringParameter(scope, UBUNTU_2404), DualHomedOs.UBUNTU_24_04],
    ['a parameter nested in a construct', (scope: Construct) => imageParameter(scope, 'Al2023', AL2023).valueAsString, DualHomedOs.AMAZON_LINUX_2023],
    ['a parameter behind a lazy value', (scope: Construct) => {
      const parameter = imageParameter(scope, 'Ubuntu2204', UBUNTU_2204);
      return Lazy.string({ produce: () => parameter.valueAsString });
    }, DualHomedOs.UBUNTU_22_04],
  ])('detects the distribution from the default of the CloudFormation parameter an image refers to: %s', (_name, imageId, os) => {
    const { h, template } = host({ machineImage: new ParameterImage(imageId) });
    expect(h.operatingSystem).toBe(os);
    const parameters = template().findParameters('*', { Default: Match.stringLikeRegexp('^/aws/service/') });
    expect(Object.keys(parameters)).toHaveLength(1);
    template().hasResourceProperties('AWS::EC2::Instance', { ImageId: { Ref: Object.keys(parameters)[0] } });
  });

  test('an image read from a parameter of another stack needs operatingSystem', () => {
    const app = testApp();
    const other = new Stack(app, 'Images', { env: { account: '123456789012', region: 'us-east-1' } });
    const parameter = imageParameter(other, 'Al2023', AL2023);
    expect(() => host({ machineImage: new ParameterImage(() => parameter.valueAsString) }, app))
      .toThrow(/cannot tell the operating system of machineImage \(ParameterImage\) of TestStack\/Host: set operatingSystem/);
  });

  test('operatingSystem overrides detection for an image that cannot be recognised', () => {
    const { h } = host({ machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' }), operatingSystem: DualHomedOs.UBUNTU_22_04 });
    expect(h.operatingSystem).toBe(DualHomedOs.UBUNTU_22_04);
    expect(userDataText(h)).toContain('(Ubuntu 22.04)');
  });

  test('an image that cannot be recognised needs operatingSystem', () => {
    expect(() => host({ machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' }) }))
      .toThrow(/cannot tell the operating system of machineImage \(GenericLinuxImage\) of TestStack\/Host: set operatingSystem to DualHomedOs.AMAZON_LINUX_2023, DualHomedOs.UBUNTU_22_04 or DualHomedOs.UBUNTU_24_04/);
    expect(() => host({ machineImage: ec2.MachineImage.fromSsmParameter('/aws/service/debian/release/12/latest/amd64') }))
      .toThrow(/cannot tell the operating system of machineImage \(SSM parameter '\/aws\/service\/debian\/release\/12\/latest\/amd64'\)/);
  });

  test('a Windows image is refused', () => {
    const windows = ec2.MachineImage.latestWindows(ec2.WindowsVersion.WINDOWS_SERVER_2022_ENGLISH_FULL_BASE);
    expect(() => host({ machineImage: windows, operatingSystem: DualHomedOs.UBUNTU_24_04 }))
      .toThrow(/machineImage of TestStack\/Host is a WINDOWS image: DualHomedInstance configures Amazon Linux 2023 and Ubuntu 22.04\/24.04 only/);
  });

  test('the rendered user data passes shellcheck', () => {
    for (const machineImage of [ec2.MachineImage.latestAmazonLinux2023(), ec2.MachineImage.fromSsmParameter(UBUNTU_2404)]) {
      const { h } = host({ machineImage, userDataCommands: ['echo "application setup"'] });
      const dir = mkdtempSync(join(tmpdir(), 'dual-homed-'));
      const file = join(dir, 'user-data.sh');
      writeFileSync(file, userDataText(h));
      expect(execFileSync('/usr/bin/shellcheck', ['-s', 'bash', file], { encoding: 'utf8' })).toBe('');
    }
  });
});

describe('DualHomedInstance bad input', () => {
  test('a selection with several subnets and no availabilityZone is refused', () => {
    expect(() => host({ publicSubnet: { subnetType: ec2.SubnetType.PUBLIC } }))
      .toThrow(/publicSubnet of TestStack\/Host resolves to 2 subnets \[.*\(dummy1a\), .*\(dummy1b\)\]: a dual-homed instance has one interface per subnet; select exactly one subnet/);
  });

  test('an availabilityZone without a subnet in a selection is refused', () => {
    expect(() => host({ availabilityZone: 'dummy1b' }))
      .toThrow(/publicSubnet of TestStack\/Host resolves to 0 subnets in dummy1b/);
  });

  test('subnets in different Availability Zones are refused', () => {
    const { stack, vpc } = setup();
    expect(() => new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[1]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
    })).toThrow(/publicSubnet TestStack\/Vpc\/PublicSubnet1 is in dummy1a but managementSubnet TestStack\/Vpc\/PrivateSubnet2 is in dummy1b: both interfaces of an instance must be in one Availability Zone/);
  });

  test('the same subnet for both interfaces is refused', () => {
    const { stack, vpc } = setup();
    expect(() => new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnetGroupName: 'Public', availabilityZones: ['dummy1a'] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
    })).toThrow(/publicSubnet and managementSubnet of TestStack\/Host are the same subnet TestStack\/Vpc\/PublicSubnet1/);
  });

  test('an imported subnet that names the public subnet is the same subnet', () => {
    const { stack, vpc } = setup();
    const again = ec2.Subnet.fromSubnetAttributes(stack, 'Again', { subnetId: vpc.publicSubnets[0].subnetId, availabilityZone: 'dummy1a' });
    expect(() => new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [again] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
    })).toThrow(/publicSubnet and managementSubnet of TestStack\/Host are the same subnet TestStack\/Vpc\/PublicSubnet1/);
  });

  test('two public subnets are refused: the management subnet must be private', () => {
    const { stack } = setup();
    const importedVpc = ec2.Vpc.fromVpcAttributes(stack, 'Both', {
      vpcId: 'vpc-1', availabilityZones: ['dummy1a'], publicSubnetIds: ['subnet-a', 'subnet-b'],
    });
    expect(() => new DualHomedInstance(stack, 'Host', {
      vpc: importedVpc,
      publicSubnet: { subnets: [importedVpc.publicSubnets[0]] },
      managementSubnet: { subnets: [importedVpc.publicSubnets[1]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
    })).toThrow(/managementSubnet subnet-b is a public subnet \(it routes to an internet gateway\): the management interface must be in a private management subnet/);
  });

  test('two private subnets are refused: the public interface needs a public subnet', () => {
    const { stack } = setup();
    const importedVpc = ec2.Vpc.fromVpcAttributes(stack, 'Both', {
      vpcId: 'vpc-1', availabilityZones: ['dummy1a'], isolatedSubnetIds: ['subnet-a', 'subnet-b'],
    });
    expect(() => new DualHomedInstance(stack, 'Host', {
      vpc: importedVpc,
      publicSubnet: { subnets: [importedVpc.isolatedSubnets[0]] },
      managementSubnet: { subnets: [importedVpc.isolatedSubnets[1]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
    })).toThrow(/publicSubnet subnet-a is a private subnet: the public interface must be in a public subnet .*; both subnets are private/);
  });

  test('swapped subnets are refused', () => {
    const { stack, vpc } = setup();
    expect(() => new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      managementSubnet: { subnets: [vpc.publicSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
    })).toThrow(/managementSubnet TestStack\/Vpc\/PublicSubnet1 is a public subnet/);
  });

  test('more public addresses than a t3.micro allows per interface are refused', () => {
    expect(() => host({ secondaryPublicAddressCount: 2 }))
      .toThrow(/instance type 't3\.micro' supports at most 2 private IPv4 addresses per network interface, but 3 are assigned to TestStack\/Host\/PublicInterface/);
  });

  test.each([-1, 1.5])('secondaryPublicAddressCount %p is refused', (count) => {
    expect(() => host({ secondaryPublicAddressCount: count }))
      .toThrow(`secondaryPublicAddressCount ${count} is not allowed: use a whole number of 0 or more`);
  });

  test.each([
    ['anyIpv4()', ec2.Peer.anyIpv4(), '0.0.0.0/0'],
    ['anyIpv6()', ec2.Peer.anyIpv6(), '::/0'],
    ['ipv4(0.0.0.0/0)', ec2.Peer.ipv4('0.0.0.0/0'), '0.0.0.0/0'],
  ])('a management peer of %s is refused', (_name, peer, cidr) => {
    expect(() => host({ managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR), peer] }))
      .toThrow(`managementPeers[1] '${cidr}' would open SSH and the admin ports (22) to the whole internet: list the management network's CIDRs, prefix lists or security groups instead`);
  });

  test.each([
    ['SSH itself', {}, ec2.Port.tcp(22), '22'],
    ['a range over SSH', {}, ec2.Port.tcpRange(20, 30), '22'],
    ['all traffic', {}, ec2.Port.allTraffic(), '22'],
    ['all TCP', {}, ec2.Port.allTcp(), '22'],
    ['an admin port', { adminPorts: [ec2.Port.tcp(8443)] }, ec2.Port.tcp(8443), '8443'],
    ['a custom SSH port', { sshPort: 2222 }, ec2.Port.tcp(2222), '2222'],
  ])('a service port that is also a management port is refused: %s', (_name, props, service, clash) => {
    expect(() => host({ ...props, servicePorts: [ec2.Port.tcp(443), service] }))
      .toThrow(new RegExp(`servicePorts entry .* overlaps the administration port ${clash}: a port is either served publicly or administered from the management network, not both`));
  });

  test('a UDP service port on the SSH port number does not clash with TCP SSH', () => {
    expect(() => host({ servicePorts: [ec2.Port.udp(22)] })).not.toThrow();
  });

  test.each([0, 70000, 22.5])('sshPort %p is refused', (sshPort) => {
    expect(() => host({ sshPort })).toThrow(`sshPort ${sshPort} is not a TCP port: use an integer from 1 to 65535`);
  });

  test.each([
    ['SSH from anywhere on the public interface', (h: DualHomedInstance) => h.connections.allowFromAnyIpv4(ec2.Port.tcp(22)), 'Public', 'tcp 22 from 0.0.0.0/0'],
    ['all traffic from ::/0 on the management interface', (h: DualHomedInstance) => h.managementConnections.allowFrom(ec2.Peer.anyIpv6(), ec2.Port.allTraffic()), 'Management', 'all traffic from ::/0'],
    ['SSH from anywhere through the ec2.Instance', (h: DualHomedInstance) => h.instance.connections.allowFromAnyIpv4(ec2.Port.tcpRange(1, 1024)), 'Public', 'tcp 1-1024 from 0.0.0.0/0'],
  ])('a rule added later that opens an administration port to the internet fails synth: %s', (_name, open, side, what) => {
    const { h, stack } = host();
    open(h);
    expect(() => Template.fromStack(stack)).toThrow(new RegExp(`of network interface TestStack/Host/${side}Interface admits ${what}, which includes the administration port tcp 22: SSH and admin ports may only be opened to a management network, never to the internet`));
  });

  test('a service port opened to the internet later is fine', () => {
    const { h, template } = host();
    h.connections.allowFromAnyIpv4(ec2.Port.tcp(443));
    template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443 })],
    });
  });
});

describe('DualHomedFleet', () => {
  function fleet(extra: Record<string, unknown> = {}) {
    const { stack, vpc } = setup();
    const f = new DualHomedFleet(stack, 'Web', {
      vpc,
      publicSubnet: { subnetType: ec2.SubnetType.PUBLIC },
      managementSubnet: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4('10.0.2.0/23')],
      servicePorts: [ec2.Port.tcp(80)],
      ...extra,
    });
    return { stack, vpc, f };
  }

  test('places one instance per Availability Zone with shared security groups', () => {
    const { stack, vpc, f } = fleet();
    expect(f.availabilityZones).toEqual(['dummy1a', 'dummy1b']);
    expect(f.instances.map((i) => i.node.id)).toEqual(['InstanceDummy1a', 'InstanceDummy1b']);
    expect(f.instances[1].publicInterface.subnet).toBe(vpc.publicSubnets[1]);
    expect(f.instances[1].managementInterface.subnet).toBe(vpc.isolatedSubnets[1]);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::Instance', 2);
    t.resourceCountIs('AWS::EC2::NetworkInterface', 4);
    t.resourceCountIs('AWS::EC2::SecurityGroup', 2);
    for (const i of f.instances) {
      expect(i.connections.securityGroups).toEqual(f.connections.securityGroups);
      expect(i.managementConnections.securityGroups).toEqual(f.managementConnections.securityGroups);
    }
    // The shared groups carry each rule once.
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Web public interfaces: service ports',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80 })],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Web management interfaces: SSH and admin ports',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.2.0/23', FromPort: 22 })],
    });
  });

  test('availabilityZones limits the fleet to the listed zones', () => {
    const { f } = fleet({ availabilityZones: ['dummy1b'] });
    expect(f.instances).toHaveLength(1);
    expect(f.instances[0].publicInterface.availabilityZone).toBe('dummy1b');
  });

  test('a zone listed twice is refused', () => {
    expect(() => fleet({ availabilityZones: ['dummy1a', 'dummy1a'] }))
      .toThrow('availabilityZones ["dummy1a","dummy1a"] of TestStack/Web lists a zone twice: give each zone once');
  });

  test('selections without a zone in common are refused', () => {
    expect(() => fleet({ publicSubnet: { subnetType: ec2.SubnetType.PUBLIC, availabilityZones: ['dummy1a'] }, managementSubnet: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, availabilityZones: ['dummy1b'] } }))
      .toThrow(/TestStack\/Web: publicSubnet and managementSubnet have no Availability Zone in common/);
  });

  test('two instances serve behind an Application Load Balancer in the public subnets', () => {
    const { stack, vpc, f } = fleet({ servicePorts: [] });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    const listener = alb.addListener('Http', { port: 80, open: true });
    listener.addTargets('Web', { port: 80, targets: f.instances.map((i) => new targets.InstanceTarget(i.instance, 80)) });
    f.connections.allowFrom(alb, ec2.Port.tcp(80), 'from the load balancer');

    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: vpc.publicSubnets.map((s) => stack.resolve(s.subnetId)),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'instance',
      Targets: f.instances.map((i) => ({ Id: stack.resolve(i.instanceId), Port: 80 })),
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(f.connections.securityGroups[0].securityGroupId),
      SourceSecurityGroupId: stack.resolve(alb.connections.securityGroups[0].securityGroupId),
      FromPort: 80,
    });
  });
});

describe('DualHomedInstance validators', () => {
  function nagStack() {
    const app = testApp();
    const stack = testStack(app);
    const vpc = testVpc(stack, 'Vpc', { flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
    const h = new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
      servicePorts: [ec2.Port.tcp(443)],
    });
    return { app, stack, h };
  }

  test('cdk-nag AwsSolutions finds nothing that is not acknowledged with a reason', () => {
    const { stack, h } = nagStack();
    Validations.of(h.instance).acknowledge(
      { id: 'AwsSolutions-EC28', reason: 'detailedMonitoring is off by choice in this scenario: 5-minute metrics are enough for a single web host' },
      { id: 'AwsSolutions-EC29', reason: 'the host is replaceable from this template; terminationProtection is a prop for hosts that are not' },
    );
    Validations.of(h.connections.securityGroups[0]).acknowledge(
      { id: 'AwsSolutions-EC23', reason: 'the public interface serves HTTPS to the internet; administration ports are refused from 0.0.0.0/0 by the construct' },
    );
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('cdk-nag reports detailed monitoring and termination protection when they are not acknowledged', () => {
    const { stack } = nagStack();
    const report = new AwsSolutionsChecks().validateScope(stack);
    const rules = report.violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-EC28', 'AwsSolutions-EC29']));
  });

  test('cfn-lint finds nothing in the synthesized template', () => {
    // An environment-agnostic stack: the VPC's zones are Fn::GetAZs, so any literal zone name
    // (W3010) would come from the construct itself.
    const app = testApp();
    const stack = new Stack(app, 'Agnostic');
    const vpc = testVpc(stack);
    new DualHomedInstance(stack, 'Host', {
      vpc,
      publicSubnet: { subnets: [vpc.publicSubnets[0]] },
      managementSubnet: { subnets: [vpc.isolatedSubnets[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: [ec2.Peer.ipv4(ADMIN_CIDR)],
      servicePorts: [ec2.Port.tcp(443)],
      adminPorts: [ec2.Port.tcp(9100)],
      secondaryPublicAddressCount: 1,
    });
    expect(cfnLintTemplate(app.synth().getStackByName('Agnostic').template, ['W3005'])).toBe('');
  });

  test('cfn-lint accepts a fleet behind a load balancer with Ubuntu hosts', () => {
    const app = testApp();
    const stack = new Stack(app, 'Fleet', { env: { account: '123456789012', region: 'eu-west-1' } });
    const vpc = testVpc(stack);
    const f = new DualHomedFleet(stack, 'Web', {
      vpc,
      publicSubnet: { subnetType: ec2.SubnetType.PUBLIC },
      managementSubnet: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.fromSsmParameter(UBUNTU_2404),
      managementPeers: [ec2.Peer.ipv4('10.0.2.0/23')],
      ssmManagedInstance: true,
    });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    alb.addListener('Http', { port: 80 }).addTargets('Web', { port: 80, targets: f.instances.map((i) => new targets.InstanceTarget(i.instance, 80)) });
    f.connections.allowFrom(alb, ec2.Port.tcp(80));
    // W3010: the stack pins a Region so the fleet knows its zone names; the VPC's subnets then
    // carry literal zone names, which is what an env-specific CDK VPC always renders.
    expect(cfnLintTemplate(app.synth().getStackByName('Fleet').template, ['W3005', 'W3010'])).toBe('');
  });

  test('the example stack is cdk-nag clean (choices acknowledged) and cfn-lint clean', () => {
    const app = testApp();
    const stack = new DualHomedExampleStack(app, 'DualHomedExample', { env: { account: '111111111111', region: 'eu-west-1' } });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(stack.fleet.instances).toHaveLength(2);
    expect(stack.host.operatingSystem).toBe(DualHomedOs.AMAZON_LINUX_2023);
    expect(stack.fleet.instances[0].operatingSystem).toBe(DualHomedOs.UBUNTU_24_04);
    // W3010: see the fleet test above.
    expect(cfnLintTemplate(app.synth().getStackByName('DualHomedExample').template, ['W3005', 'W3010'])).toBe('');
  });
});
