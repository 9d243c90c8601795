import { CfnResource, Duration, Names, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ec2Arn, failoverStack, synthFailover } from './fixture';
import { NetworkInterface } from '../../src';
import { RECOMMENDED_FUNCTION } from '../../src/engine/contract';
import { EniFailover, EniFailoverProps, FailbackPolicy } from '../../src/failover/eni-failover';
import { FailoverTrigger } from '../../src/failover/failover-trigger';
import { cfnLintStacks, nagFindings } from '../compliance';
import { importedInstance, testApp, testInstance, testStack, testVpc } from '../util';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function roleStatements(template: Template, stack: Stack, failover: EniFailover): Statement[] {
  const roleId = stack.getLogicalId(failover.function.role!.node.defaultChild as iam.CfnRole);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/**
 * A resource of the engine function. It lives under the construct id `Default`, which CDK leaves
 * out of logical ids: the resources kept the logical ids they had as direct children of the failover.
 */
function engineChild(failover: EniFailover, id: string): Construct {
  return failover.node.findChild('Default').node.findChild(id) as Construct;
}

function functionEnv(template: Template, logicalId: string): Record<string, unknown> {
  return template.toJSON().Resources[logicalId].Properties.Environment.Variables;
}

describe('EniFailover placement', () => {
  test('CloudFormation never owns an attachment of the floating interface', () => {
    const { template } = synthFailover({ elasticIp: true });
    template.resourceCountIs('AWS::EC2::NetworkInterfaceAttachment', 0);
    template.resourceCountIs('AWS::EC2::NetworkInterface', 1);
  });

  test('the created interface lives in the primary\'s Availability Zone by default', () => {
    const { template, vpc } = synthFailover();
    const subnet = vpc.isolatedSubnets.find((s) => s.availabilityZone === 'dummy1a')!;
    template.hasResourceProperties('AWS::EC2::NetworkInterface', {
      SubnetId: { Ref: Stack.of(vpc).getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet) },
    });
  });

  test('a custom resource places the interface at deploy time, after both instances exist', () => {
    const { template, ids } = synthFailover({ deviceIndex: 2 }, { instanceType: 'm5.large' });
    template.hasResource('Custom::EniFailoverPlacement', {
      Properties: {
        NetworkInterfaceId: { Ref: ids.eni },
        CandidateInstanceIds: [{ Ref: ids.primary }, { Ref: ids.standby }],
        DeviceIndex: 2,
      },
      DependsOn: Match.arrayWith([ids.primary, ids.standby]),
    });
  });

  test('the placement depends on the interface and the instances, so on stack deletion it detaches the interface before CloudFormation deletes it', () => {
    const { template, ids } = synthFailover();
    template.hasResource('Custom::EniFailoverPlacement', {
      Properties: { NetworkInterfaceId: { Ref: ids.eni }, CandidateInstanceIds: [{ Ref: ids.primary }, { Ref: ids.standby }], DeviceIndex: 1 },
      DependsOn: Match.arrayWith([ids.eni, ids.primary, ids.standby]),
    });
  });

  test('the placement runs the reconcile code in a function of its own without reserved concurrency', () => {
    const { template, stack, failover } = synthFailover();
    const placement = engineChild(failover, 'PlacementFunction');
    const placementId = stack.getLogicalId(placement.node.defaultChild as any);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [placementId, 'Arn'] } } },
    });
    const props = template.toJSON().Resources[placementId].Properties;
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
    expect(props.DeadLetterConfig).toBeUndefined();
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Timeout).toBe(660);
    expect(props.Handler).toBe('index.handler');
    expect(props.Runtime).toBe('nodejs24.x');
  });

  test('the interface carries metadata naming itself and the candidates for topology tools', () => {
    const { template, ids } = synthFailover();
    template.hasResource('AWS::EC2::NetworkInterface', {
      Metadata: { 'cdk-eni-patterns:failover': { eni: ids.eni, candidates: [ids.primary, ids.standby] } },
    });
  });

  test('an adopted interface imported by id gets the metadata on the placement resource', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const primary = importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a');
    const standby = importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a');
    const eni = NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Eni', { networkInterfaceId: 'eni-0123456789abcdef0', availabilityZone: 'dummy1a' });
    new EniFailover(stack, 'Failover', { primary, standby, networkInterface: eni, vpc });
    const template = Template.fromStack(stack);
    template.hasResource('Custom::EniFailoverPlacement', {
      Metadata: { 'cdk-eni-patterns:failover': { eni: 'eni-0123456789abcdef0', candidates: ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb'] } },
      Properties: { NetworkInterfaceId: 'eni-0123456789abcdef0', CandidateInstanceIds: ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb'] },
    });
    template.resourceCountIs('AWS::EC2::NetworkInterface', 0);
  });

  test('an adopted NetworkInterface keeps its own addresses and Elastic IP', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const eni = new NetworkInterface(stack, 'Service', { vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] }, privateIpAddress: '10.0.0.10', elasticIps: [{}] });
    const failover = new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0cccccccccccccccc', 'dummy1a'),
      standby: importedInstance(stack, 'i-0dddddddddddddddd', 'dummy1a'),
      networkInterface: eni,
    });
    expect(failover.networkInterface).toBe(eni);
    expect(failover.elasticIp).toEqual(eni.elasticIps[0]);
    expect(failover.connections).toBe(eni.connections);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NetworkInterface', 1);
    template.hasResource('AWS::EC2::NetworkInterface', {
      Properties: { PrivateIpAddress: '10.0.0.10' },
      Metadata: { 'cdk-eni-patterns:failover': { eni: stack.getLogicalId(eni.resource), candidates: ['i-0cccccccccccccccc', 'i-0dddddddddddddddd'] } },
    });
  });

  test.each([
    [true, 1],
    [false, 0],
  ])('elasticIp %s creates %d Elastic IP associated with the floating interface', (elasticIp, count) => {
    const { template, failover, ids } = synthFailover({ elasticIp });
    template.resourceCountIs('AWS::EC2::EIP', count);
    template.resourceCountIs('AWS::EC2::EIPAssociation', count);
    expect(failover.elasticIp !== undefined).toBe(elasticIp);
    if (elasticIp) {
      template.hasResourceProperties('AWS::EC2::EIPAssociation', { NetworkInterfaceId: { Ref: ids.eni } });
    }
  });

  test('a fixed private address and security groups go to the created interface', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    const primary = importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a');
    const standby = importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a');
    new EniFailover(stack, 'Failover', { primary, standby, vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, privateIpAddress: '10.0.0.20', securityGroups: [sg] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::NetworkInterface', {
      PrivateIpAddress: '10.0.0.20',
      GroupSet: [{ 'Fn::GetAtt': [stack.getLogicalId(sg.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
    });
  });
});

describe('EniFailover reconcile Lambda', () => {
  test('runs arm64 with the recommended memory, a dead-letter queue, JSON logs with retention and a timeout above the deadline', () => {
    const { template, ids, stack, failover } = synthFailover({ deadline: Duration.seconds(90) });
    const logGroupId = stack.getLogicalId(engineChild(failover, 'LogGroup').node.defaultChild as logs.CfnLogGroup);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 150,
      // The engine's measured recommendation: a full vCPU for a CPU-bound cold start.
      MemorySize: RECOMMENDED_FUNCTION.memorySize,
      Architectures: ['arm64'],
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logGroupId } },
      Runtime: 'nodejs24.x',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(functionEnv(template, ids.function).DEADLINE_SECONDS).toBe('90');
  });

  test('reserves no concurrency by default, so it deploys on an account whose concurrency quota is 10', () => {
    const { template, ids } = synthFailover();
    expect(template.toJSON().Resources[ids.function].Properties.ReservedConcurrentExecutions).toBeUndefined();
    template.allResourcesProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });

  test.each([1, 2, 1000])('reservedConcurrentExecutions %s reserves that much for the trigger function only', (reserved) => {
    const { template, ids } = synthFailover({ reservedConcurrentExecutions: reserved });
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { ReservedConcurrentExecutions: reserved } });
    expect(Object.keys(functions)).toEqual([ids.function]);
  });

  test.each([0, -1, 1.5, 1001])('reservedConcurrentExecutions %s is rejected', (reserved) => {
    expect(() => synthFailover({ reservedConcurrentExecutions: reserved })).toThrow(
      `reservedConcurrentExecutions ${reserved} is not allowed: use a whole number from 1 to 1000, or leave it unset to reserve nothing (a new account's concurrency quota of 10 leaves nothing to reserve)`);
  });

  test.each<[Duration | undefined, number]>([[undefined, 600], [Duration.minutes(1), 60], [Duration.hours(6), 21_600]])(
    'maxEventAge %s: old trigger events are not redelivered for hours: one async retry, at most %s seconds old, and the engine ignores older notices', (maxEventAge, seconds) => {
      const { template, ids } = synthFailover({ maxEventAge });
      template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: ids.function },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: seconds,
      });
      expect(functionEnv(template, ids.function).MAX_NOTICE_AGE_SECONDS).toBe(String(seconds));
    });

  test('log retention can be chosen', () => {
    const { template } = synthFailover({ logRetention: logs.RetentionDays.ONE_YEAR });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the environment names the interface, the candidates in order, the device index and the topic', () => {
    const { template, ids } = synthFailover({ deviceIndex: 2 }, { instanceType: 'm5.large' });
    expect(functionEnv(template, ids.function)).toEqual({
      ENI_ID: { Ref: ids.eni },
      CANDIDATE_INSTANCE_IDS: { 'Fn::Join': ['', [{ Ref: ids.primary }, ',', { Ref: ids.standby }]] },
      DEVICE_INDEX: '2',
      FAILBACK: 'false',
      DEADLINE_SECONDS: '120',
      PLACEMENT_DEADLINE_SECONDS: '600',
      NOTIFY_TOPIC_ARN: { Ref: ids.topic },
      MAX_NOTICE_AGE_SECONDS: '600',
      POWERTOOLS_SERVICE_NAME: 'eni-failover',
      POWERTOOLS_METRICS_NAMESPACE: 'EniFailover',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    });
  });

  test.each([
    ['never', FailbackPolicy.never(), { FAILBACK: 'false' }],
    ['after 10 minutes', FailbackPolicy.after(Duration.minutes(10)), { FAILBACK: 'true', FAILBACK_AFTER_SECONDS: '600' }],
    ['immediately', FailbackPolicy.after(Duration.seconds(0)), { FAILBACK: 'true', FAILBACK_AFTER_SECONDS: '0' }],
  ])('failback %s is passed to the engine', (_name, failback, expected) => {
    const { template, ids } = synthFailover({ failback });
    const env = functionEnv(template, ids.function);
    expect(env).toMatchObject(expected);
    if (!failback.enabled) expect(env.FAILBACK_AFTER_SECONDS).toBeUndefined();
  });

  test('placementDeadline sets the placement deadline and the placement function timeout', () => {
    const { template, ids, stack, failover } = synthFailover({ placementDeadline: Duration.minutes(5) });
    expect(functionEnv(template, ids.function).PLACEMENT_DEADLINE_SECONDS).toBe('300');
    const placementId = stack.getLogicalId(engineChild(failover, 'PlacementFunction').node.defaultChild as any);
    expect(template.toJSON().Resources[placementId].Properties.Timeout).toBe(360);
  });

  test('the metrics namespace is configurable and shared with the metric helpers', () => {
    const { template, ids, failover, stack } = synthFailover({ metricsNamespace: 'Edge/Failover' });
    expect(functionEnv(template, ids.function).POWERTOOLS_METRICS_NAMESPACE).toBe('Edge/Failover');
    const m = failover.metricMoves();
    expect(m.namespace).toBe('Edge/Failover');
    expect(stack.resolve(m.dimensions)).toEqual({ service: 'eni-failover', NetworkInterfaceId: { Ref: ids.eni } });
  });

  test.each([
    ['metricMoves', 'Moves', 'Sum'],
    ['metricMoveDuration', 'MoveDurationMs', 'Maximum'],
    ['metricNoHealthyCandidate', 'NoHealthyCandidate', 'Sum'],
    ['metricDeadlineExceeded', 'DeadlineExceeded', 'Sum'],
  ] as const)('%s reads the engine metric %s (%s)', (method, name, statistic) => {
    const { failover } = failoverStack();
    const metric = failover[method]({ period: Duration.minutes(1) });
    expect(metric.metricName).toBe(name);
    expect(metric.statistic).toBe(statistic);
    expect(metric.namespace).toBe('EniFailover');
    expect(metric.period.toSeconds()).toBe(60);
  });

  test('the dead-letter queue is encrypted and refuses requests without TLS', () => {
    const { template, ids } = synthFailover();
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.queue }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('errors of the function and a non-empty dead-letter queue raise alarms to the topic', () => {
    const { template, ids, failover } = synthFailover({ triggers: [] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.function } }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: ids.topic }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
      AlarmActions: [{ Ref: ids.topic }],
    });
    expect(failover.alarms).toHaveLength(3);
  });

  test('a double failure that only scheduled runs see is alarmed once through the topic', () => {
    // Scheduled runs with nothing healthy do not throw (no error every 5 minutes); this alarm on
    // the engine's NoHealthyCandidate metric is what reports such a failure.
    const { template, ids } = synthFailover({ triggers: [] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'EniFailover',
      MetricName: 'NoHealthyCandidate',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: ids.topic }],
      OKActions: [{ Ref: ids.topic }],
    });
  });

  test('the trigger function is created after the first placement and deleted before its Delete', () => {
    // Otherwise a trigger run could re-attach the interface the placement's Delete just released.
    const { template, stack, failover } = synthFailover();
    const functionId = stack.getLogicalId(failover.function.node.defaultChild as lambda.CfnFunction);
    const placementId = stack.getLogicalId(failover.node.findChild('Placement').node.defaultChild as CfnResource);
    expect(template.toJSON().Resources[functionId].DependsOn).toEqual(expect.arrayContaining([placementId]));
  });
});

