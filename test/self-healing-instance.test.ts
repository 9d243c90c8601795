import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { cfnLintStacks, nagFindings } from './compliance';
import { drive, MemoryLogger, StrictEc2, VirtualClock } from './engine/harness';
import { testStack, testVpc } from './util';
import { NetworkInterface, SelfHealingInstance, SelfHealingInstanceProps } from '../src';
import { RECOMMENDED_FUNCTION } from '../src/engine/contract';
import { createHandler, HandlerDeps } from '../src/engine/reconcile.lambda';
import { settingsFromEnv } from '../src/engine/settings';

interface Fixture {
  stack: Stack;
  vpc: ec2.Vpc;
}

function fixture(): Fixture {
  const stack = testStack();
  const vpc = testVpc(stack, 'Vpc', { flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
  return { stack, vpc };
}

function build(props: Partial<SelfHealingInstanceProps> = {}, f: Fixture = fixture()) {
  const healing = new SelfHealingInstance(f.stack, 'Web', {
    vpc: f.vpc,
    vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] },
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    elasticIp: true,
    ...props,
  });
  return { f, healing, template: Template.fromStack(f.stack) };
}

// The stack's name first: the same stack deployed under two names gets two groups.
const GROUP_NAME = { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'TestStack-Web-295BC7D3']] };

