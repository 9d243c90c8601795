import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ec2Arn, synthFailover } from './fixture';
import { NetworkInterface } from '../../src';
import { EniFailover, EniFailoverProps } from '../../src/failover/eni-failover';
import { FailoverTrigger, ProbeProtocol } from '../../src/failover/failover-trigger';
import { importedInstance, testApp, testStack, testVpc } from '../util';

describe('default triggers', () => {
  test('are status check alarms, instance state-change events and a 5-minute schedule', () => {
    const { template, failover } = synthFailover();
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['EC2 Instance State-change Notification'] }) });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'StatusCheckFailed' }, 2);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ PROBE_TARGETS: Match.anyValue() }) } }, 0);
    // Two status check alarms, the function errors, dead-letter queue and no-healthy-candidate alarms.
    expect(failover.alarms).toHaveLength(5);
  });

  test('an empty list leaves only the alarms on the failover itself', () => {
    const { template } = synthFailover({ triggers: [] });
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });
});

describe('FailoverTrigger.statusCheckAlarm', () => {
  test.each([
    ['Primary', 'primary'],
    ['Standby', 'standby'],
  ] as const)('alarms on the %s status checks every minute and publishes ALARM and OK to the topic', (_name, key) => {
    const { template, ids } = synthFailover({ triggers: [FailoverTrigger.statusCheckAlarm()] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/EC2',
      MetricName: 'StatusCheckFailed',
      Dimensions: [{ Name: 'InstanceId', Value: { Ref: ids[key] } }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [{ Ref: ids.topic }],
      OKActions: [{ Ref: ids.topic }],
    });
  });

  test('evaluationPeriods sets how many failed minutes raise the alarm', () => {
    const { template } = synthFailover({ triggers: [FailoverTrigger.statusCheckAlarm({ evaluationPeriods: 3 })] });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'StatusCheckFailed', EvaluationPeriods: 3 }, 2);
  });

  test.each([0, 61, 1.5])('evaluationPeriods %s is rejected', (evaluationPeriods) => {
    expect(() => FailoverTrigger.statusCheckAlarm({ evaluationPeriods })).toThrow(
      `statusCheckAlarm evaluationPeriods ${evaluationPeriods} is not allowed: use a whole number from 1 to 60`);
  });
});

describe('FailoverTrigger.instanceStateChange', () => {
  test('sends every state change of the two candidates to the reconcile Lambda', () => {
    const { template, ids } = synthFailover({ triggers: [FailoverTrigger.instanceStateChange()] });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        'detail': {
          'instance-id': [{ Ref: ids.primary }, { Ref: ids.standby }],
          'state': ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'],
        },
      },
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ids.function, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [ids.function, 'Arn'] },
    });
  });
});

describe('FailoverTrigger.schedule', () => {
  test.each([
    [undefined, 'rate(5 minutes)'],
    [Duration.minutes(1), 'rate(1 minute)'],
    [Duration.hours(1), 'rate(1 hour)'],
  ])('rate %s runs the reconcile Lambda on %s', (rate, expression) => {
    const { template, ids } = synthFailover({ triggers: [FailoverTrigger.schedule(rate)] });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: expression,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ids.function, 'Arn'] } })],
    });
  });

  test.each([
    [Duration.seconds(30), '30 seconds'],
    [Duration.seconds(90), '1 minute 30 seconds'],
  ])('rate %s is rejected', (rate, human) => {
    expect(() => FailoverTrigger.schedule(rate)).toThrow(
      `schedule rate ${human} is not allowed: EventBridge schedules run at most once a minute; use a whole number of minutes of 1 or more`);
  });
});

