import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DualHomedFleet, DualHomedInstance, DualHomedInstanceProps, SelfHealingInstance, SelfHealingInstanceProps } from '../../src';
import { testApp, testStack, testVpc } from '../util';

// Launch templates, roles and instance profiles of the user's own.

function setup() {
  const stack = testStack(testApp());
  const vpc = testVpc(stack);
  return { stack, vpc };
}

const hostProps = (vpc: ec2.IVpc): DualHomedInstanceProps => ({
  vpc,
  publicSubnet: { subnetType: ec2.SubnetType.PUBLIC },
  managementSubnet: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  availabilityZone: vpc.availabilityZones[0],
  instanceType: new ec2.InstanceType('t3.micro'),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  managementPeers: [ec2.Peer.ipv4('10.0.128.0/20')],
});

const healingProps = (vpc: ec2.IVpc): SelfHealingInstanceProps => ({
  vpc,
  instanceType: new ec2.InstanceType('t3.micro'),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
});

describe('DualHomedInstance with settings of your own', () => {
  test('an instance profile is used as is: no role or profile of its own', () => {
    const { stack, vpc } = setup();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const profile = new iam.InstanceProfile(stack, 'Profile', { role });
    const host = new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), instanceProfile: profile });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::EC2::Instance', { IamInstanceProfile: stack.resolve(profile.instanceProfileName) });
    expect(host.role).toBe(role);
  });

  test('role and instanceProfile together are refused', () => {
    const { stack, vpc } = setup();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const profile = new iam.InstanceProfile(stack, 'Profile', { role });
    expect(() => new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), role, instanceProfile: profile }))
      .toThrow(/role and instanceProfile of .*Host are both given/);
  });

  test('an imported instance profile without its role is refused (it would be silently replaced)', () => {
    const { stack, vpc } = setup();
    const profile = iam.InstanceProfile.fromInstanceProfileName(stack, 'Profile', 'web-hosts');
    expect(() => new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), instanceProfile: profile }))
      .toThrow(/instanceProfile .*Profile of .*Host has no role: .*fromInstanceProfileAttributes/);
  });

  test('a launch template is referenced at its latest version', () => {
    const { stack, vpc } = setup();
    const launchTemplate = new ec2.LaunchTemplate(stack, 'Template', { instanceMetadataTags: true });
    new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), launchTemplate });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', {
      LaunchTemplate: {
        LaunchTemplateId: stack.resolve(launchTemplate.launchTemplateId),
        Version: stack.resolve(launchTemplate.versionNumber),
      },
    });
  });

  test('an imported launch template without a version is refused: an instance takes no $Default', () => {
    const { stack, vpc } = setup();
    const launchTemplate = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'Template', { launchTemplateId: 'lt-0123456789abcdef0' });
    expect(() => new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), launchTemplate }))
      .toThrow(/launchTemplate .*Template of .*Host is at version \$Default, .*versionNumber: '1'/);
  });

  test('an imported launch template with a version number is referenced at it', () => {
    const { stack, vpc } = setup();
    const launchTemplate = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'Template', { launchTemplateId: 'lt-0123456789abcdef0', versionNumber: '3' });
    new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), launchTemplate });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', { LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '3' } });
  });

  test('an in-app template at $Default is referenced at its DefaultVersionNumber', () => {
    const { stack, vpc } = setup();
    const cfn = new ec2.CfnLaunchTemplate(stack, 'Cfn', { launchTemplateData: { instanceInitiatedShutdownBehavior: 'stop' } });
    const launchTemplate = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'Template', { launchTemplateId: cfn.ref });
    launchTemplate.node.defaultChild = cfn;
    new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), launchTemplate });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', {
      LaunchTemplate: { Version: { 'Fn::GetAtt': [stack.getLogicalId(cfn), 'DefaultVersionNumber'] } },
    });
  });

  test('a launch template that sets security groups is refused: the two interfaces own them', () => {
    const { stack, vpc } = setup();
    const launchTemplate = new ec2.LaunchTemplate(stack, 'Template', {
      securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
    });
    expect(() => new DualHomedInstance(stack, 'Host', { ...hostProps(vpc), launchTemplate }))
      .toThrow(/launchTemplate .*Template of .*Host sets securityGroupIds/);
  });
});

describe('DualHomedFleet shares one instance profile', () => {
  test('an imported role with ssmManagedInstance gets a warning that the policy is not attached', () => {
    const { stack, vpc } = setup();
    const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/fleet');
    const { availabilityZone: _, ...fleetProps } = hostProps(vpc);
    new DualHomedFleet(stack, 'Web', { ...fleetProps, role, ssmManagedInstance: true });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('ssmManagedInstance: the role .*Imported is imported, so the AmazonSSMManagedInstanceCore policy is not attached'));
  });

  test('two instances, one role, one profile, one Session Manager policy', () => {
    const { stack, vpc } = setup();
    const { availabilityZone: _, ...props } = hostProps(vpc);
    const fleet = new DualHomedFleet(stack, 'Fleet', { ...props, ssmManagedInstance: true });
    expect(fleet.instances).toHaveLength(2);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(JSON.stringify(role.Properties.ManagedPolicyArns).match(/AmazonSSMManagedInstanceCore/g)).toHaveLength(1);
    for (const instance of fleet.instances) {
      expect(instance.role).toBe(fleet.role);
    }
  });

  test('a given role gets the one shared profile', () => {
    const { stack, vpc } = setup();
    const { availabilityZone: _, ...props } = hostProps(vpc);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const fleet = new DualHomedFleet(stack, 'Fleet', { ...props, role });
    expect(fleet.role).toBe(role);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::InstanceProfile', 1);
  });
});