describe('EniFailover topic', () => {
  test('is encrypted with a rotating key that CloudWatch alarms may use, and requires TLS', () => {
    const { template, stack, failover } = synthFailover();
    const keyId = stack.getLogicalId(failover.node.findChild('TopicKey').node.defaultChild as any);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('CloudWatch alarms of this account may publish to the topic despite the TLS-only topic policy', () => {
    // enforceSSL writes a topic policy that replaces SNS's default one; without this statement the
    // alarm -> SNS -> Lambda chain would be refused with "no resource-based policy allows SNS:Publish".
    const { template, stack, failover } = synthFailover();
    const topicId = stack.getLogicalId(failover.topic.node.defaultChild as any);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'AllowCloudWatchAlarmsToPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:*']] } },
          },
        }]),
      },
    });
  });

  // Rewritten: the filter used to be `AlarmName exists`, which also let the failover's own errors
  // and dead-letter alarms invoke the reconcile Lambda that had just failed.
  test('invokes the reconcile Lambda for the trigger alarms by name only: never for its own errors or dead-letter alarm, nor for failure notices', () => {
    const { template, ids, stack, failover } = synthFailover();
    const alarmId = (name: string) => stack.getLogicalId(failover.node.findChild(name).node.defaultChild as cloudwatch.CfnAlarm);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: ids.topic },
      Endpoint: { 'Fn::GetAtt': [ids.function, 'Arn'] },
      FilterPolicyScope: 'MessageBody',
      // Exact names only: a plain-text failure notice is not a JSON body and never matches.
      FilterPolicy: { AlarmName: [{ Ref: alarmId('PrimaryStatusCheckAlarm') }, { Ref: alarmId('StandbyStatusCheckAlarm') }] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: ids.topic },
    });
  });

  test('with a health probe and health alarms the filter names the probe and health alarms, never the probe\'s errors alarm', () => {
    const triggers = [FailoverTrigger.statusCheckAlarm(), FailoverTrigger.healthProbe({ port: 443 })];
    const { stack, failover, primary } = failoverStack({ triggers });
    failover.addHealthAlarm(primary, cloudwatch.Alarm.fromAlarmArn(stack, 'App', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app-errors'));
    const template = Template.fromStack(stack);
    const ref = (c: Construct) => ({ Ref: stack.getLogicalId(c.node.defaultChild as cloudwatch.CfnAlarm) });
    const probeErrors = ref(failover.node.findChild('HealthProbe').node.findChild('ErrorsAlarm'));
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } }));
    expect(subscriptions).toHaveLength(1);
    const names = (subscriptions[0] as any).Properties.FilterPolicy.AlarmName;
    expect(names).toEqual([
      ref(failover.node.findChild('PrimaryStatusCheckAlarm')),
      ref(failover.node.findChild('StandbyStatusCheckAlarm')),
      ref(failover.node.findChild('PrimaryHealthProbeAlarm')),
      ref(failover.node.findChild('StandbyHealthProbeAlarm')),
      'app-errors',
    ]);
    expect(names).not.toContainEqual(probeErrors);
    expect(names).not.toContainEqual(ref(engineChild(failover, 'ErrorsAlarm')));
    expect(names).not.toContainEqual(ref(engineChild(failover, 'DeadLetterQueueAlarm')));
  });

  test('without trigger or health alarms the reconcile Lambda is not subscribed to the topic; a health alarm added later subscribes it', () => {
    const bare = failoverStack({ triggers: [FailoverTrigger.schedule()] });
    expect(Template.fromStack(bare.stack).findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } })).toEqual({});
    const { stack, failover, primary } = failoverStack({ triggers: [FailoverTrigger.schedule()] });
    failover.addHealthAlarm(primary, cloudwatch.Alarm.fromAlarmArn(stack, 'App', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app-errors'));
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', FilterPolicy: { AlarmName: ['app-errors'] } });
  });

  test('alarmEmails subscribes each address', () => {
    const { template, ids } = synthFailover({ alarmEmails: ['ops@example.com', 'oncall@example.com'] });
    for (const email of ['ops@example.com', 'oncall@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: ids.topic } });
    }
  });

  test('notifyOnFailure false leaves the topic out of the function', () => {
    const { template, ids, stack, failover } = synthFailover({ notifyOnFailure: false });
    expect(functionEnv(template, ids.function).NOTIFY_TOPIC_ARN).toBeUndefined();
    const actions = roleStatements(template, stack, failover).flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('sns:Publish');
  });
});

