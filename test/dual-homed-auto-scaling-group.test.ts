import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { cfnLintStacks, nagFindings } from './compliance';
import { testApp, testStack, testVpc } from './util';
import { DualHomedAutoScalingGroup, DualHomedAutoScalingGroupProps, DualHomedOs } from '../src';
import { MGMT_ENV, MGMT_TAGS, parseSubnets } from '../src/engine/management-interfaces/contract';

function build(props: Partial<DualHomedAutoScalingGroupProps> = {}, stack: Stack = testStack()) {
  const vpc = testVpc(stack, 'Vpc', { flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
  const group = new DualHomedAutoScalingGroup(stack, 'Web', {
    vpc,
    publicSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    managementSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    managementPeers: [ec2.Peer.ipv4('10.100.0.0/16')],
    servicePorts: [ec2.Port.tcp(443)],
    minCapacity: 2,
    maxCapacity: 4,
    ...props,
  });
  return { stack, vpc, group, template: Template.fromStack(stack) };
}

/** The handler's environment with tokens resolved into the template's JSON. */
function handlerEnv(template: Template): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [MGMT_ENV.GROUP_NAME]: Match.anyValue() } } } });
  return Object.values(fns)[0].Properties.Environment.Variables;
}

/** The group's name in the template: the stack's name (known only at deploy time) joined to a unique id. */
const GROUP = { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'TestStack-Web-295BC7D3']] };

/** Resolved template JSON as text, with the stack name and partition a deployment of TestStack would have. */
function flatten(value: any): any {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(flatten);
  if (value && value.Ref === 'AWS::StackName') return 'TestStack';
  if (value && value.Ref === 'AWS::Partition') return 'aws';
  if (value && value['Fn::Join']) return (value['Fn::Join'][1] as any[]).map(flatten).join(value['Fn::Join'][0]);
  if (value && value['Fn::Base64'] !== undefined) return flatten(value['Fn::Base64']);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flatten(v)]));
  return value;
}

/** The parts of a MIME multipart user data. */
function mimeParts(stack: Stack, userData: ec2.UserData): { contentType: string; body: string }[] {
  // The shell part is base64-encoded by Fn::Base64 at deploy time: take its text as it is.
  const resolved = stack.resolve(userData.render());
  const mime = flatten(resolved) as string;
  const boundary = /boundary="([^"]+)"/.exec(mime)![1];
  return mime.split(`--${boundary}`).slice(1, -1).map((chunk) => {
    const [head, ...rest] = chunk.replace(/^\n/, '').split('\n\n');
    return { contentType: /Content-Type: (.*)/.exec(head)![1], body: rest.join('\n\n').replace(/\n$/, '') };
  });
}