describe('SelfHealingInstance with settings of your own', () => {
  test('an instance profile goes into the launch template', () => {
    const { stack, vpc } = setup();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const profile = new iam.InstanceProfile(stack, 'Profile', { role });
    new SelfHealingInstance(stack, 'Web', { ...healingProps(vpc), instanceProfile: profile });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { IamInstanceProfile: { Arn: stack.resolve(profile.instanceProfileArn) } },
    });
  });

  test('a launch template of your own is the group\'s; none is built', () => {
    const { stack, vpc } = setup();
    const launchTemplate = new ec2.LaunchTemplate(stack, 'Template', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: new ec2.InstanceType('t3.micro'),
      requireImdsv2: true,
    });
    const { machineImage: _, ...props } = healingProps(vpc);
    new SelfHealingInstance(stack, 'Web', { ...props, launchTemplate });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      LaunchTemplate: { LaunchTemplateId: stack.resolve(launchTemplate.launchTemplateId) },
    });
  });

  const ownTemplate = (stack: Construct, props: ec2.LaunchTemplateProps) => new ec2.LaunchTemplate(stack, 'Template', {
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    instanceType: new ec2.InstanceType('t3.micro'),
    httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
    ...props,
  });
  const withTemplate = (launchTemplate: (stack: Construct) => ec2.ILaunchTemplate) => {
    const { stack, vpc } = setup();
    const { machineImage: _, ...props } = healingProps(vpc);
    new SelfHealingInstance(stack, 'Web', { ...props, launchTemplate: launchTemplate(stack) });
    return stack;
  };

  test.each([
    ['HttpTokens optional', { httpTokens: ec2.LaunchTemplateHttpTokens.OPTIONAL }, /has HttpTokens "optional": the instances must require IMDSv2/],
    ['no IMDSv2 setting', { httpTokens: undefined }, /has HttpTokens unset/],
    ['an unencrypted volume', { blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8) }] }, /has an unencrypted volume \/dev\/xvda/],
  ] as Array<[string, ec2.LaunchTemplateProps, RegExp]>)('an in-app template with %s is refused', (_what, props, message) => {
    const stack = withTemplate((s) => ownTemplate(s, props));
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  // An L1 template of the app, reached through node.defaultChild.
  const cfnTemplate = (s: Construct, data: ec2.CfnLaunchTemplate.LaunchTemplateDataProperty) => {
    const cfn = new ec2.CfnLaunchTemplate(s, 'Cfn', { launchTemplateData: data });
    const lt = ec2.LaunchTemplate.fromLaunchTemplateAttributes(s, 'Template', { launchTemplateId: cfn.ref, versionNumber: cfn.attrLatestVersionNumber });
    lt.node.defaultChild = cfn;
    return lt;
  };

  test('an in-app template with a network interface at device index 1 is refused', () => {
    const stack = withTemplate((s) => cfnTemplate(s, {
      imageId: 'ami-0123',
      instanceType: 't3.micro',
      metadataOptions: { httpTokens: 'required' },
      networkInterfaces: [{ deviceIndex: 0, subnetId: 'subnet-0123' }, { deviceIndex: 1, subnetId: 'subnet-0123' }],
    }));
    expect(() => Template.fromStack(stack)).toThrow(/has a network interface at device index 1: that index is the static interface's/);
  });

  test('an in-app template without an image or instance type is refused', () => {
    const stack = withTemplate((s) => cfnTemplate(s, { metadataOptions: { httpTokens: 'required' } }));
    expect(() => Template.fromStack(stack)).toThrow(/has no imageId: .*give it an image \(machineImage\)[\s\S]*has no instanceType: .*give it an instance type \(instanceType\)/);
  });

  test('requireImdsv2 (an aspect) and encrypted volumes pass', () => {
    const stack = withTemplate((s) => ownTemplate(s, {
      httpTokens: undefined,
      requireImdsv2: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('an imported template gets a warning that it cannot be checked', () => {
    const stack = withTemplate((s) => ec2.LaunchTemplate.fromLaunchTemplateAttributes(s, 'Template', { launchTemplateId: 'lt-0123456789abcdef0', versionNumber: '2' }));
    Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('is imported, so its settings cannot be checked at synth'));
  });

  test('settings the template carries are refused next to it', () => {
    const { stack, vpc } = setup();
    const launchTemplate = new ec2.LaunchTemplate(stack, 'Template', { machineImage: ec2.MachineImage.latestAmazonLinux2023() });
    expect(() => new SelfHealingInstance(stack, 'Web', { ...healingProps(vpc), launchTemplate, rootDeviceName: '/dev/sda1' }))
      .toThrow(/machineImage, rootDeviceName of .*Web are set together with launchTemplate/);
  });

  test('no image and no launch template is refused', () => {
    const { stack, vpc } = setup();
    const { machineImage: _, ...props } = healingProps(vpc);
    expect(() => new SelfHealingInstance(stack, 'Web', props)).toThrow(/machineImage of .*Web is missing/);
  });
});
