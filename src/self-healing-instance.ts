import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ArnFormat, Duration, Names, Stack, Token, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { ReconcileFunction } from './engine/reconcile-function';
import { ENV } from './engine/contract';
import { AssociatedElasticIp, INetworkInterface, NetworkInterface } from './network-interface';
import { checkEniCount } from './private/instance-limits-check';
import { knownSubnetAz, selectExactlyOneSubnet, subnetName } from './private/introspect';
import { acknowledgeEc2Wildcard, acknowledgeRuntime } from './private/nag';

/** The device index the static interface is attached at on every instance of the group. */
const DEVICE_INDEX = 1;

/**
 * Properties of a {@link SelfHealingInstance}.
 */
export interface SelfHealingInstanceProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /**
   * The one subnet of the Auto Scaling group and of the static network interface (an interface
   * can only be attached in its own Availability Zone, so the group is confined to it).
   *
   * @default - the VPC's default (private) subnet in its first Availability Zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** The instance type. */
  readonly instanceType: ec2.InstanceType;

  /** The machine image. Needs no AWS CLI: the interface is attached from outside the instance. */
  readonly machineImage: ec2.IMachineImage;

  /**
   * User data of every instance the group launches.
   *
   * @default - none
   */
  readonly userData?: ec2.UserData;

  /**
   * The IAM role of the instances.
   *
   * @default - a new role with no permissions
   */
  readonly role?: iam.IRole;

  /**
   * The security group of the instances' primary interfaces.
   *
   * @default - a new security group with no inbound rule and all outbound traffic
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * The static network interface every replacement receives. It must be in the group's subnet
   * and must not be attached with `attachToInstance()`.
   *
   * @default - a new interface in the group's subnet
   */
  readonly networkInterface?: INetworkInterface;

  /**
   * A fixed private IPv4 address for the new static interface. Ignored with `networkInterface`.
   *
   * @default - AWS assigns an address from the subnet
   */
  readonly privateIpAddress?: string;

  /**
   * Whether the new static interface gets an Elastic IP. Ignored with `networkInterface`.
   *
   * @default false
   */
  readonly elasticIp?: boolean;

  /**
   * How long Auto Scaling waits after a launch before it checks the instance's health.
   *
   * @default Duration.minutes(5)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * A topic for the group's launch, termination and failure notifications, and for the alarms
   * raised when a replacement did not get its interface (`alarms`).
   *
   * @default - no notifications: the alarms are created without actions
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The device name of the image's root volume, which is created encrypted (gp3, 8 GiB or the
   * image's size, whichever the image asks for). Amazon Linux uses `/dev/xvda`, Ubuntu `/dev/sda1`.
   *
   * @default '/dev/xvda'
   */
  readonly rootDeviceName?: string;

  /**
   * Retention of the attach function's logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * An Auto Scaling group of exactly one instance whose every replacement receives the same
 * static network interface (and so the same private IP and Elastic IP).
 *
 * When the group launches an instance, the `EC2 Instance Launch Successful` event invokes the
 * failover engine's reconcile Lambda with `{ action: 'move', to: <new instance> }`; the engine
 * detaches the interface from the old instance if it still holds it and attaches it to the new
 * one at device index 1. Nothing runs on the instance, so the image needs no AWS CLI. The group
 * is confined to the interface's subnet, since an interface only attaches in its own
 * Availability Zone.
 */
export class SelfHealingInstance extends Construct implements ec2.IConnectable {
  /** The Auto Scaling group (min = max = desired = 1). */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  /** The static network interface. */
  public readonly networkInterface: INetworkInterface;

  /**
   * The Elastic IP of the static interface.
   *
   * @default - none
   */
  public readonly elasticIp?: AssociatedElasticIp;

  /** The function that attaches the interface to each new instance (the failover engine). */
  public readonly function: lambda.IFunction;

  /** The rule that sends the group's launch events to the function. */
  public readonly launchRule: events.Rule;

  /** Launch events the function failed to process after retries. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** Alarms on failed attachments: function errors and dead-lettered events. */
  public readonly alarms: cloudwatch.IAlarm[];