describe('EniFailover IAM', () => {
  test('attach is scoped to the interface and the two instances, detach to the interface; describe calls are the only *', () => {
    const { template, ids, stack, failover } = synthFailover();
    const statements = roleStatements(template, stack, failover);
    const scoped = [ec2Arn('network-interface', ids.eni), ec2Arn('instance', ids.primary), ec2Arn('instance', ids.standby)];
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'ec2:AttachNetworkInterface', Effect: 'Allow', Resource: scoped },
      // Detach must reach a replaced primary that is no longer a candidate: the interface ARN scopes it.
      {
        Action: 'ec2:DetachNetworkInterface',
        Effect: 'Allow',
        Resource: [ec2Arn('network-interface', ids.eni), { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:instance/*']] }],
      },
      { Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'], Effect: 'Allow', Resource: '*' },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: ids.topic } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
    ]));
    const onStar = statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(onStar).toHaveLength(1);
    // Nothing beyond these: EC2 attach/detach/describe, publishing (with the topic key), logs, the DLQ.
    expect(new Set(statements.flatMap((s) => [s.Action].flat()))).toEqual(new Set([
      'ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface', 'ec2:CreateTags', 'ec2:DeleteTags',
      'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'cloudwatch:DescribeAlarms',
      'sns:Publish', 'kms:Decrypt', 'kms:GenerateDataKey*',
      'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage',
    ]));
  });

  test('an interface replaced by a deploy can still be released: detach is allowed on interfaces carrying this failover\'s tag', () => {
    // CloudFormation updates the role policy (naming the new interface) before the placement's
    // Update releases the old one; the owner tag, which the old interface carries too, allows it.
    const { template, stack, failover } = synthFailover();
    const owner = Names.uniqueId(failover);
    template.hasResourceProperties('AWS::EC2::NetworkInterface', {
      Tags: Match.arrayWith([{ Key: 'cdk-eni-patterns:failover-owner', Value: owner }]),
    });
    expect(roleStatements(template, stack, failover)).toEqual(expect.arrayContaining([{
      Action: 'ec2:DetachNetworkInterface',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:network-interface/*']] },
      Condition: { StringEquals: { 'aws:ResourceTag/cdk-eni-patterns:failover-owner': owner } },
    }]));
  });

  test('the engine may set and remove only its own tags (pin, refused device index), on the floating interface only', () => {
    const { template, ids, stack, failover } = synthFailover();
    const tagging = roleStatements(template, stack, failover).filter((s) => [s.Action].flat().some((a) => a.endsWith('Tags')));
    expect(tagging).toEqual([{
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Effect: 'Allow',
      Resource: ec2Arn('network-interface', ids.eni),
      // Without keys, DeleteTags deletes every tag (the owner tag too): keys must be given.
      Condition: {
        'ForAllValues:StringLike': { 'aws:TagKeys': ['eni-failover:pin', 'eni-failover:refused:*'] },
        'Null': { 'aws:TagKeys': 'false' },
      },
    }]);
  });

  test.each<[boolean | undefined, boolean]>([[undefined, false], [false, false], [true, true]])(
    'fence %s: the engine may stop the two candidates and nothing else only when fencing is on', (fence, granted) => {
      const { template, ids, stack, failover } = synthFailover({ fence });
      const stops = roleStatements(template, stack, failover).filter((s) => [s.Action].flat().includes('ec2:StopInstances'));
      expect(stops).toEqual(granted
        ? [{ Action: 'ec2:StopInstances', Effect: 'Allow', Resource: [ec2Arn('instance', ids.primary), ec2Arn('instance', ids.standby)] }]
        : []);
      expect(functionEnv(template, ids.function).FENCE).toBe(granted ? 'true' : undefined);
    });

  test('the reconcile role has no managed policies', () => {
    const { template, stack, failover } = synthFailover();
    const roleId = stack.getLogicalId(failover.function.role!.node.defaultChild as iam.CfnRole);
    expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('imported instances are scoped by their literal ARNs', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const failover = new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
      vpc,
    });
    const template = Template.fromStack(stack);
    const attach = roleStatements(template, stack, failover).find((s) => s.Action === 'ec2:AttachNetworkInterface')!;
    expect(attach.Resource).toEqual([
      ec2Arn('network-interface', stack.getLogicalId((failover.networkInterface as NetworkInterface).resource)),
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:instance/i-0aaaaaaaaaaaaaaaa']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:instance/i-0bbbbbbbbbbbbbbbb']] },
    ]);
  });
});

describe('EniFailover health alarms', () => {
  const id = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  const APP_ALARM_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app check, primary | web';
  const healthStatements = (statements: Statement[]) => statements.filter((s) => [s.Action].flat().includes('cloudwatch:DescribeAlarms'));

  function appAlarm(stack: Stack, instance: ec2.IInstance, name = 'AppAlarm') {
    return new cloudwatch.Alarm(stack, name, {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors', dimensionsMap: { InstanceId: instance.instanceId } }),
      threshold: 1,
      evaluationPeriods: 1,
    });
  }

  test('the health probe alarms are passed as HEALTH_ALARMS to the reconcile and placement functions, primary first', () => {
    const { template, ids, stack, failover } = synthFailover({ triggers: [FailoverTrigger.healthProbe({ port: 443 })] });
    const expected = {
      'Fn::Join': ['', [
        '{"', { Ref: ids.primary }, '":["', { Ref: id(stack, failover.node.findChild('PrimaryHealthProbeAlarm')) },
        '"],"', { Ref: ids.standby }, '":["', { Ref: id(stack, failover.node.findChild('StandbyHealthProbeAlarm')) }, '"]}',
      ]],
    };
    expect(functionEnv(template, ids.function).HEALTH_ALARMS).toEqual(expected);
    const placementId = stack.getLogicalId(engineChild(failover, 'PlacementFunction').node.defaultChild as any);
    expect(functionEnv(template, placementId).HEALTH_ALARMS).toEqual(expected);
  });

  test('the reconcile role may call cloudwatch:DescribeAlarms on exactly the probe alarms, never on *', () => {
    const { template, stack, failover } = synthFailover({ triggers: [FailoverTrigger.healthProbe({ port: 443 })] });
    const statements = roleStatements(template, stack, failover);
    expect(healthStatements(statements)).toEqual([{
      Action: 'cloudwatch:DescribeAlarms',
      Effect: 'Allow',
      Resource: [
        { 'Fn::GetAtt': [id(stack, failover.node.findChild('PrimaryHealthProbeAlarm')), 'Arn'] },
        { 'Fn::GetAtt': [id(stack, failover.node.findChild('StandbyHealthProbeAlarm')), 'Arn'] },
      ],
    }]);
    // Still only the EC2 describe calls on '*'.
    expect(statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))).toHaveLength(1);
  });

  test('the probe alarms keep publishing to the topic, so an alarm still starts a run at once', () => {
    const { template, ids, stack, failover } = synthFailover({ triggers: [FailoverTrigger.healthProbe({ port: 443 })] });
    const alarmId = id(stack, failover.node.findChild('PrimaryHealthProbeAlarm'));
    expect(template.toJSON().Resources[alarmId].Properties).toMatchObject({ AlarmActions: [{ Ref: ids.topic }], OKActions: [{ Ref: ids.topic }] });
  });

  test('without health alarms there is no HEALTH_ALARMS; the engine may read the status check alarms whose notices start it, and no other', () => {
    const { template, ids, stack, failover } = synthFailover();
    expect(functionEnv(template, ids.function).HEALTH_ALARMS).toBeUndefined();
    expect(healthStatements(roleStatements(template, stack, failover))).toEqual([{
      Action: 'cloudwatch:DescribeAlarms',
      Effect: 'Allow',
      Resource: [
        { 'Fn::GetAtt': [id(stack, failover.node.findChild('PrimaryStatusCheckAlarm')), 'Arn'] },
        { 'Fn::GetAtt': [id(stack, failover.node.findChild('StandbyStatusCheckAlarm')), 'Arn'] },
      ],
    }]);
  });

  test('without trigger or health alarms there is no CloudWatch permission', () => {
    const { template, stack, failover } = synthFailover({ triggers: [FailoverTrigger.schedule()] });
    expect(healthStatements(roleStatements(template, stack, failover))).toEqual([]);
  });

  test('healthAlarms from props, a created and an imported alarm, appear with their names and exact ARNs', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const primary = testInstance(stack, 'Primary', vpc, vpc.publicSubnets[0]);
    const standby = testInstance(stack, 'Standby', vpc, vpc.publicSubnets[0]);
    const created = appAlarm(stack, standby);
    const imported = cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', APP_ALARM_ARN);
    const failover = new EniFailover(stack, 'Failover', {
      primary, standby, vpc, healthAlarms: [{ instance: standby, alarm: created }, { instance: primary, alarm: imported }],
    });
    const template = Template.fromStack(stack);
    expect(functionEnv(template, id(stack, failover.function as any)).HEALTH_ALARMS).toEqual({
      'Fn::Join': ['', [
        '{"', { Ref: id(stack, primary) }, '":["app check, primary | web"],"', { Ref: id(stack, standby) }, '":["', { Ref: id(stack, created) }, '"]}',
      ]],
    });
    expect(healthStatements(roleStatements(template, stack, failover))).toEqual([{
      Action: 'cloudwatch:DescribeAlarms',
      Effect: 'Allow',
      Resource: [
        // The default triggers' status check alarms come first: the engine reads what their notices say.
        { 'Fn::GetAtt': [id(stack, failover.node.findChild('PrimaryStatusCheckAlarm')), 'Arn'] },
        { 'Fn::GetAtt': [id(stack, failover.node.findChild('StandbyStatusCheckAlarm')), 'Arn'] },
        { 'Fn::GetAtt': [id(stack, created), 'Arn'] },
        APP_ALARM_ARN,
      ],
    }]);
  });

  test('addHealthAlarm after construction is rendered too; one alarm on both candidates is granted once', () => {
    const { stack, failover, primary, standby } = failoverStack({ triggers: [FailoverTrigger.healthProbe({ port: 443 })] });
    const shared = appAlarm(stack, primary, 'SharedAlarm');
    failover.addHealthAlarm(primary, shared);
    failover.addHealthAlarm(standby, shared);
    const template = Template.fromStack(stack);
    const probe = (name: string) => ({ Ref: id(stack, failover.node.findChild(name)) });
    expect(functionEnv(template, id(stack, failover.function as any)).HEALTH_ALARMS).toEqual({
      'Fn::Join': ['', [
        '{"', { Ref: id(stack, primary) }, '":["', probe('PrimaryHealthProbeAlarm'), '","', { Ref: id(stack, shared) },
        '"],"', { Ref: id(stack, standby) }, '":["', probe('StandbyHealthProbeAlarm'), '","', { Ref: id(stack, shared) }, '"]}',
      ]],
    });
    const [statement] = healthStatements(roleStatements(template, stack, failover));
    expect(statement.Resource).toEqual([
      { 'Fn::GetAtt': [id(stack, failover.node.findChild('PrimaryHealthProbeAlarm')), 'Arn'] },
      { 'Fn::GetAtt': [id(stack, failover.node.findChild('StandbyHealthProbeAlarm')), 'Arn'] },
      { 'Fn::GetAtt': [id(stack, shared), 'Arn'] },
    ]);
  });

  test('an imported candidate matched by its instance id is accepted', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const failover = new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'), standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'), vpc,
    });
    // A second reference to the standby, e.g. imported again in another construct.
    const again = importedInstance(new Construct(stack, 'Elsewhere'), 'i-0bbbbbbbbbbbbbbbb', 'dummy1a');
    failover.addHealthAlarm(again, cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', APP_ALARM_ARN));
    expect(functionEnv(Template.fromStack(stack), id(stack, failover.function as any)).HEALTH_ALARMS).toBe('{"i-0bbbbbbbbbbbbbbbb":["app check, primary | web"]}');
  });

  test('a health alarm for an instance that is not a candidate is rejected, naming both candidates', () => {
    const { stack, vpc, failover } = failoverStack();
    const other = testInstance(stack, 'Other', vpc, vpc.publicSubnets[0]);
    expect(() => failover.addHealthAlarm(other, appAlarm(stack, other))).toThrow(
      'addHealthAlarm: instance TestStack/Other is not a candidate of TestStack/Failover: a health alarm belongs to the primary (TestStack/Primary) or the standby (TestStack/Standby)');
  });

  test('the same alarm twice for one instance is rejected', () => {
    const { stack, primary, failover } = failoverStack();
    const alarm = appAlarm(stack, primary);
    failover.addHealthAlarm(primary, alarm);
    expect(() => failover.addHealthAlarm(primary, alarm)).toThrow(
      'addHealthAlarm: alarm TestStack/AppAlarm is already a health alarm of TestStack/Primary: add each alarm once per instance');
  });

  test('healthAlarms in props are validated with the prop name', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const primary = testInstance(stack, 'Primary', vpc, vpc.publicSubnets[0]);
    const standby = testInstance(stack, 'Standby', vpc, vpc.publicSubnets[0]);
    const other = testInstance(stack, 'Other', vpc, vpc.publicSubnets[0]);
    expect(() => new EniFailover(stack, 'Failover', { primary, standby, vpc, healthAlarms: [{ instance: other, alarm: appAlarm(stack, other) }] }))
      .toThrow('healthAlarms: instance TestStack/Other is not a candidate of TestStack/Failover');
  });

  test('more than 100 health alarms are rejected: the engine reads them with one request', () => {
    const { stack, primary, failover } = failoverStack();
    for (let n = 0; n < 100; n++) failover.addHealthAlarm(primary, cloudwatch.Alarm.fromAlarmArn(stack, `A${n}`, `${APP_ALARM_ARN}-${n}`));
    expect(() => failover.addHealthAlarm(primary, cloudwatch.Alarm.fromAlarmArn(stack, 'A100', `${APP_ALARM_ARN}-100`))).toThrow(
      'addHealthAlarm: alarm TestStack/A100 would be health alarm number 101 of TestStack/Failover: at most 100, so one DescribeAlarms request reads them all');
  });
});

describe('EniFailover floating address probe', () => {
  const probe = { port: 443, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } };

  test('is off by default: the reconcile Lambda runs outside the VPC and probes nothing', () => {
    const { template, ids } = synthFailover();
    expect(template.toJSON().Resources[ids.function].Properties.VpcConfig).toBeUndefined();
    expect(functionEnv(template, ids.function).FLOATING_PROBE_PORT).toBeUndefined();
  });

  test.each<[Duration | undefined, string]>([[undefined, '2000'], [Duration.millis(500), '500'], [Duration.seconds(20), '20000']])(
    'timeout %s: the trigger function probes the port with that timeout; the placement never probes', (timeout, ms) => {
      const { template, ids, stack, failover } = synthFailover({ floatingAddressProbe: { ...probe, timeout } });
      expect(functionEnv(template, ids.function)).toEqual(expect.objectContaining({ FLOATING_PROBE_PORT: '443', FLOATING_PROBE_TIMEOUT_MS: ms }));
      const placementId = stack.getLogicalId(engineChild(failover, 'PlacementFunction').node.defaultChild as any);
      expect(functionEnv(template, placementId).FLOATING_PROBE_PORT).toBeUndefined();
      expect(template.toJSON().Resources[placementId].Properties.VpcConfig).toBeUndefined();
    });

  test('the trigger function runs in the chosen subnets with a security group that reaches the port on the interface and HTTPS only', () => {
    const { template, ids, stack, failover, vpc } = synthFailover({ floatingAddressProbe: probe });
    const sg = failover.node.findChild('ReconcileSecurityGroup') as ec2.SecurityGroup;
    const sgId = stack.getLogicalId(sg.node.defaultChild as ec2.CfnSecurityGroup);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: vpc.isolatedSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })),
        SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
      },
      Environment: { Variables: Match.objectLike({ ENI_ID: { Ref: ids.eni } }) },
    });
    const egress = template.toJSON().Resources[sgId].Properties.SecurityGroupEgress;
    expect(egress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    const eniSg = (failover.networkInterface as NetworkInterface).connections.securityGroups[0];
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(eniSg.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443, GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
    });
  });

  test('the reconcile role gets the VPC permissions of a function in a VPC, never a change to the floating interface', () => {
    const { template, ids, stack, failover } = synthFailover({ floatingAddressProbe: probe });
    const statements = roleStatements(template, stack, failover) as any[];
    expect(statements).toContainEqual({
      Action: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Effect: 'Deny',
      Resource: ec2Arn('network-interface', ids.eni),
    });
    const allowedOnStar = statements.filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'));
    expect(new Set(allowedOnStar.flatMap((s) => [s.Action].flat()))).toEqual(new Set(['ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus']));
  });

  test.each<[string, Partial<EniFailoverProps>, string]>([
    ['port 0', { floatingAddressProbe: { port: 0 } }, 'floatingAddressProbe port 0 is not allowed: use a whole number from 1 to 65535'],
    ['port 65536', { floatingAddressProbe: { port: 65536 } }, 'floatingAddressProbe port 65536 is not allowed: use a whole number from 1 to 65535'],
    ['timeout 50 ms', { floatingAddressProbe: { port: 80, timeout: Duration.millis(50) } },
      'floatingAddressProbe timeout 50 millis is not allowed: use 100 milliseconds to 20 seconds (the run waits for it)'],
    ['timeout 21 s', { floatingAddressProbe: { port: 80, timeout: Duration.seconds(21) } },
      'floatingAddressProbe timeout 21 seconds is not allowed: use 100 milliseconds to 20 seconds (the run waits for it)'],
  ])('%s is rejected', (_name, props, message) => {
    expect(() => failoverStack(props)).toThrow(message);
  });

  test('an adopted interface without vpc is rejected', () => {
    const stack = testStack(testApp());
    expect(() => new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
      networkInterface: NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Eni', { networkInterfaceId: 'eni-0123456789abcdef0' }),
      floatingAddressProbe: { port: 443 },
    })).toThrow('floatingAddressProbe of TestStack/Failover runs the reconcile Lambda in the VPC, but no vpc is known: pass vpc to EniFailover when it adopts a networkInterface');
  });
});

describe('EniFailover validation', () => {
  test('candidates in different Availability Zones are rejected, naming both', () => {
    expect(() => failoverStack({}, { standbyInOtherAz: true })).toThrow(
      "primary TestStack/Primary (dummy1a) and standby TestStack/Standby (dummy1b) must be in the Availability Zone of the network interface TestStack/Failover/NetworkInterface (dummy1a): a network interface can only be attached to instances in its own Availability Zone; place both instances and the interface's subnet in one AZ");
  });

  test('an adopted interface in another Availability Zone is rejected', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const eni = new NetworkInterface(stack, 'Elsewhere', { vpc, vpcSubnets: { subnets: [vpc.publicSubnets[1]] } });
    expect(() => new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
      networkInterface: eni,
    })).toThrow('primary TestStack/Imported-i-0aaaaaaaaaaaaaaaa (dummy1a) and standby TestStack/Imported-i-0bbbbbbbbbbbbbbbb (dummy1a) must be in the Availability Zone of the network interface TestStack/Elsewhere (dummy1b)');
  });

  test('an interface of unknown AZ still needs both candidates in one AZ', () => {
    const stack = testStack(testApp());
    const eni = NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Eni', { networkInterfaceId: 'eni-0123456789abcdef0' });
    expect(() => new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1b'),
      networkInterface: eni,
    })).toThrow('primary TestStack/Imported-i-0aaaaaaaaaaaaaaaa (dummy1a) and standby TestStack/Imported-i-0bbbbbbbbbbbbbbbb (dummy1b) are in different Availability Zones');
  });

  test('primary and standby must be distinct', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const same = importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a');
    expect(() => new EniFailover(stack, 'Same', { primary: same, standby: same, vpc })).toThrow(
      'primary and standby are the same instance (TestStack/Imported-i-0aaaaaaaaaaaaaaaa): a failover needs two distinct instances');
    class Twin extends Stack {}
    const other = new Twin(testApp(), 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });
    const v2 = testVpc(other);
    expect(() => new EniFailover(other, 'Twins', {
      primary: importedInstance(other, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(new Stack(other, 'Nested'), 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      vpc: v2,
    })).toThrow('primary and standby are the same instance (i-0aaaaaaaaaaaaaaaa)');
  });

  test.each([0, -1, 32, 1.5])('deviceIndex %s is rejected', (deviceIndex) => {
    expect(() => failoverStack({ deviceIndex })).toThrow(
      `deviceIndex ${deviceIndex} is not allowed: index 0 is an instance's primary network interface; use an integer from 1 to 31 that is below the instance type's interface limit`);
  });

  test('deviceIndex at or above the instance type\'s interface limit is rejected', () => {
    expect(() => failoverStack({ deviceIndex: 2 }, { instanceType: 't3.micro' })).toThrow(
      "deviceIndex 2 is not allowed on the primary TestStack/Primary: instance type 't3.micro' supports 2 network interfaces (device indexes 0 to 1); choose a lower index or a larger instance type");
    expect(() => failoverStack({ deviceIndex: 2 }, { instanceType: 'm5.large' })).not.toThrow();
  });

  test('a device index already taken on either instance is rejected', () => {
    expect(() => failoverStack({ deviceIndex: 1 }, {
      before: ({ stack, vpc, standby }) => {
        new NetworkInterface(stack, 'Management', { vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] } }).attachToInstance(standby, { deviceIndex: 1 });
      },
    })).toThrow('deviceIndex 1 is already used on the standby TestStack/Standby by TestStack/Management: the floating interface needs the same free index on both instances (in use: 0, 1)');
  });

  test('the failover claims its device index, so a later static attachment there is rejected', () => {
    const { stack, vpc, primary } = failoverStack({ deviceIndex: 1 });
    const eni = new NetworkInterface(stack, 'Late', { vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] } });
    expect(() => eni.attachToInstance(primary, { deviceIndex: 1 })).toThrow(
      'deviceIndex 1 is already used on TestStack/Primary by TestStack/Failover (floating interface)');
  });

  test('an adopted interface with more addresses than the instance type allows per interface is rejected', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const eni = new NetworkInterface(stack, 'Busy', { vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] }, secondaryPrivateIpAddressCount: 2 });
    const primary = new ec2.Instance(stack, 'Primary', {
      vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] }, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    expect(() => new EniFailover(stack, 'Failover', {
      primary,
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
      networkInterface: eni,
    })).toThrow("instance type 't3.micro' supports at most 2 private IPv4 addresses per network interface, but 3 are assigned to TestStack/Busy");
  });

  test('an interface attached statically cannot be adopted', () => {
    const stack = testStack(testApp());
    const vpc = testVpc(stack);
    const eni = new NetworkInterface(stack, 'Static', { vpc, vpcSubnets: { subnets: [vpc.publicSubnets[0]] } });
    const primary = importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a');
    eni.attachToInstance(primary, { deviceIndex: 2 });
    expect(() => new EniFailover(stack, 'Failover', {
      primary,
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
      networkInterface: eni,
    })).toThrow('networkInterface TestStack/Static is attached statically with attachToInstance(): CloudFormation would own an attachment that EniFailover moves and put it back on every update; remove the attachToInstance() call');
  });

  test('attaching the floating interface statically after the failover fails synthesis', () => {
    const { failover, stack } = failoverStack();
    const other = importedInstance(stack, 'i-0eeeeeeeeeeeeeeee', 'dummy1a');
    (failover.networkInterface as NetworkInterface).attachToInstance(other, { deviceIndex: 1 });
    expect(() => Template.fromStack(stack)).toThrow(/networkInterface TestStack\/Failover\/NetworkInterface is attached statically with attachToInstance\(\)/);
  });

  test('vpc is required when no interface is adopted', () => {
    const stack = testStack(testApp());
    expect(() => new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
    })).toThrow('vpc is required when networkInterface is not given: EniFailover creates the floating network interface in vpc (and vpcSubnets)');
  });

  test('props of the created interface cannot be combined with an adopted one', () => {
    const stack = testStack(testApp());
    const eni = NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Eni', { networkInterfaceId: 'eni-0123456789abcdef0' });
    expect(() => new EniFailover(stack, 'Failover', {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
      networkInterface: eni,
      privateIpAddress: '10.0.0.5',
      elasticIp: true,
    })).toThrow('privateIpAddress, elasticIp apply to the network interface EniFailover creates, but networkInterface TestStack/Eni is given: configure the adopted interface itself, or drop networkInterface');
  });

  test.each([
    ['deadline', { deadline: Duration.seconds(2) }, 'deadline 2 seconds is not allowed: use whole seconds from 5 to 840'],
    ['deadline', { deadline: Duration.minutes(15) }, 'deadline 15 minutes is not allowed: use whole seconds from 5 to 840'],
    ['placementDeadline', { placementDeadline: Duration.minutes(20) }, 'placementDeadline 20 minutes is not allowed: use whole seconds from 5 to 840'],
    ['maxEventAge', { maxEventAge: Duration.seconds(59) }, 'maxEventAge 59 seconds is not allowed: use whole seconds from 60 (1 minute) to 21600 (6 hours), the range Lambda accepts for the age of asynchronous events'],
    ['maxEventAge', { maxEventAge: Duration.hours(7) }, 'maxEventAge 7 hours is not allowed: use whole seconds from 60 (1 minute) to 21600 (6 hours)'],
    ['maxEventAge', { maxEventAge: Duration.millis(90_500) }, 'maxEventAge 1 minute 30 seconds is not allowed: use whole seconds from 60 (1 minute) to 21600 (6 hours)'],
  ])('%s out of range is rejected', (_name, props, message) => {
    expect(() => failoverStack(props)).toThrow(message);
  });

  test('a failback delay over a day is rejected', () => {
    expect(() => FailbackPolicy.after(Duration.days(2))).toThrow('failback delay 2 days is not allowed: use 0 seconds to 24 hours');
  });

  test('an email address that is not one is rejected', () => {
    expect(() => failoverStack({ alarmEmails: ['ops-at-example.com'] })).toThrow("alarmEmails contains 'ops-at-example.com', which is not an email address");
  });

  test('a trigger kind given twice is rejected', () => {
    expect(() => failoverStack({ triggers: [FailoverTrigger.schedule(), FailoverTrigger.schedule(Duration.minutes(1))] })).toThrow(
      'triggers lists schedule twice: use each kind of FailoverTrigger once');
  });
});

describe('EniFailover compliance', () => {
  function compliantStack() {
    const stack = testStack(testApp());
    const vpc = testVpc(stack, 'Vpc', { flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
    const instance = (id: string) => {
      const i = new ec2.Instance(stack, id, {
        vpc,
        vpcSubnets: { subnets: [vpc.publicSubnets[0]] },
        instanceType: new ec2.InstanceType('t3.micro'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        requireImdsv2: true,
        detailedMonitoring: true,
        disableApiTermination: true,
        blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
      });
      return i;
    };
    const failover = new EniFailover(stack, 'Failover', {
      primary: instance('Primary'),
      standby: instance('Standby'),
      vpc,
      elasticIp: true,
      alarmEmails: ['ops@example.com'],
      failback: FailbackPolicy.after(Duration.minutes(10)),
      fence: true,
      reservedConcurrentExecutions: 1,
      floatingAddressProbe: { port: 8080, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } },
      triggers: [...FailoverTrigger.defaults(), FailoverTrigger.healthProbe({ port: 8080, protocol: undefined })],
    });
    return { stack, failover };
  }

  test('has no unexplained cdk-nag AwsSolutions finding', () => {
    const { stack } = compliantStack();
    expect(nagFindings(stack)).toEqual([]);
  });

  test('the template is cfn-lint clean', () => {
    const { stack } = compliantStack();
    expect(cfnLintStacks(stack)).toBe('');
  });
});