describe('DualHomedAutoScalingGroup', () => {
  test('the group launches into the public subnets of both zones, with a launch and a terminate hook', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '2',
      MaxSize: '4',
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPublicSubnet1Subnet') }, { Ref: Match.stringLikeRegexp('^VpcPublicSubnet2Subnet') }],
      LifecycleHookSpecificationList: [
        { LifecycleHookName: 'management-interface-launch', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', DefaultResult: 'CONTINUE', HeartbeatTimeout: 600 },
        { LifecycleHookName: 'management-interface-terminate', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', DefaultResult: 'CONTINUE', HeartbeatTimeout: 300 },
      ],
    });
  });

  test('ABANDON on launch can be chosen instead', () => {
    const { template } = build({ launchHookDefaultResult: autoscaling.DefaultResult.ABANDON, launchHookTimeout: Duration.minutes(3) });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      LifecycleHookSpecificationList: Match.arrayWith([Match.objectLike({ LifecycleHookName: 'management-interface-launch', DefaultResult: 'ABANDON', HeartbeatTimeout: 180 })]),
    });
  });

  test('instances require IMDSv2, get an encrypted gp3 root volume and no interface in the launch template', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: Match.objectLike({ HttpTokens: 'required' }),
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 16 } }],
        NetworkInterfaces: Match.absent(),
      }),
    });
  });

  test('the handler knows the management subnet of each zone, the management security group and the hooks', () => {
    const { template } = build();
    const env = handlerEnv(template);
    expect(env[MGMT_ENV.DEVICE_INDEX]).toEqual('1');
    expect(env[MGMT_ENV.LAUNCH_HOOK]).toEqual('management-interface-launch');
    expect(JSON.stringify(env[MGMT_ENV.SECURITY_GROUPS])).toMatch(/^\{"Fn::GetAtt":\["WebManagementSecurityGroup[0-9A-F]+","GroupId"\]\}$/);
  });

  test('MGMT_SUBNETS pairs each zone with its private subnet', () => {
    const { template } = build();
    const env = handlerEnv(template);
    const joined = JSON.stringify(env[MGMT_ENV.SUBNETS]);
    expect(joined).toContain('dummy1a=');
    expect(joined).toContain('dummy1b=');
    expect(joined).toMatch(/VpcPrivateSubnet1Subnet/);
    expect(joined).toMatch(/VpcPrivateSubnet2Subnet/);
    expect(joined).not.toMatch(/VpcPublicSubnet/);
    expect(parseSubnets('dummy1a=subnet-1a,dummy1b=subnet-1b')).toEqual({ dummy1a: 'subnet-1a', dummy1b: 'subnet-1b' });
  });

  test('lifecycle events of this group and a schedule invoke the handler, with a dead-letter queue', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
        'detail': { AutoScalingGroupName: [GROUP], LifecycleHookName: ['management-interface-launch', 'management-interface-terminate'] },
      },
      Targets: [Match.objectLike({
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
      })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: Match.objectLike({ TargetArn: Match.anyValue() }) });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  test('the group waits for its rules and handler, so the first instances are handed over too', () => {
    const { template } = build();
    const groups = template.findResources('AWS::AutoScaling::AutoScalingGroup');
    const dependsOn: string[] = Object.values(groups)[0].DependsOn;
    expect(dependsOn.some((d) => d.startsWith('WebLifecycleRule'))).toBe(true);
    expect(dependsOn.some((d) => d.startsWith('WebHandler'))).toBe(true);
  });

  test('the handler may create interfaces only tagged and in the management subnets, and change only tagged ones', () => {
    const { template } = build();
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^WebHandlerRole') } });
    const statements: any[] = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(bySid('CreateTaggedInterfaces').Condition.StringEquals).toEqual({ [`aws:RequestTag/${MGMT_TAGS.GROUP}`]: GROUP });
    expect(JSON.stringify(bySid('CreateTaggedInterfaces').Condition.ArnEquals['ec2:Subnet'])).toMatch(/VpcPrivateSubnet1Subnet.*VpcPrivateSubnet2Subnet/);
    expect(JSON.stringify(bySid('CreateInManagementSubnets').Resource)).not.toMatch(/VpcPublicSubnet/);
    expect(bySid('ChangeTaggedInterfaces').Condition.StringEquals).toEqual({ [`aws:ResourceTag/${MGMT_TAGS.GROUP}`]: GROUP });
    const subnetArn = (n: number) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:subnet/', { Ref: Match.stringLikeRegexp(`^VpcPrivateSubnet${n}Subnet`) }]] });
    const change = bySid('ChangeTaggedInterfaces').Condition.ArnEquals['ec2:Subnet'];
    expect(change).toHaveLength(2);
    expect(Match.exact([subnetArn(1), subnetArn(2)]).test(change).isSuccess).toBe(true);
    expect(flatten(bySid('CompleteHooks').Resource)).toEqual('arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/TestStack-TestStack-Web-295BC7D3');
    expect(bySid('OnGroupInstances').Condition.StringEquals).toHaveProperty(['aws:ResourceTag/aws:autoscaling:groupName']);
    expect(bySid('TagOnCreate').Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateNetworkInterface' } });
    const wildcard = statements.filter((s) => s.Resource === '*');
    expect(wildcard.map((s) => s.Action).flat().sort()).toEqual(['autoscaling:DescribeAutoScalingGroups', 'ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces']);
    for (const s of statements) {
      const actions = [s.Action].flat();
      if (actions.some((a: string) => /Create|Attach|Detach|Delete|Modify|Complete/.test(a))) {
        expect(s.Resource).not.toEqual('*');
      }
    }
  });

  test('SSH is admitted on the management interfaces from the management network only; the service port on the public ones', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Web management interfaces: SSH and admin ports',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.100.0.0/16', FromPort: 22, ToPort: 22 })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Web primary interfaces: service ports',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })],
    });
  });

  test('three alarms notify a topic created by default', () => {
    const { template, group } = build();
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(group.alarms).toHaveLength(3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'InstancesWithoutManagementInterface', AlarmActions: [{ Ref: Match.stringLikeRegexp('^WebAlarmTopic') }] });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^WebAlarmTopic') }] }, 3);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('sshd is restricted to the loopback address by a boot hook before any user script; a retrying service configures the interface, then the app runs without waiting', () => {
    const { group, stack } = build({ userDataCommands: ['echo app'] });
    const parts = mimeParts(stack, group.userData);
    expect(parts.map((p) => p.contentType)).toEqual(['text/cloud-boothook; charset="utf-8"', 'text/x-shellscript; charset="utf-8"']);
    const [hook, script] = parts.map((p) => p.body);
    expect(hook).toContain('ListenAddress 127.0.0.1');
    expect(hook).toContain('readonly DROP_IN=/etc/ssh/sshd_config.d/10-dual-homed.conf');
    // No one-shot loop that gives up: a systemd service retries without a limit, on every boot.
    expect(script).not.toContain('until /usr/local/sbin/dual-homed-setup');
    expect(script).toMatch(/StartLimitIntervalSec=0\n[\s\S]*Restart=on-failure\nRestartSec=10s/);
    expect(script).toContain('ExecStart=/usr/local/sbin/dual-homed-setup\nExecStartPost=/usr/bin/python3 /usr/local/sbin/dual-homed-complete-launch');
    expect(script).toContain('WantedBy=multi-user.target');
    // Order: setup installed, service enabled and started (no-block), then the application.
    const at = (text: string) => { const i = script.indexOf(text); expect(i).toBeGreaterThanOrEqual(0); return i; };
    expect(at('systemctl enable dual-homed-setup.service')).toBeLessThan(at('systemctl --no-block start dual-homed-setup.service'));
    expect(at('systemctl --no-block start dual-homed-setup.service')).toBeLessThan(at('echo app'));
    expect(script).toContain('readonly MGMT_DEVICE_INDEX=1');
    expect(script).toContain('GROUP = "');
    expect(script).toContain('HOOK = "management-interface-launch"');
    expect(script).not.toContain('${Token[');
  });

  test('the launch hook is completed by the instance after its setup: instance role scoped to the group ARN, handler told so', () => {
    const { template } = build();
    expect(handlerEnv(template)[MGMT_ENV.GROUP_NAME]).toEqual(GROUP);
    expect(handlerEnv(template)[MGMT_ENV.LAUNCH_COMPLETED_BY]).toEqual('instance');
    const groupArn = 'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/TestStack-TestStack-Web-295BC7D3';
    for (const role of ['^WebInstanceRole', '^WebHandlerRole']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp(role) }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'autoscaling:CompleteLifecycleAction', Effect: 'Allow', Resource: Match.anyValue() })]) },
      });
    }
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const completes = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: any) => st.Action === 'autoscaling:CompleteLifecycleAction');
    expect(completes).toHaveLength(2);
    for (const st of completes) {
      expect(flatten(st.Resource)).toEqual(groupArn);
    }
  });

  test.each([DualHomedOs.AMAZON_LINUX_2023, DualHomedOs.UBUNTU_22_04, DualHomedOs.UBUNTU_24_04])('%s: both shell parts of the user data pass shellcheck', (os) => {
    const { group, stack } = build({ operatingSystem: os, userDataCommands: ['echo ready'] });
    const dir = fs.mkdtempSync(path.join(tmpdir(), 'asg-user-data-'));
    mimeParts(stack, group.userData).forEach((part, i) => {
      const file = path.join(dir, `part-${i}.sh`);
      fs.writeFileSync(file, part.body);
      expect(execFileSync('/usr/bin/shellcheck', ['-s', 'bash', file], { encoding: 'utf8' })).toBe('');
    });
  });

  test('cdk-nag AwsSolutions finds nothing unexplained, and cfn-lint is clean', () => {
    const { stack } = build();
    expect(nagFindings(stack)).toEqual([]);
    expect(cfnLintStacks(stack)).toEqual('');
  });

  test('an env-agnostic stack works: zones compare by their Fn::GetAZs form', () => {
    const app = testApp();
    const stack = new Stack(app, 'Agnostic');
    const { template } = build({}, stack);
    expect(JSON.stringify(handlerEnv(template)[MGMT_ENV.SUBNETS])).toContain('Fn::GetAZs');
  });

  describe('bad input', () => {
    test.each<[string, Partial<DualHomedAutoScalingGroupProps>, RegExp]>([
      ['SSH from the internet', { managementPeers: [ec2.Peer.anyIpv4()] }, /^managementPeers contains 0\.0\.0\.0\/0: SSH and admin ports may only be opened to a management network/],
      ['a service port that is SSH', { servicePorts: [ec2.Port.tcp(22)] }, /^servicePorts contains 22, which is also a management port/],
      ['an SSH port out of range', { sshPort: 70000 }, /^sshPort 70000 is not a TCP port: use an integer from 1 to 65535$/],
      ['max below min', { minCapacity: 3, maxCapacity: 2 }, /^maxCapacity 2 is less than minCapacity 3: use a maxCapacity of 3 or more$/],
      ['desired outside', { minCapacity: 1, maxCapacity: 2, desiredCapacity: 5 }, /^desiredCapacity 5 is outside minCapacity 1 and maxCapacity 2: use a value from 1 to 2$/],
      ['a fractional capacity', { minCapacity: 1.5 }, /^minCapacity 1.5 is not allowed: use a whole number of 0 or more$/],
      ['a heartbeat too short', { launchHookTimeout: Duration.seconds(10) }, /^launchHookTimeout 10 seconds is not allowed: use 30 to 7200 seconds/],
      ['an unknown operating system', { machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-12345678' }) }, /cannot tell the operating system of machineImage \(GenericLinuxImage\) of TestStack\/Web: set operatingSystem/],
      ['public management subnets', { managementSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /^managementSubnets of TestStack\/Web selects .*a public subnet: a management interface must never get a public address/],
      ['overlapping selections', { publicSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /^managementSubnets of TestStack\/Web selects .*, which publicSubnets selects too: the management interfaces need subnets of their own/],
      ['a repair interval of fractional minutes', { repairInterval: Duration.seconds(90) }, /^repairInterval 1 minute 30 seconds is not allowed: use whole minutes/],
    ])('%s is refused', (_name, props, message) => {
      expect(() => build(props)).toThrow(message);
    });

    test.each<[string, (stack: Stack, vpc: ec2.IVpc) => ec2.IPeer]>([
      ['a private CIDR', () => ec2.Peer.ipv4('10.0.0.0/8')],
      ['a security group', (stack, vpc) => new ec2.SecurityGroup(stack, 'Bastion', { vpc })],
      ['a prefix list', () => ec2.Peer.prefixList('pl-0123456789abcdef0')],
    ])('SSH on the primary interfaces from %s is refused at synth', (_name, peer) => {
      const stack = testStack();
      const vpc = testVpc(stack, 'Vpc');
      const group = new DualHomedAutoScalingGroup(stack, 'Web', {
        vpc,
        publicSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        managementSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        instanceType: new ec2.InstanceType('t3.micro'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        managementPeers: [ec2.Peer.ipv4('10.100.0.0/16')],
      });
      group.connections.allowFrom(peer(stack, vpc), ec2.Port.tcpRange(20, 30));
      expect(() => Template.fromStack(stack)).toThrow(/of TestStack\/Web \(primary interfaces\) admits tcp 20-30 from .*, which includes the administration port tcp 22: SSH and admin ports are served on the management interfaces only/);
    });

    test('an imported primary security group cannot be checked, and says so', () => {
      const stack = testStack();
      const { stack: s2 } = build({ publicSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Imported', 'sg-0123456789abcdef0') }, stack);
      Annotations.fromStack(s2).hasWarning('/TestStack/Web', Match.stringLikeRegexp('publicSecurityGroup of TestStack/Web is imported: its existing rules cannot be checked'));
    });

    test('capacities given as tokens are not range-checked', () => {
      const stack = testStack();
      const min = new CfnParameter(stack, 'Min', { type: 'Number' }).valueAsNumber;
      const max = new CfnParameter(stack, 'Max', { type: 'Number' }).valueAsNumber;
      const { template } = build({ minCapacity: min, maxCapacity: max }, stack);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: { Ref: 'Min' }, MaxSize: { Ref: 'Max' } });
    });

    test('no management peers is allowed, with a warning', () => {
      const { stack } = build({ managementPeers: [] });
      Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('managementPeers of TestStack/Web is empty'));
    });

    test('the unmanaged-instances alarm spans three repair intervals', () => {
      const { template } = build({ repairInterval: Duration.minutes(10) });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'InstancesWithoutManagementInterface', Period: 1800 });
    });

    test('an instance type missing from the limits table is not checked, and says so', () => {
      const { stack } = build({ instanceType: new ec2.InstanceType('x9z.large') });
      Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp("instance type 'x9z.large' is not in the network limits table"));
    });

    test('a zone without a management subnet is refused, naming the zone', () => {
      const stack = testStack();
      const vpc = testVpc(stack);
      expect(() => new DualHomedAutoScalingGroup(stack, 'Web', {
        vpc,
        publicSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        managementSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, availabilityZones: ['dummy1a'] },
        instanceType: new ec2.InstanceType('t3.micro'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        managementPeers: [],
      })).toThrow(/^managementSubnets of TestStack\/Web has no subnet in dummy1b, where publicSubnets selects .* \(management subnets are in: dummy1a\): add a management subnet in every zone the group uses/);
    });

    test('an Ubuntu image needs operatingSystem and then gets /dev/sda1', () => {
      const { template } = build({ machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-12345678' }), operatingSystem: DualHomedOs.UBUNTU_24_04 });
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ DeviceName: '/dev/sda1' })] }) });
    });
  });
});

