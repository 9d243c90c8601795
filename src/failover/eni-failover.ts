import { ArnFormat, CfnResource, CustomResource, Duration, Lazy, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { FailoverTrigger } from './failover-trigger';
import { ReconcileFunction } from '../engine/reconcile-function';
import { ENV, MAX_HEALTH_ALARMS } from '../engine/contract';
import { InstanceLimits } from '../instance-limits';
import { AssociatedElasticIp, INetworkInterface, NetworkInterface } from '../network-interface';
import { claimDeviceIndex, deviceIndexesInUse } from '../private/device-indexes';
import { NamedCandidate } from '../private/failover-context';
import { checkIpv4PerEni, checkIpv6PerEni } from '../private/instance-limits-check';
import { cfnInstanceOf, knownInstanceAz, knownInstanceType } from '../private/introspect';
import { acknowledgeEc2Wildcard, acknowledgeRuntime } from '../private/nag';
import { FAILOVER_METADATA, FAILOVER_OWNER_TAG } from '../private/tags';

/** Key of the CloudFormation metadata that names the floating interface and its candidates. */
/** Service name of the reconcile Lambda's logs and metrics (the Powertools `service` dimension). */
const SERVICE_NAME = 'eni-failover';
/** The highest device index the reconcile Lambda accepts. */
const MAX_DEVICE_INDEX = 31;

/**
 * When the floating network interface goes back to the primary after a failover.
 */
export class FailbackPolicy {
  /**
   * Never: the interface stays on the standby until the standby fails or it is moved by hand.
   * One interruption per failure, and no flapping.
   */
  public static never(): FailbackPolicy {
    return new FailbackPolicy(false);
  }

  /**
   * Back to the primary once it has been healthy for `delay`, measured from its launch time
   * (which EC2 resets on every start) or from the last state change of its health alarms,
   * whichever is later; never while one of them is in `INSUFFICIENT_DATA`, unless `delay` is 0.
   * The move back interrupts traffic once more.
   *
   * @param delay from 0 seconds to 24 hours
   */
  public static after(delay: Duration): FailbackPolicy {
    if (!delay.isUnresolved() && (delay.toSeconds() < 0 || delay.toSeconds() > 86_400)) {
      throw new Error(`failback delay ${delay.toHumanString()} is not allowed: use 0 seconds to 24 hours`);
    }
    return new FailbackPolicy(true, delay);
  }

  /**
   * @param enabled whether the interface moves back to the primary
   * @param delay how long the primary must have been healthy first
   */
  private constructor(public readonly enabled: boolean, public readonly delay?: Duration) {}
}

/**
 * A CloudWatch alarm that watches the health of one failover candidate: an application check, a
 * load balancer target health metric, a composite alarm, ...
 */
export interface HealthAlarm {
  /** The candidate the alarm is about: the failover's primary or standby. */
  readonly instance: ec2.IInstance;

  /**
   * The alarm. While it is in `ALARM` the instance is unhealthy: it loses the floating interface
   * and is never chosen for it. `INSUFFICIENT_DATA` blocks nothing, but failback waits until the
   * alarm is `OK` again.
   */
  readonly alarm: cloudwatch.IAlarm;
}

/**
 * Properties of an {@link EniFailover}.
 */
export interface EniFailoverProps {
  /** The instance that holds the floating network interface while it is healthy. */
  readonly primary: ec2.IInstance;

  /** The instance the interface moves to when the primary fails. */
  readonly standby: ec2.IInstance;

  /**
   * The floating network interface to adopt. It must not be attached with
   * `NetworkInterface.attachToInstance()`: the failover places it.
   *
   * @default - a new `NetworkInterface` is created in `vpc`
   */
  readonly networkInterface?: INetworkInterface;

  /**
   * The VPC of the created network interface, and of the health probe.
   *
   * @default - required unless `networkInterface` is given
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnet of the created network interface (one subnet in the candidates' Availability
   * Zone); also where the health probe runs.
   *
   * @default - the VPC's default subnet selection in the primary's Availability Zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * A fixed primary private IPv4 address for the created network interface.
   *
   * @default - AWS assigns an address from the subnet
   */
  readonly privateIpAddress?: string;

  /**
   * Whether to associate a new Elastic IP with the created network interface, so the public
   * address moves with it.
   *
   * @default false
   */
  readonly elasticIp?: boolean;

  /**
   * Security groups of the created network interface.
   *
   * @default - a new security group with all outbound traffic allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The device index the interface is attached at on whichever candidate holds it. Must be free
   * on both candidates and below the instance type's interface limit.
   *
   * @default 1
   */
  readonly deviceIndex?: number;

  /**
   * Whether and when the interface returns to the primary after a failover.
   *
   * @default FailbackPolicy.never()
   */
  readonly failback?: FailbackPolicy;

  /**
   * How long one reconcile run may take before it gives up (and fails, so the failure is
   * alarmed). No detach starts after the deadline; a move already started (detached, not yet
   * attached) still finishes, for at most 45 seconds more. The function timeout is one minute
   * longer than the deadline.
   *
   * @default Duration.minutes(2)
   */
  readonly deadline?: Duration;

  /**
   * How long the deploy-time placement waits for a candidate to become healthy (fresh instances
   * need a few minutes for their status checks) before the deployment fails.
   *
   * @default Duration.minutes(10)
   */
  readonly placementDeadline?: Duration;

  /**
   * What makes the reconcile Lambda run.
   *
   * @default FailoverTrigger.defaults(): status check alarms, instance state-change events and a 5-minute schedule
   */
  readonly triggers?: FailoverTrigger[];

  /**
   * CloudWatch alarms that watch the health of the candidates. The reconcile Lambda reads them
   * (DescribeAlarms, one request per run) in every run, whatever triggered it: a candidate with one
   * of them in `ALARM` is unhealthy. More can be added with `addHealthAlarm()`.
   *
   * To make a move start as soon as such an alarm changes state, also give it the failover topic
   * as alarm and OK action (`new SnsAction(failover.topic)`); otherwise the next scheduled or
   * state-change run acts on it.
   *
   * @default - only the alarms of `FailoverTrigger.healthProbe()`, when it is used
   */
  readonly healthAlarms?: HealthAlarm[];

  /**
   * Email addresses to subscribe to the failover topic (alarm state changes and failure notices).
   * Each address must confirm the subscription. More subscriptions can be added to `topic`.
   *
   * @default - no email subscription
   */
  readonly alarmEmails?: string[];

  /**
   * Whether the reconcile Lambda publishes a notice to the topic when a run fails (no healthy
   * candidate, deadline exceeded, an EC2 error).
   *
   * @default true
   */
  readonly notifyOnFailure?: boolean;

  /**
   * Retention of the Lambda functions' logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * CloudWatch namespace of the failover metrics (moves, move duration, no healthy candidate,
   * deadline exceeded, probe results).
   *
   * @default 'EniFailover'
   */
  readonly metricsNamespace?: string;
}

/**
 * A floating network interface (optionally with an Elastic IP) kept on the healthiest of a
 * primary and a standby instance, so clients keep the same private and public address.
 *
 * A reconcile Lambda observes where the interface is and how the candidates are doing, and moves
 * the interface only when it must. Triggers: a status check alarm on every candidate -> SNS topic
 * -> Lambda, EC2 state-change events, an optional health probe, and a schedule. The initial
 * placement is made at deploy time by the same code through a custom resource: there is no
 * `AWS::EC2::NetworkInterfaceAttachment`, because CloudFormation must not own an attachment that
 * moves.
 */
export class EniFailover extends Construct implements ec2.IConnectable {
  /** The floating network interface. */
  public readonly networkInterface: INetworkInterface;

  /**
   * The Elastic IP associated with the floating interface.
   *
   * @default - none
   */
  public readonly elasticIp?: AssociatedElasticIp;

  /**
   * The topic that alarm state changes and failure notices are published to. It invokes the
   * reconcile Lambda for alarm notifications; subscribe email or chat to it.
   */
  public readonly topic: sns.ITopic;

  /** The reconcile Lambda that every trigger invokes (reserved concurrency 1). */
  public readonly function: lambda.IFunction;

  /** Receives trigger events the reconcile Lambda failed to process. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** Every alarm the failover created: triggers, function errors and the dead-letter queue. */
  public readonly alarms: cloudwatch.IAlarm[];

  /** The security groups of the floating interface. */
  public readonly connections: ec2.Connections;

  /** The device index the interface is attached at. */
  public readonly deviceIndex: number;

  /** The CloudWatch namespace of the failover metrics. */
  public readonly metricsNamespace: string;

  private readonly candidates: NamedCandidate[];
  private readonly role: iam.IRole;
  private readonly reconcileFunctions: lambda.Function[];
  private readonly reconcileFunction: lambda.Function;
  private readonly healthAlarmList: HealthAlarm[] = [];
  private healthAlarmStatement?: iam.PolicyStatement;
  /** Alarms whose notifications on the topic invoke the reconcile Lambda (besides the health alarms). */
  private readonly triggerAlarmList: cloudwatch.IAlarm[] = [];
  private alarmSubscription?: sns.Subscription;

  constructor(scope: Construct, id: string, props: EniFailoverProps) {
    super(scope, id);

    const candidates: NamedCandidate[] = [{ name: 'Primary', instance: props.primary }, { name: 'Standby', instance: props.standby }];
    this.candidates = candidates;
    this.deviceIndex = props.deviceIndex ?? 1;
    this.metricsNamespace = props.metricsNamespace ?? 'EniFailover';
    validateCandidates(props);
    validateTimes(props);

    this.networkInterface = props.networkInterface ?? this.createNetworkInterface(props);
    const eni = this.networkInterface;
    this.connections = eni.connections;
    if (eni instanceof NetworkInterface) {
      checkNotAttachedStatically(eni);
      this.node.addValidation({ validate: () => staticAttachmentErrors(eni) });
      this.elasticIp = eni.elasticIps[0];
    }
    validateAvailabilityZones(eni, props);
    this.validateDeviceIndex(eni, candidates);

    // The topic: encrypted with a key CloudWatch may use (the AWS-managed SNS key cannot be used by alarms).
    const topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the failover topic of ${this.node.path}`.slice(0, 8192),
      enableKeyRotation: true,
    });
    // In a key policy, '*' means this key and nothing else.
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'ENI failover',
      masterKey: topicKey,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one: CloudWatch alarms of this
    // account must be allowed to publish explicitly, or the alarm -> SNS -> Lambda chain never fires.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    this.topic = topic;
    for (const email of props.alarmEmails ?? []) {
      if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new Error(`alarmEmails contains '${email}', which is not an email address`);
      }
      topic.addSubscription(new subs.EmailSubscription(email));
    }

    // One role for both copies of the reconcile code: attach/detach scoped to the interface and
    // the candidates, describe calls, log writes, and (for failure notices) publishing.
    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Reconcile Lambda of ${this.node.path}`.slice(0, 1000),
    });
    this.role = role;
    eni.grantAttach(role, props.primary, props.standby);
    // Detach is scoped by the interface, not by the instance: the engine must be able to take the
    // interface back from an instance that is no longer a candidate (a deploy that replaced the
    // primary updates this policy before CloudFormation deletes the old instance). IAM authorizes
    // both resources of ec2:DetachNetworkInterface, so only this failover's interfaces can be detached.
    const ec2Wildcard = (resource: string) => stack.formatArn({ service: 'ec2', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:DetachNetworkInterface'],
      resources: [eni.networkInterfaceArn, ec2Wildcard('instance')],
    }));
    acknowledgeEc2Wildcard(role, 'instance',
      'ec2:DetachNetworkInterface needs the instance ARN too; the interface side is limited to this failover\'s interfaces, so it can detach them only, from whichever instance holds them (a replaced primary included)');
    if (eni instanceof NetworkInterface) {
      // An interface this failover creates or adopts carries its owner tag. When a deploy replaces
      // the interface, the policy already names the new one while the placement releases the old
      // one: the tag, not the ARN, is what lets the old interface go.
      const owner = Names.uniqueId(this);
      eni.resource.tags.setTag(FAILOVER_OWNER_TAG, owner);
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ec2:DetachNetworkInterface'],
        resources: [ec2Wildcard('network-interface')],
        conditions: { StringEquals: { [`aws:ResourceTag/${FAILOVER_OWNER_TAG}`]: owner } },
      }));
      acknowledgeEc2Wildcard(role, 'network-interface',
        `detaching an interface is allowed only when it carries the tag ${FAILOVER_OWNER_TAG}=${owner} of this failover (an interface replaced by a deploy keeps it)`);
    }
    // ec2:DescribeNetworkInterfaces, ec2:DescribeInstances and ec2:DescribeInstanceStatus support
    // no resource-level permissions: AWS offers nothing narrower than '*' for them.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
      resources: ['*'],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only ec2:DescribeNetworkInterfaces, ec2:DescribeInstances and ec2:DescribeInstanceStatus are on *: AWS supports no resource-level permissions for them. Attach and detach are scoped to the interface and instance ARNs.',
    });
    const notify = props.notifyOnFailure ?? true;
    if (notify) {
      topic.grantPublish(role);
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Publishing to the KMS-encrypted topic needs kms:GenerateDataKey* (the data key variants), on the topic key only',
      });
    }

    const environment: Record<string, string> = {
      [ENV.ENI_ID]: eni.networkInterfaceId,
      [ENV.CANDIDATES]: candidates.map((c) => c.instance.instanceId).join(','),
      [ENV.DEVICE_INDEX]: String(this.deviceIndex),
      [ENV.FAILBACK]: String(props.failback?.enabled ?? false),
      [ENV.DEADLINE_SECONDS]: String((props.deadline ?? Duration.minutes(2)).toSeconds()),
      [ENV.PLACEMENT_DEADLINE_SECONDS]: String((props.placementDeadline ?? Duration.minutes(10)).toSeconds()),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    if (props.failback?.delay) {
      environment[ENV.FAILBACK_AFTER_SECONDS] = String(props.failback.delay.toSeconds());
    }
    if (notify) {
      environment[ENV.NOTIFY_TOPIC_ARN] = topic.topicArn;
    }

    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the reconcile Lambda function (its DeadLetterConfig), which cdk-nag only recognises for queues',
    });
    this.deadLetterQueue = deadLetterQueue;

    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention: logRetention });
    logGroup.grantWrite(role);
    const fn = new ReconcileFunction(this, 'Function', {
      description: `Keeps the floating network interface of ${this.node.path} on a healthy instance`.slice(0, 256),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      memorySize: 256,
      timeout: (props.deadline ?? Duration.minutes(2)).plus(Duration.minutes(1)),
      // Serialised runs: triggers that arrive together wait their turn (the engine re-checks state anyway).
      reservedConcurrentExecutions: 1,
      deadLetterQueue,
      environment,
    });
    fn.node.addDependency(role);
    acknowledgeRuntime(fn);
    this.function = fn;

    // Initial placement at deploy time: a second function of the same code without reserved
    // concurrency, so a trigger run in progress cannot throttle the deployment's synchronous call.
    const placementLogGroup = new logs.LogGroup(this, 'PlacementLogGroup', { retention: logRetention });
    placementLogGroup.grantWrite(role);
    const placementFn = new ReconcileFunction(this, 'PlacementFunction', {
      description: `Places the floating network interface of ${this.node.path} at deploy time`.slice(0, 256),
      role,
      logGroup: placementLogGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      memorySize: 256,
      timeout: (props.placementDeadline ?? Duration.minutes(10)).plus(Duration.minutes(1)),
      environment,
    });
    placementFn.node.addDependency(role);
    acknowledgeRuntime(placementFn);
    // The provider framework function gets a role of its own: log writes and invoking the placement function.
    const providerLogGroup = new logs.LogGroup(this, 'PlacementProviderLogGroup', { retention: logRetention });
    const providerRole = new iam.Role(this, 'PlacementProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Custom resource provider of ${this.node.path}`.slice(0, 1000),
    });
    providerLogGroup.grantWrite(providerRole);
    const provider = new cr.Provider(this, 'PlacementProvider', {
      onEventHandler: placementFn,
      logGroup: providerLogGroup,
      frameworkOnEventRole: providerRole,
    });
    Validations.of(providerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(placementFn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'aws-cdk-lib lets the provider framework invoke every version of the placement function (<arn>:*); nothing else is granted',
    });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The provider framework function runtime is chosen by aws-cdk-lib',
    });
    const placement = new CustomResource(this, 'Placement', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EniFailoverPlacement',
      properties: {
        NetworkInterfaceId: eni.networkInterfaceId,
        CandidateInstanceIds: candidates.map((c) => c.instance.instanceId),
        DeviceIndex: this.deviceIndex,
      },
    });
    // The instances must exist (and be launching) before the engine is asked to place the interface,
    // and the interface too. On stack deletion the order reverses: the placement's Delete detaches
    // the interface while the instances still exist, before CloudFormation deletes the interface.
    placement.node.addDependency(props.primary, props.standby);
    if (eni instanceof NetworkInterface) placement.node.addDependency(eni);
    // The trigger function (and with it its rules, subscriptions and schedule) exists only after the
    // first placement, and is deleted before the placement's Delete releases the interface: a
    // trigger run can never re-attach an interface that the stack is about to delete.
    fn.node.addDependency(placement);

    this.reconcileFunctions = [fn, placementFn];
    this.addPlacementMetadata(eni, placement, candidates);
    this.reconcileFunction = fn;

    const alarmAction = new cw_actions.SnsAction(topic);

    const triggers = props.triggers ?? FailoverTrigger.defaults();
    const kinds = new Set<string>();
    const alarms: cloudwatch.IAlarm[] = [];
    for (const trigger of triggers) {
      if (kinds.has(trigger.kind)) {
        throw new Error(`triggers lists ${trigger.kind} twice: use each kind of FailoverTrigger once`);
      }
      kinds.add(trigger.kind);
      const binding = trigger._bind({
        scope: this,
        candidates,
        reconcileFunction: fn,
        alarmAction,
        metricsNamespace: this.metricsNamespace,
        logRetention,
        vpc: props.vpc ?? (eni instanceof NetworkInterface ? eni.vpc : undefined),
        vpcSubnets: eni instanceof NetworkInterface ? { subnets: [eni.subnet] } : props.vpcSubnets,
      });
      alarms.push(...binding.alarms);
      this.triggerAlarmList.push(...binding.triggerAlarms ?? []);
      for (const h of binding.healthAlarms ?? []) this.registerHealthAlarm(h.instance, h.alarm, `triggers (${trigger.kind})`);
    }
    for (const h of props.healthAlarms ?? []) this.registerHealthAlarm(h.instance, h.alarm, 'healthAlarms');
    if (this.triggerAlarmList.length > 0) this.subscribeToAlarms();

    const errors = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `The reconcile Lambda of ${this.node.path} failed: no healthy candidate, deadline exceeded or an EC2 error (see its logs)`,
      metric: fn.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    errors.addAlarmAction(alarmAction);
    errors.addOkAction(alarmAction);
    const dlq = new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
      alarmDescription: `Trigger events of ${this.node.path} that the reconcile Lambda could not process are in its dead-letter queue`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    dlq.addAlarmAction(alarmAction);
    // Scheduled runs that find nothing healthy only log and count (no exception every 5 minutes):
    // this alarm reports such a double failure once, even when no trigger run saw it.
    const noHealthy = new cloudwatch.Alarm(this, 'NoHealthyCandidateAlarm', {
      alarmDescription: `No candidate of ${this.node.path} is healthy: the floating interface has nowhere to go`,
      metric: this.metricNoHealthyCandidate({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    noHealthy.addAlarmAction(alarmAction);
    noHealthy.addOkAction(alarmAction);
    this.alarms = [...alarms, errors, dlq, noHealthy];
  }

  /**
   * Adds a CloudWatch alarm that watches the health of a candidate. The reconcile Lambda reads
   * it in every run (`cloudwatch:DescribeAlarms` is granted on the alarm's ARN only): while it is
   * in `ALARM`, the instance loses the floating interface and is never chosen for it.
   *
   * @param instance the primary or the standby
   * @param alarm an alarm about that instance's health; give it `new SnsAction(this.topic)` as
   * alarm and OK action to have a run start when it changes state
   */
  public addHealthAlarm(instance: ec2.IInstance, alarm: cloudwatch.IAlarm): void {
    this.registerHealthAlarm(instance, alarm, 'addHealthAlarm');
  }

  /**
   * A metric of the reconcile Lambda, in the failover's namespace with its dimensions.
   *
   * @param metricName `Moves`, `MoveDurationMs`, `NoHealthyCandidate` or `DeadlineExceeded`
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: SERVICE_NAME, NetworkInterfaceId: this.networkInterface.networkInterfaceId },
      ...props,
    });
  }

  /**
   * How many times the interface was moved (attached, or moved between candidates).
   *
   * @default - sum over 5 minutes
   */
  public metricMoves(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Moves', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * How long a move took, from the decision to the verified attachment, in milliseconds.
   *
   * @default - maximum over 5 minutes
   */
  public metricMoveDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MoveDurationMs', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Runs that found no healthy candidate (the interface stays where it is).
   *
   * @default - sum over 5 minutes
   */
  public metricNoHealthyCandidate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('NoHealthyCandidate', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * Runs that gave up at the deadline.
   *
   * @default - sum over 5 minutes
   */
  public metricDeadlineExceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DeadlineExceeded', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  private registerHealthAlarm(instance: ec2.IInstance, alarm: cloudwatch.IAlarm, what: string): void {
    const candidate = this.candidates.find((c) => c.instance === instance
      || (!Token.isUnresolved(instance.instanceId) && c.instance.instanceId === instance.instanceId));
    if (!candidate) {
      const [primary, standby] = this.candidates.map((c) => c.instance.node.path);
      throw new Error(`${what}: instance ${instance.node.path} is not a candidate of ${this.node.path}: a health alarm belongs to the primary (${primary}) or the standby (${standby})`);
    }
    if (this.healthAlarmList.some((h) => h.alarm === alarm && h.instance === candidate.instance)) {
      throw new Error(`${what}: alarm ${alarm.node.path} is already a health alarm of ${candidate.instance.node.path}: add each alarm once per instance`);
    }
    const known = this.healthAlarmList.some((h) => h.alarm === alarm);
    const distinct = new Set(this.healthAlarmList.map((h) => h.alarm)).size;
    if (!known && distinct >= MAX_HEALTH_ALARMS) {
      throw new Error(`${what}: alarm ${alarm.node.path} would be health alarm number ${distinct + 1} of ${this.node.path}: at most ${MAX_HEALTH_ALARMS}, so one DescribeAlarms request reads them all`);
    }
    this.healthAlarmList.push({ instance: candidate.instance, alarm });
    if (!this.healthAlarmStatement) {
      // DescribeAlarms supports alarm ARNs as resources: the role may read these alarms and no others.
      this.healthAlarmStatement = new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'] });
      this.role.addToPrincipalPolicy(this.healthAlarmStatement);
      const value = Lazy.string({ produce: () => this.renderHealthAlarms() });
      for (const fn of this.reconcileFunctions) fn.addEnvironment(ENV.HEALTH_ALARMS, value);
    }
    if (!known) this.healthAlarmStatement.addResources(alarm.alarmArn);
    this.subscribeToAlarms();
  }

  /**
   * Alarm notifications on the topic invoke the reconcile Lambda: those of the trigger alarms and
   * the health alarms, by name, and nothing else. Neither the Lambda's own failure notices (plain
   * text, which message body filtering never matches) nor the failover's errors, dead-letter and
   * probe errors alarms (a run invoked by its own failure alarm would only fail again) match.
   */
  private subscribeToAlarms(): void {
    if (this.alarmSubscription) return;
    this.alarmSubscription = this.topic.addSubscription(new subs.LambdaSubscription(this.reconcileFunction, {
      filterPolicyWithMessageBody: { AlarmName: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.existsFilter()) },
    }));
    const names = () => [...new Set([...this.triggerAlarmList, ...this.healthAlarmList.map((h) => h.alarm)].map((a) => a.alarmName))];
    const cfn = this.alarmSubscription.node.defaultChild as sns.CfnSubscription;
    cfn.filterPolicy = Lazy.any({ produce: () => ({ AlarmName: names() }) });
  }

  /** `HEALTH_ALARMS` as JSON (alarm names may contain `,`, `|` and `=`), candidates in preference order. */
  private renderHealthAlarms(): string {
    const byInstance: Record<string, string[]> = {};
    for (const { instance } of this.candidates) {
      const names = this.healthAlarmList.filter((h) => h.instance === instance).map((h) => h.alarm.alarmName);
      if (names.length > 0) byInstance[instance.instanceId] = names;
    }
    return Stack.of(this).toJsonString(byInstance);
  }

  private createNetworkInterface(props: EniFailoverProps): NetworkInterface {
    if (!props.vpc) {
      throw new Error('vpc is required when networkInterface is not given: EniFailover creates the floating network interface in vpc (and vpcSubnets)');
    }
    const primaryAz = knownInstanceAz(props.primary);
    const selection: ec2.SubnetSelection = { ...props.vpcSubnets };
    const narrowed = selection.subnets === undefined && selection.availabilityZones === undefined && primaryAz !== undefined
      ? { ...selection, availabilityZones: [primaryAz] }
      : selection;
    return new NetworkInterface(this, 'NetworkInterface', {
      vpc: props.vpc,
      vpcSubnets: narrowed,
      privateIpAddress: props.privateIpAddress,
      securityGroups: props.securityGroups,
      elasticIps: props.elasticIp ? [{}] : undefined,
      description: `Floating network interface of ${this.node.path}`.slice(0, 255),
    });
  }

  private validateDeviceIndex(eni: INetworkInterface, candidates: NamedCandidate[]): void {
    const index = this.deviceIndex;
    if (Token.isUnresolved(index)) {
      throw new Error('deviceIndex must be a number known at synth time: it is checked against both instances and passed to the reconcile Lambda');
    }
    if (!Number.isInteger(index) || index < 1 || index > MAX_DEVICE_INDEX) {
      throw new Error(`deviceIndex ${index} is not allowed: index 0 is an instance's primary network interface; use an integer from 1 to ${MAX_DEVICE_INDEX} that is below the instance type's interface limit`);
    }
    for (const { name, instance } of candidates) {
      const role = name.toLowerCase();
      const instanceType = knownInstanceType(instance);
      const limits = instanceType ? InstanceLimits.of(instanceType) : undefined;
      if (limits && index > limits.maxNetworkInterfaces - 1) {
        throw new Error(`deviceIndex ${index} is not allowed on the ${role} ${instance.node.path}: instance type '${instanceType}' supports ${limits.maxNetworkInterfaces} network interfaces (device indexes 0 to ${limits.maxNetworkInterfaces - 1}); choose a lower index or a larger instance type`);
      }
      const inUse = deviceIndexesInUse(instance);
      const holder = inUse.get(index);
      if (holder) {
        throw new Error(`deviceIndex ${index} is already used on the ${role} ${instance.node.path} by ${holder}: the floating interface needs the same free index on both instances (in use: ${[...inUse.keys()].sort((a, b) => a - b).join(', ')})`);
      }
      if (eni instanceof NetworkInterface) {
        checkIpv4PerEni(this, instanceType, eni.privateIpAddresses.length, eni.node.path);
        checkIpv6PerEni(this, instanceType, ipv6CountOf(eni), eni.node.path);
      }
    }
    for (const { instance } of candidates) {
      claimDeviceIndex(instance, index, `${this.node.path} (floating interface)`);
    }
  }

  private addPlacementMetadata(eni: INetworkInterface, placement: CustomResource, candidates: NamedCandidate[]): void {
    const value = {
      eni: eni instanceof NetworkInterface ? eni.resource.logicalId : eni.networkInterfaceId,
      candidates: candidates.map((c) => cfnInstanceOf(c.instance)?.logicalId ?? c.instance.instanceId),
      deviceIndex: this.deviceIndex,
    };
    const target = eni instanceof NetworkInterface && Stack.of(eni) === Stack.of(this)
      ? eni.resource
      : placement.node.defaultChild as CfnResource;
    target.addMetadata(FAILOVER_METADATA, value);
  }
}

function validateCandidates(props: EniFailoverProps): void {
  const { primary, standby } = props;
  const sameId = !Token.isUnresolved(primary.instanceId) && primary.instanceId === standby.instanceId;
  if (primary === standby || sameId) {
    throw new Error(`primary and standby are the same instance (${primary === standby ? primary.node.path : primary.instanceId}): a failover needs two distinct instances`);
  }
  if (props.networkInterface) {
    const createOnly: Array<[string, unknown]> = [
      ['privateIpAddress', props.privateIpAddress],
      ['elasticIp', props.elasticIp],
      ['securityGroups', props.securityGroups],
      ['vpcSubnets', props.vpcSubnets],
    ];
    const given = createOnly.filter(([, v]) => v !== undefined).map(([k]) => k);
    if (given.length > 0) {
      throw new Error(`${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to the network interface EniFailover creates, but networkInterface ${props.networkInterface.node.path} is given: configure the adopted interface itself, or drop networkInterface`);
    }
  }
}

function validateTimes(props: EniFailoverProps): void {
  const check = (name: string, value: Duration | undefined, min: number, max: number) => {
    if (value === undefined || value.isUnresolved()) return;
    const s = value.toSeconds();
    if (!Number.isInteger(s) || s < min || s > max) {
      throw new Error(`${name} ${value.toHumanString()} is not allowed: use whole seconds from ${min} to ${max} (the Lambda timeout is one minute longer and at most 15 minutes)`);
    }
  };
  check('deadline', props.deadline, 5, 840);
  check('placementDeadline', props.placementDeadline, 5, 840);
}

function validateAvailabilityZones(eni: INetworkInterface, props: EniFailoverProps): void {
  const eniAz = eni.availabilityZone && !Token.isUnresolved(eni.availabilityZone) ? eni.availabilityZone : undefined;
  const primaryAz = knownInstanceAz(props.primary);
  const standbyAz = knownInstanceAz(props.standby);
  const describe = (role: string, instance: ec2.IInstance, az: string | undefined) => `${role} ${instance.node.path} (${az ?? 'unknown AZ'})`;
  const both = `${describe('primary', props.primary, primaryAz)} and ${describe('standby', props.standby, standbyAz)}`;
  if (eniAz) {
    if ((primaryAz && primaryAz !== eniAz) || (standbyAz && standbyAz !== eniAz)) {
      throw new Error(`${both} must be in the Availability Zone of the network interface ${eni.node.path} (${eniAz}): a network interface can only be attached to instances in its own Availability Zone; place both instances and the interface's subnet in one AZ`);
    }
  } else if (primaryAz && standbyAz && primaryAz !== standbyAz) {
    throw new Error(`${both} are in different Availability Zones: a network interface can only be attached to instances in its own Availability Zone; place both instances in one AZ`);
  }
}

function checkNotAttachedStatically(eni: NetworkInterface): void {
  const errors = staticAttachmentErrors(eni);
  if (errors.length > 0) {
    throw new Error(errors[0]);
  }
}

function staticAttachmentErrors(eni: NetworkInterface): string[] {
  const attachment = eni.node.tryFindChild('Attachment');
  if (attachment instanceof ec2.CfnNetworkInterfaceAttachment) {
    return [`networkInterface ${eni.node.path} is attached statically with attachToInstance(): CloudFormation would own an attachment that EniFailover moves and put it back on every update; remove the attachToInstance() call`];
  }
  return [];
}

function ipv6CountOf(eni: NetworkInterface): number {
  const { ipv6AddressCount, ipv6Addresses } = eni.resource;
  if (Array.isArray(ipv6Addresses)) return ipv6Addresses.length;
  return typeof ipv6AddressCount === 'number' ? ipv6AddressCount : 0;
}