describe('FailoverTrigger.healthProbe', () => {
  function probeFunctionId(failover: EniFailover) {
    return failover.node.findChild('HealthProbe').node.findChild('Function').node.defaultChild as any;
  }

  test('runs a probe function in the interface\'s subnet every interval with the candidates\' addresses', () => {
    const { template, stack, failover, ids, vpc } = synthFailover({
      triggers: [FailoverTrigger.healthProbe({ port: 8080, protocol: ProbeProtocol.HTTP, path: '/health', interval: Duration.minutes(2), timeout: Duration.seconds(2) })],
    });
    const fnId = stack.getLogicalId(probeFunctionId(failover));
    const subnet = vpc.isolatedSubnets[0];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 12,
      VpcConfig: { SubnetIds: [{ Ref: stack.getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet) }] },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: {
          PROBE_TARGETS: {
            'Fn::Join': ['', [
              { Ref: ids.primary }, '=', { 'Fn::GetAtt': [ids.primary, 'PrivateIp'] }, ',',
              { Ref: ids.standby }, '=', { 'Fn::GetAtt': [ids.standby, 'PrivateIp'] },
            ]],
          },
          PROBE_PORT: '8080',
          PROBE_PROTOCOL: 'HTTP',
          PROBE_PATH: '/health',
          PROBE_TIMEOUT_MS: '2000',
          POWERTOOLS_SERVICE_NAME: 'eni-failover-probe',
          POWERTOOLS_METRICS_NAMESPACE: 'EniFailover',
          AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
        },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
    });
  });

  test.each([
    ['Primary', 'primary'],
    ['Standby', 'standby'],
  ] as const)('an alarm on the %s probe result publishes ALARM and OK to the topic', (_name, key) => {
    const { template, ids } = synthFailover({ triggers: [FailoverTrigger.healthProbe({ port: 443, unhealthyThreshold: 3 })] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'EniFailover',
      MetricName: 'ProbeSuccess',
      Dimensions: Match.arrayWith([{ Name: 'InstanceId', Value: { Ref: ids[key] } }, { Name: 'service', Value: 'eni-failover-probe' }]),
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [{ Ref: ids.topic }],
      OKActions: [{ Ref: ids.topic }],
    });
  });

  test('opens the port on the candidates to the probe only, and the probe only to the candidates', () => {
    const { template, stack, failover, primary } = synthFailover({ triggers: [FailoverTrigger.healthProbe({ port: 8080 })] });
    const probeSg = failover.node.findChild('HealthProbe').node.findChild('SecurityGroup') as ec2.SecurityGroup;
    const probeSgId = stack.getLogicalId(probeSg.node.defaultChild as ec2.CfnSecurityGroup);
    const primarySg = primary.connections.securityGroups[0];
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(primarySg.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [probeSgId, 'GroupId'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 })]),
    });
    const egress = template.toJSON().Resources[probeSgId].Properties.SecurityGroupEgress as any[];
    expect(egress.every((rule) => rule.CidrIp !== '0.0.0.0/0')).toBe(true);
  });

  describe('the probe role', () => {
    function probeStatements(triggerProps: Partial<EniFailoverProps> = {}) {
      const f = synthFailover({ triggers: [FailoverTrigger.healthProbe({ port: 8080 })], ...triggerProps });
      const role = f.failover.node.findChild('HealthProbe').node.findChild('ServiceRole') as iam.Role;
      const roleId = f.stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
      const policies = f.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
      const statements: any[] = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      return { ...f, statements, vpcArn: ec2Arn('vpc', f.stack.getLogicalId(f.vpc.node.defaultChild as ec2.CfnVPC)) };
    }
    const MANAGE = ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];
    const inAccount = (type: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:${type}/*`]] });

    test('no mutating EC2 action is allowed on *: only DescribeNetworkInterfaces, which AWS supports on * only', () => {
      const { statements } = probeStatements();
      const allowedOnStar = statements.filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'));
      expect(allowedOnStar).toEqual([{ Action: 'ec2:DescribeNetworkInterfaces', Effect: 'Allow', Resource: '*' }]);
    });

    test('creating and managing its interfaces is allowed in this account and Region only', () => {
      const { statements } = probeStatements();
      expect(statements).toEqual(expect.arrayContaining([
        { Action: 'ec2:CreateNetworkInterface', Effect: 'Allow', Resource: [inAccount('network-interface'), inAccount('subnet'), inAccount('security-group')] },
        { Action: MANAGE, Effect: 'Allow', Resource: inAccount('network-interface') },
      ]));
    });

    test('every change outside the VPC is denied where EC2 names the VPC', () => {
      const { statements, vpcArn } = probeStatements();
      expect(statements).toContainEqual({
        Action: ['ec2:CreateNetworkInterface', ...MANAGE],
        Effect: 'Deny',
        Resource: '*',
        // A deny whose key is absent does not match: Lambda's own check of the role still passes.
        Condition: { StringNotEquals: { 'ec2:Vpc': vpcArn }, Null: { 'ec2:Vpc': 'false' } },
      });
    });

    test('the floating interface, and any interface a failover owns, can never be deleted or re-addressed by the probe', () => {
      const { statements, ids } = probeStatements();
      expect(statements).toEqual(expect.arrayContaining([
        { Action: MANAGE, Effect: 'Deny', Resource: ec2Arn('network-interface', ids.eni) },
        { Action: MANAGE, Effect: 'Deny', Resource: inAccount('network-interface'), Condition: { Null: { 'aws:ResourceTag/cdk-eni-patterns:failover-owner': 'false' } } },
      ]));
    });

    test('an adopted interface imported by id is protected by its ARN', () => {
      const stack = testStack(testApp());
      const vpc = testVpc(stack);
      const failover = new EniFailover(stack, 'Failover', {
        primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
        standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
        networkInterface: NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Eni', { networkInterfaceId: 'eni-0123456789abcdef0' }),
        vpc,
        triggers: [FailoverTrigger.healthProbe({ port: 80 })],
      });
      const role = failover.node.findChild('HealthProbe').node.findChild('ServiceRole') as iam.Role;
      const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
      const template = Template.fromStack(stack);
      const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual({
        Action: MANAGE,
        Effect: 'Deny',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:network-interface/eni-0123456789abcdef0']] },
      });
    });
  });

  test('errors of the probe function raise an alarm to the topic', () => {
    const { template, stack, failover, ids } = synthFailover({ triggers: [FailoverTrigger.healthProbe({ port: 22 })] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: stack.getLogicalId(probeFunctionId(failover)) } }],
      AlarmActions: [{ Ref: ids.topic }],
    });
    // Two probe alarms and the probe errors alarm, plus the failover's own three.
    expect(failover.alarms).toHaveLength(6);
  });

  test('with an adopted interface the probe needs the vpc', () => {
    const stack = testStack(testApp());
    const eni = NetworkInterface.fromNetworkInterfaceAttributes(stack, 'Eni', { networkInterfaceId: 'eni-0123456789abcdef0' });
    const props = {
      primary: importedInstance(stack, 'i-0aaaaaaaaaaaaaaaa', 'dummy1a'),
      standby: importedInstance(stack, 'i-0bbbbbbbbbbbbbbbb', 'dummy1a'),
      networkInterface: eni,
      triggers: [FailoverTrigger.healthProbe({ port: 80 })],
    };
    expect(() => new EniFailover(stack, 'Failover', props)).toThrow(
      'triggers: FailoverTrigger.healthProbe() of TestStack/Failover runs in the VPC, but no vpc is known: pass vpc to EniFailover when it adopts a networkInterface');
    const vpc = testVpc(stack);
    expect(() => new EniFailover(stack, 'WithVpc', { ...props, vpc, deviceIndex: 2 })).not.toThrow();
  });

  test.each([
    [{ port: 0 }, 'healthProbe port 0 is not allowed: use a whole number from 1 to 65535'],
    [{ port: 70000 }, 'healthProbe port 70000 is not allowed: use a whole number from 1 to 65535'],
    [{ port: 80, path: '/health' }, "healthProbe path '/health' is only used by ProbeProtocol.HTTP, but protocol is TCP: drop the path or probe over HTTP"],
    [{ port: 80, protocol: ProbeProtocol.HTTP, path: 'health' }, "healthProbe path 'health' is not allowed: use an absolute path such as '/health', without spaces"],
    [{ port: 80, protocol: ProbeProtocol.HTTP, path: '/a b' }, "healthProbe path '/a b' is not allowed: use an absolute path such as '/health', without spaces"],
    [{ port: 80, interval: Duration.seconds(30) }, 'healthProbe interval 30 seconds is not allowed: EventBridge schedules run at most once a minute; use a whole number of minutes of 1 or more'],
    [{ port: 80, unhealthyThreshold: 0 }, 'healthProbe unhealthyThreshold 0 is not allowed: use a whole number from 1 to 60'],
    [{ port: 80, timeout: Duration.millis(50) }, 'healthProbe timeout 50 millis is not allowed: use 100 milliseconds to 20 seconds'],
    [{ port: 80, timeout: Duration.seconds(30) }, 'healthProbe timeout 30 seconds is not allowed: use 100 milliseconds to 20 seconds'],
  ])('%j is rejected', (options, message) => {
    expect(() => FailoverTrigger.healthProbe(options)).toThrow(message);
  });
});

test('every trigger kind can be combined once', () => {
  const { template } = synthFailover({
    triggers: [
      FailoverTrigger.healthProbe({ port: 80 }),
      FailoverTrigger.schedule(Duration.minutes(10)),
      FailoverTrigger.instanceStateChange(),
      FailoverTrigger.statusCheckAlarm(),
    ],
  });
  expect(Object.keys(template.findResources('AWS::Events::Rule'))).toHaveLength(3);
  expect(FailoverTrigger.defaults().map((t) => t.kind)).toEqual(['statusCheckAlarm', 'instanceStateChange', 'schedule']);
  Template.fromJSON(template.toJSON()).resourceCountIs('AWS::EC2::NetworkInterfaceAttachment', 0);
});