describe('SelfHealingInstance', () => {
  test('the Auto Scaling group holds exactly one instance, in the static interface\'s subnet only', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      AutoScalingGroupName: GROUP_NAME,
      MinSize: '1',
      MaxSize: '1',
      DesiredCapacity: '1',
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPublicSubnet1Subnet') }],
      HealthCheckType: 'EC2',
      HealthCheckGracePeriod: 300,
    });
    template.hasResourceProperties('AWS::EC2::NetworkInterface', { SubnetId: { Ref: Match.stringLikeRegexp('^VpcPublicSubnet1Subnet') } });
  });

  test('the static interface keeps an Elastic IP and is never attached by CloudFormation', () => {
    const { template, healing } = build();
    template.resourceCountIs('AWS::EC2::EIP', 1);
    template.hasResourceProperties('AWS::EC2::EIPAssociation', { NetworkInterfaceId: { Ref: Match.stringLikeRegexp('^WebNetworkInterface') } });
    template.resourceCountIs('AWS::EC2::NetworkInterfaceAttachment', 0);
    expect(healing.elasticIp).toBeDefined();
  });

  test('instances require IMDSv2 and get an encrypted root volume', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required' },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 8, VolumeType: 'gp3' } }],
        InstanceType: 't3.micro',
      }),
    });
  });

  test('a launch of the group invokes the reconcile Lambda with a forced move to the new instance', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], 'detail': { AutoScalingGroupName: [GROUP_NAME] } },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebFunction'), 'Arn'] },
        InputTransformer: {
          InputPathsMap: { 'detail-EC2InstanceId': '$.detail.EC2InstanceId' },
          InputTemplate: '{"action":"move","to":<detail-EC2InstanceId>,"force":true}',
        },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebDeadLetterQueue'), 'Arn'] } },
      })],
    });
  });

  test('the group is created after the rule and the function, so its first launch is caught', () => {
    const { template } = build();
    const [group] = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'));
    expect(group.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^WebLaunchRule/), expect.stringMatching(/^WebFunction/)]));
  });

  test('the function runs the failover engine in self-healing mode, with no reserved concurrency by default', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: Match.absent(),
      // The engine's measured recommendation: a full vCPU for a CPU-bound cold start.
      MemorySize: RECOMMENDED_FUNCTION.memorySize,
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          ENI_ID: { Ref: Match.stringLikeRegexp('^WebNetworkInterface') },
          AUTOSCALING_GROUP_NAME: GROUP_NAME,
          DEVICE_INDEX: '1',
          CANDIDATE_INSTANCE_IDS: Match.absent(),
        }),
      },
    });
  });

  test('attach and detach are scoped to the interface and to instances tagged with the group name', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^WebServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'], Effect: 'Allow', Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':ec2:eu-west-1:123456789012:network-interface/'])] }) },
          {
            Action: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'],
            Effect: 'Allow',
            Condition: { StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': GROUP_NAME } },
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:instance/*']] },
          },
        ]),
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const mutating = policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Resource === '*' && [s.Action].flat().some((a: string) => !a.startsWith('ec2:Describe')));
    expect(mutating).toEqual([]);
  });

  test('failed attachments are alarmed', () => {
    const { template, healing } = build();
    expect(healing.alarms).toHaveLength(2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' });
  });

  test('a notification topic receives the group\'s notifications', () => {
    const f = fixture();
    const topic = new sns.Topic(f.stack, 'Topic', { enforceSSL: true });
    const { template } = build({ notificationTopic: topic }, f);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      NotificationConfigurations: [Match.objectLike({ TopicARN: { Ref: Match.stringLikeRegexp('^Topic') } })],
    });
  });

  test('the alarms notify the topic when one is given: no second topic, no key', () => {
    const f = fixture();
    const topic = new sns.Topic(f.stack, 'Topic', { enforceSSL: true });
    const { template, healing } = build({ notificationTopic: topic }, f);
    expect(healing.topic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
  });

  test('without a topic the alarms notify one it creates, encrypted with a rotating key CloudWatch may use', () => {
    const { template, healing, f } = build();
    const topicId = f.stack.getLogicalId(healing.topic.node.defaultChild as sns.CfnTopic);
    expect(topicId).toMatch(/^WebTopic/);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebTopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublish', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
    // The errors alarm also says when the attach function works again.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', OKActions: [{ Ref: topicId }] });
    // Auto Scaling notifications go only to a topic the user gives (Auto Scaling cannot use the created topic's key).
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { NotificationConfigurations: Match.absent() });
  });

  test('alarmEmails subscribes each address to the topic; a non-address is rejected', () => {
    const { template } = build({ alarmEmails: ['ops@example.com', 'oncall@example.com'] });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: Match.stringLikeRegexp('^WebTopic') } });
    expect(() => build({ alarmEmails: ['ops'] })).toThrow("alarmEmails contains 'ops', which is not an email address");
  });

  test.each<[logs.RetentionDays | undefined, number]>([[undefined, 90], [logs.RetentionDays.ONE_WEEK, 7]])(
    'logRetention %s: the function\'s log group keeps logs for %s days', (logRetention, days) => {
      const { template } = build({ logRetention });
      const own = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('Web'));
      expect(own.map(([id, r]) => [id, r.Properties.RetentionInDays])).toEqual([[expect.stringMatching(/^WebLogGroup/), days]]);
    });

  test('launch events the function fails on are retried twice within an hour, then dead-lettered like undeliverable ones', () => {
    const { template } = build();
    const queue = { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebDeadLetterQueue'), 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600, Qualifier: '$LATEST' });
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: queue } });
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ DeadLetterConfig: { Arn: queue } })] });
  });

  test.each([1, 5])('reservedConcurrentExecutions %s is passed to the function', (reserved) => {
    build({ reservedConcurrentExecutions: reserved }).template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: reserved });
  });

  test.each([0, 2.5, 1001])('reservedConcurrentExecutions %s is rejected', (reserved) => {
    expect(() => build({ reservedConcurrentExecutions: reserved })).toThrow(
      `reservedConcurrentExecutions ${reserved} is not allowed: use a whole number from 1 to 1000, or leave it unset to reserve nothing (a new account's concurrency quota of 10 leaves nothing to reserve)`);
  });

  test('the Auto Scaling group stays the default child', () => {
    const { healing } = build();
    expect(healing.node.defaultChild).toBe(healing.autoScalingGroup);
  });

  test('the root volume device follows rootDeviceName (Ubuntu images use /dev/sda1) and is always encrypted', () => {
    const { template } = build({ rootDeviceName: '/dev/sda1' });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3' }) }],
      }),
    });
  });

  test('an adopted interface is used, and its subnet is the default', () => {
    const f = fixture();
    const eni = new NetworkInterface(f.stack, 'Static', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.isolatedSubnets[1]] }, privateIpAddress: '10.0.3.10' });
    const { template, healing } = build({ networkInterface: eni, vpcSubnets: undefined, elasticIp: undefined }, f);
    template.resourceCountIs('AWS::EC2::NetworkInterface', 1);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2Subnet') }] });
    expect(healing.networkInterface).toBe(eni);
  });

  test.each<[string, (f: Fixture) => Partial<SelfHealingInstanceProps>, string | RegExp]>([
    ['a selection of two subnets', (f) => ({ vpcSubnets: { subnets: f.vpc.publicSubnets } }),
      /^vpcSubnets of TestStack\/Web resolves to 2 subnets \[TestStack\/Vpc\/PublicSubnet1 \(dummy1a\), TestStack\/Vpc\/PublicSubnet2 \(dummy1b\)\]: the group is confined to the static interface's subnet/],
    ['an adopted interface in another AZ', (f) => ({
      elasticIp: undefined,
      networkInterface: new NetworkInterface(f.stack, 'Far', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[1]] } }),
    }), "networkInterface TestStack/Far is in dummy1b but vpcSubnets selects TestStack/Vpc/PublicSubnet1 in dummy1a: the group's instances must be in the interface's Availability Zone to receive it; select a subnet in dummy1b"],
    ['an adopted interface attached statically', (f) => {
      const eni = new NetworkInterface(f.stack, 'Fixed', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] } });
      const other = new ec2.Instance(f.stack, 'Other', {
        vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] }, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      });
      eni.attachToInstance(other);
      return { elasticIp: undefined, networkInterface: eni };
    }, 'networkInterface TestStack/Fixed is attached statically with attachToInstance(): every replacement instance must be able to take it; remove the attachToInstance() call'],
    ['create-only options with an adopted interface', (f) => ({
      privateIpAddress: '10.0.0.10',
      networkInterface: new NetworkInterface(f.stack, 'Own', { vpc: f.vpc, vpcSubnets: { subnets: [f.vpc.publicSubnets[0]] } }),
    }), 'privateIpAddress, elasticIp apply to the interface SelfHealingInstance creates, but networkInterface TestStack/Own is given: configure the adopted interface itself'],
  ])('%s is an error', (_name, props, message) => {
    const f = fixture();
    expect(() => build(props(f), f)).toThrow(message);
  });

  test('has no cdk-nag finding and the template is cfn-lint clean', () => {
    const { f } = build();
    expect(nagFindings(f.stack)).toEqual([]);
    expect(cfnLintStacks(f.stack)).toEqual('');
  });
});

// The engine side: the reconcile Lambda in self-healing mode, against the strict EC2 harness.
describe('the reconcile Lambda in self-healing mode', () => {
  const ENI = 'eni-0123456789abcdef0';
  const OLD = 'i-0000000000000000a';
  const NEW = 'i-0000000000000000c';
  const ENV = { ENI_ID: ENI, AUTOSCALING_GROUP_NAME: 'MyStack-TestStack-Web-295BC7D3', DEVICE_INDEX: '1', DEADLINE_SECONDS: '120' };

  function setup() {
    const clock = new VirtualClock();
    const harness = new StrictEc2(clock)
      .addInstance(OLD, 'eu-west-1a')
      .addInstance(NEW, 'eu-west-1a', { statusChecks: 'initializing', launchTime: clock.now() })
      .addEni(ENI, 'eu-west-1a', { instanceId: OLD, deviceIndex: 1 });
    const logger = Object.assign(new MemoryLogger(), {
      error(this: MemoryLogger, message: string, fields: Record<string, unknown>) { this.lines.push({ level: 'error', message, fields }); },
    });
    const metrics = { addDimension: () => undefined, addMetric: () => undefined, publishStoredMetrics: () => undefined };
    const deps: HandlerDeps = { settings: settingsFromEnv(ENV), port: harness, clock, logger, metrics };
    const handler = createHandler(() => deps);
    const invoke = async (event: unknown) => (await drive(clock, handler(event)))[0];
    return { ec2: harness, invoke };
  }

  // What the launch rule's input transformer produces from an "EC2 Instance Launch Successful" event.
  const launchEvent = { action: 'move', to: NEW, force: true };

  test('needs no fixed candidates when it names the Auto Scaling group', () => {
    expect(settingsFromEnv(ENV)).toMatchObject({ eniId: ENI, candidates: [], deviceIndex: 1 });
    const { AUTOSCALING_GROUP_NAME: _group, ...withoutGroup } = ENV;
    expect(() => settingsFromEnv(withoutGroup)).toThrow(/CANDIDATE_INSTANCE_IDS is not set: give the candidate instance ids, the primary first/);
  });

  test('the replacement receives the interface from the terminated instance', async () => {
    const t = setup();
    t.ec2.terminate(OLD);
    const result = await t.invoke(launchEvent);
    expect(result).toMatchObject({ outcome: 'converged', to: NEW });
    expect(t.ec2.holder(ENI)).toBe(NEW);
  });

  test('the replacement receives the interface while the old instance is still running (impaired)', async () => {
    const t = setup();
    t.ec2.impair(OLD);
    const result = await t.invoke(launchEvent);
    expect(result).toMatchObject({ outcome: 'converged', from: OLD, to: NEW });
    expect(t.ec2.holder(ENI)).toBe(NEW);
  });

  test('a repeated launch event changes nothing', async () => {
    const t = setup();
    t.ec2.terminate(OLD);
    await t.invoke(launchEvent);
    const mutations = t.ec2.mutations.length;
    expect(await t.invoke(launchEvent)).toMatchObject({ outcome: 'noop', holder: NEW });
    expect(t.ec2.mutations).toHaveLength(mutations);
  });
});