  /** The security groups of the static interface. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: SelfHealingInstanceProps) {
    super(scope, id);

    const adopted = props.networkInterface;
    if (adopted && (props.privateIpAddress !== undefined || props.elasticIp !== undefined)) {
      const given = [props.privateIpAddress !== undefined ? 'privateIpAddress' : undefined, props.elasticIp !== undefined ? 'elasticIp' : undefined].filter(Boolean).join(', ');
      throw new Error(`${given} ${given.includes(',') ? 'apply' : 'applies'} to the interface SelfHealingInstance creates, but networkInterface ${adopted.node.path} is given: configure the adopted interface itself`);
    }
    const subnet = this.selectSubnet(props);
    const az = knownSubnetAz(subnet);
    if (adopted) {
      const eniAz = adopted.availabilityZone && !Token.isUnresolved(adopted.availabilityZone) ? adopted.availabilityZone : undefined;
      if (eniAz && az && eniAz !== az) {
        throw new Error(`networkInterface ${adopted.node.path} is in ${eniAz} but vpcSubnets selects ${subnetName(subnet)} in ${az}: the group's instances must be in the interface's Availability Zone to receive it; select a subnet in ${eniAz}`);
      }
      if (adopted instanceof NetworkInterface && adopted.node.tryFindChild('Attachment')) {
        throw new Error(`networkInterface ${adopted.node.path} is attached statically with attachToInstance(): every replacement instance must be able to take it; remove the attachToInstance() call`);
      }
    }
    checkEniCount(this, props.instanceType.toString(), DEVICE_INDEX + 1, `${this.node.path} (device indexes 0, ${DEVICE_INDEX})`);

    const eni = adopted ?? new NetworkInterface(this, 'NetworkInterface', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [subnet] },
      privateIpAddress: props.privateIpAddress,
      elasticIps: props.elasticIp ? [{}] : undefined,
      description: `Static network interface of ${this.node.path}`.slice(0, 255),
    });
    this.networkInterface = eni;
    this.connections = eni.connections;
    this.elasticIp = eni instanceof NetworkInterface ? eni.elasticIps[0] : undefined;

    // The group has a fixed name so the launch rule can match it before the group launches anything.
    const groupName = Names.uniqueResourceName(this, { maxLength: 200, separator: '-' });

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: props.instanceType,
      machineImage: props.machineImage,
      userData: props.userData,
      role: props.role,
      securityGroup: props.securityGroup ?? new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
        vpc: props.vpc,
        description: `${this.node.path} instances (primary interfaces)`,
        allowAllOutbound: true,
      }),
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: props.rootDeviceName ?? '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });

    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Attaches the static network interface of ${this.node.path} to its instances`.slice(0, 1000),
    });
    const instancesOfGroup = Stack.of(this).formatArn({ service: 'ec2', resource: 'instance', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'],
      resources: [eni.networkInterfaceArn],
    }));
    // The group's instances are unknown at deploy time: any instance that carries the group's tag.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'],
      resources: [instancesOfGroup],
      conditions: { StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': groupName } },
    }));
    // ec2:DescribeNetworkInterfaces, ec2:DescribeInstances and ec2:DescribeInstanceStatus support
    // no resource-level permissions: AWS offers nothing narrower than '*' for them.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
      resources: ['*'],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the describe calls are on *: AWS supports no resource-level permissions for them. Attach and detach are scoped to the interface ARN and to instances tagged with the group name',
    });
    acknowledgeEc2Wildcard(role, 'instance',
      'The group launches instances whose ids are unknown at deploy time: attach and detach on instances are limited by the aws:autoscaling:groupName tag condition');

    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    logGroup.grantWrite(role);
    const fn = new ReconcileFunction(this, 'Function', {
      description: `Attaches the static network interface of ${this.node.path} to each new instance`.slice(0, 256),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      memorySize: 256,
      timeout: Duration.minutes(3),
      reservedConcurrentExecutions: 1,
      environment: {
        [ENV.ENI_ID]: eni.networkInterfaceId,
        [ENV.AUTOSCALING_GROUP_NAME]: groupName,
        [ENV.DEVICE_INDEX]: String(DEVICE_INDEX),
        [ENV.DEADLINE_SECONDS]: '120',
        POWERTOOLS_SERVICE_NAME: 'self-healing-instance',
        POWERTOOLS_METRICS_NAMESPACE: 'EniFailover',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    fn.node.addDependency(role);
    acknowledgeRuntime(fn);
    this.function = fn;

    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the launch rule target',
    });
    this.deadLetterQueue = deadLetterQueue;

    this.launchRule = new events.Rule(this, 'LaunchRule', {
      description: `Launches of ${groupName}: attach the static network interface`.slice(0, 512),
      eventPattern: {
        source: ['aws.autoscaling'],
        detailType: ['EC2 Instance Launch Successful'],
        detail: { AutoScalingGroupName: [groupName] },
      },
      targets: [new targets.LambdaFunction(fn, {
        // A new instance's status checks are still initializing: the group has launched it, so force.
        event: events.RuleTargetInput.fromObject({ action: 'move', to: events.EventField.fromPath('$.detail.EC2InstanceId'), force: true }),
        deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(1),
      })],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [subnet] },
      launchTemplate,
      minCapacity: 1,
      maxCapacity: 1,
      desiredCapacity: 1,
      autoScalingGroupName: groupName,
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: props.healthCheckGracePeriod ?? Duration.minutes(5) }),
      notifications: props.notificationTopic ? [{ topic: props.notificationTopic }] : undefined,
    });
    if (!props.notificationTopic) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: 'AwsSolutions-AS3',
        reason: 'Replacements are expected here; what matters is whether the new instance got its interface, which the ErrorsAlarm and DeadLetterQueueAlarm report. Pass notificationTopic for Auto Scaling notifications',
      });
    }
    // The rule and its target must exist before the group launches its first instance.
    this.autoScalingGroup.node.addDependency(this.launchRule, fn);

    const errors = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `The attach function of ${this.node.path} failed: the new instance may be without its static interface (see the function's logs)`,
      metric: fn.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const dlq = new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
      alarmDescription: `Launch events of ${this.node.path} that could not be processed are in the dead-letter queue`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [errors, dlq];
    if (props.notificationTopic) {
      for (const alarm of [errors, dlq]) {
        alarm.addAlarmAction(new cw_actions.SnsAction(props.notificationTopic));
      }
    }
  }

  private selectSubnet(props: SelfHealingInstanceProps): ec2.ISubnet {
    if (!props.vpcSubnets && props.networkInterface instanceof NetworkInterface) {
      return props.networkInterface.subnet;
    }
    const selection = props.vpcSubnets ?? { availabilityZones: [props.vpc.availabilityZones[0]] };
    return selectExactlyOneSubnet(this, props.vpc, selection, {
      prop: 'vpcSubnets',
      why: 'the group is confined to the static interface\'s subnet; select one with { subnets: [subnet] } or add availabilityZones: [\'<az>\']',
    });
  }
}

