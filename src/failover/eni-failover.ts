import { CfnResource, CustomResource, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FailbackPolicy, FloatingAddressProbeOptions, HealthAlarm } from './failover-options';
import { FailoverTrigger } from './failover-trigger';
import { DualHomedOs } from '../dual-homed-instance';
import { DEFAULTS, ENV } from '../engine/contract';
import { AssociatedElasticIp, INetworkInterface, NetworkInterface } from '../network-interface';
import { createAlarmTopic, subscribeEmails } from '../private/alarm-topic';
import { countAlarm } from '../private/alarms';
import { checkReservedConcurrency, ENGINE_FUNCTION_ID, EngineFunction, EngineNetwork } from '../private/engine-function';
import { FailoverAlarms } from '../private/failover-alarms';
import { NamedCandidate } from '../private/failover-context';
import { renderDetachStatements, renderFenceStatement, renderPlacementProvider, renderTagStatement } from '../private/failover-grants';
import {
  checkNotAttachedStatically, staticAttachmentErrors, validateAvailabilityZones, validateCandidates, validateDeviceIndex,
  validateFloatingAddressProbe, validateTimes,
} from '../private/failover-validation';
import { addFloatingInterfaceUserData } from '../private/floating-interface';
import { cfnInstanceOf, knownInstanceAz } from '../private/introspect';
import { acknowledgeEc2Wildcard } from '../private/nag';
import { FAILOVER_METADATA, FAILOVER_OWNER_TAG } from '../private/tags';

/** Service name of the reconcile Lambda's logs and metrics (the Powertools `service` dimension). */
const SERVICE_NAME = 'eni-failover';

export * from './failover-options';

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
   * The operating system of both candidates. When set, each candidate's user data gets the
   * configuration that gives the floating interface its address and policy routing within seconds
   * of an attach and removes it on detach (on Ubuntu a udev rule and a systemd unit; on Amazon
   * Linux 2023 a check that amazon-ec2-net-utils, which does it, is installed). The candidates must
   * carry user data (`ec2.Instance`, `DualHomedInstance`).
   *
   * User data runs once, at an instance's first boot: setting this for candidates that are already
   * deployed configures nothing on them until they are replaced. CloudFormation applies a user-data
   * change to an existing instance by stopping and starting it, and cloud-init does not run an
   * instance's user-data script again after that; replace the candidates (for `ec2.Instance`,
   * `userDataCausesReplacement: true`) or run the rendered commands on them yourself.
   *
   * @default - nothing is added: the candidates' images must configure a hot-attached interface
   * themselves (Amazon Linux 2023 does through amazon-ec2-net-utils; Ubuntu does not)
   */
  readonly candidateOperatingSystem?: DualHomedOs;

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

  /**
   * Reserved concurrency of the reconcile Lambda. Nothing is reserved by default: Lambda keeps 10
   * of an account's concurrency unreserved, so an account whose quota is 10 (new accounts) cannot
   * reserve any. The engine is correct with concurrent runs (it re-reads the state before every
   * action), so a reservation only limits how many runs overlap; a reserved function throttles
   * triggers that arrive together, and throttled events wait for at most 10 minutes.
   *
   * @default - no reservation
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * How old a trigger event may be and still count. Lambda keeps a failed or throttled
   * asynchronous event for at most this long (with one retry) before it goes to the dead-letter
   * queue, and the engine ignores alarm notices whose state change is older: an old `ALARM` never
   * forces a failover of a primary that has recovered since.
   *
   * @default Duration.minutes(10)
   */
  readonly maxEventAge?: Duration;

  /**
   * Also count the floating address itself: the reconcile Lambda connects to the floating
   * interface's primary private address on a TCP port, and a holder that keeps the interface but
   * does not answer there makes the run fail and notify (it is not `converged`). The reconcile
   * Lambda then runs in the VPC, with a security group of its own that may reach that port on the
   * interface and HTTPS (the AWS APIs); the deploy-time placement does not probe.
   *
   * @default - the floating address is not probed
   */
  readonly floatingAddressProbe?: FloatingAddressProbeOptions;

  /**
   * Fencing: after a forced detach from an instance that is still running, the reconcile Lambda
   * stops that instance (`ec2:StopInstances`, granted on the two candidates only), so two live
   * copies never serve at once. For stateful services where two copies are worse than one.
   *
   * @default false
   */
  readonly fence?: boolean;
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

  /** The reconcile Lambda that every trigger invokes. */
  public readonly function: lambda.IFunction;

  /** Receives trigger events the reconcile Lambda failed to process (after its retries, or too old). */
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
  private readonly engine: EngineFunction;
  private readonly alarmRegistry: FailoverAlarms;

  constructor(scope: Construct, id: string, props: EniFailoverProps) {
    super(scope, id);
    this.candidates = [{ name: 'Primary', instance: props.primary }, { name: 'Standby', instance: props.standby }];
    this.deviceIndex = props.deviceIndex ?? DEFAULTS.deviceIndex;
    this.metricsNamespace = props.metricsNamespace ?? 'EniFailover';
    validateCandidates(props);
    validateTimes(props);
    validateFloatingAddressProbe(props.floatingAddressProbe);
    checkReservedConcurrency(props.reservedConcurrentExecutions, 'reservedConcurrentExecutions');

    const eni = this.networkInterface = this.adoptOrCreateInterface(props);
    this.connections = eni.connections;
    this.elasticIp = eni instanceof NetworkInterface ? eni.elasticIps[0] : undefined;

    this.topic = createAlarmTopic(this, 'ENI failover', 'failover topic');
    subscribeEmails(this.topic, props.alarmEmails, 'alarmEmails');
    const alarmAction = new cw_actions.SnsAction(this.topic);

    const environment = this.renderEnvironment(props);
    this.engine = new EngineFunction(this, ENGINE_FUNCTION_ID, {
      roleDescription: `Reconcile Lambda of ${this.node.path}`,
      description: `Keeps the floating network interface of ${this.node.path} on a healthy instance`,
      environment: { ...environment, ...renderFloatingProbeEnvironment(props.floatingAddressProbe) },
      network: this.renderFloatingProbeNetwork(eni, props),
      timeout: (props.deadline ?? Duration.seconds(DEFAULTS.deadlineSeconds)).plus(Duration.minutes(1)),
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      maxEventAge: Duration.seconds(maxEventAgeSeconds(props)),
      alarmAction,
      errorsAlarmDescription: `The reconcile Lambda of ${this.node.path} failed: no healthy candidate, deadline exceeded or an EC2 error (see its logs)`,
      deadLetterAlarmDescription: `Trigger events of ${this.node.path} that the reconcile Lambda could not process are in its dead-letter queue`,
    });
    this.function = this.engine.function;
    this.deadLetterQueue = this.engine.deadLetterQueue;
    this.grantEngine(eni, props);

    const placementFunction = this.addPlacement(eni, props, environment);
    this.alarmRegistry = new FailoverAlarms(this, this.candidates, this.engine.role, this.topic, [this.engine.function, placementFunction]);

    const triggerAlarms = this.bindTriggers(eni, props, alarmAction);
    this.alarms = [...triggerAlarms, ...this.engine.alarms, renderNoHealthyAlarm(this, alarmAction)];
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
    this.alarmRegistry.addHealthAlarm(instance, alarm, 'addHealthAlarm');
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

  /** The adopted interface, checked, or a new one in the primary's Availability Zone. */
  private adoptOrCreateInterface(props: EniFailoverProps): INetworkInterface {
    const eni = props.networkInterface ?? this.createNetworkInterface(props);
    if (eni instanceof NetworkInterface) {
      checkNotAttachedStatically(eni);
      this.node.addValidation({ validate: () => staticAttachmentErrors(eni) });
    }
    validateAvailabilityZones(eni, props);
    validateDeviceIndex(this, this.deviceIndex, eni, this.candidates);
    if (props.candidateOperatingSystem !== undefined) {
      addFloatingInterfaceUserData(this.candidates, props.candidateOperatingSystem, eni.networkInterfaceId, 'candidateOperatingSystem');
    }
    return eni;
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

  /** The reconcile environment; the health alarms are added lazily as they are registered. */
  private renderEnvironment(props: EniFailoverProps): Record<string, string> {
    const environment: Record<string, string> = {
      [ENV.ENI_ID]: this.networkInterface.networkInterfaceId,
      [ENV.CANDIDATES]: this.candidates.map((c) => c.instance.instanceId).join(','),
      [ENV.DEVICE_INDEX]: String(this.deviceIndex),
      [ENV.FAILBACK]: String(props.failback?.enabled ?? DEFAULTS.failback),
      [ENV.DEADLINE_SECONDS]: String(props.deadline?.toSeconds() ?? DEFAULTS.deadlineSeconds),
      [ENV.PLACEMENT_DEADLINE_SECONDS]: String(props.placementDeadline?.toSeconds() ?? DEFAULTS.placementDeadlineSeconds),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    if (props.failback?.delay) environment[ENV.FAILBACK_AFTER_SECONDS] = String(props.failback.delay.toSeconds());
    if (props.notifyOnFailure ?? true) environment[ENV.NOTIFY_TOPIC_ARN] = this.topic.topicArn;
    if (props.fence) environment[ENV.FENCE] = 'true';
    environment[ENV.MAX_NOTICE_AGE_SECONDS] = String(maxEventAgeSeconds(props));
    return environment;
  }

  /**
   * The floating address probe runs in the VPC: a security group that may reach the probed port
   * on the interface and HTTPS for the AWS APIs, and nothing else.
   */
  private renderFloatingProbeNetwork(eni: INetworkInterface, props: EniFailoverProps): EngineNetwork | undefined {
    const probe = props.floatingAddressProbe;
    if (!probe) return undefined;
    const vpc = props.vpc ?? (eni instanceof NetworkInterface ? eni.vpc : undefined);
    if (!vpc) {
      throw new Error(`floatingAddressProbe of ${this.node.path} runs the reconcile Lambda in the VPC, but no vpc is known: pass vpc to EniFailover when it adopts a networkInterface`);
    }
    const securityGroup = new ec2.SecurityGroup(this, 'ReconcileSecurityGroup', {
      vpc,
      description: `${this.node.path} reconcile Lambda (floating address probe)`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (EC2, CloudWatch, SNS)');
    eni.connections.allowFrom(securityGroup, ec2.Port.tcp(probe.port), `floating address probe of ${this.node.path}`);
    return { vpc, vpcSubnets: probe.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroup, protectedInterfaces: [eni] };
  }

  /**
   * What the engine may do besides describing: attach to the two candidates, detach this
   * failover's interfaces, tag the interface (pin, refused device index), stop a fenced candidate,
   * publish failure notices.
   */
  private grantEngine(eni: INetworkInterface, props: EniFailoverProps): void {
    const role = this.engine.role;
    eni.grantAttach(role, props.primary, props.standby);
    for (const statement of renderDetachStatements(this, eni)) role.addToPrincipalPolicy(statement);
    acknowledgeEc2Wildcard(role, 'instance',
      'ec2:DetachNetworkInterface needs the instance ARN too; the interface side is limited to this failover\'s interfaces, so it can detach them only, from whichever instance holds them (a replaced primary included)');
    if (eni instanceof NetworkInterface) {
      acknowledgeEc2Wildcard(role, 'network-interface',
        `detaching an interface is allowed only when it carries the tag ${FAILOVER_OWNER_TAG}=${Names.uniqueId(this)} of this failover (an interface replaced by a deploy keeps it)`);
    }
    role.addToPrincipalPolicy(renderTagStatement(eni));
    if (props.fence) role.addToPrincipalPolicy(renderFenceStatement(this, this.candidates));
    if (props.notifyOnFailure ?? true) {
      this.topic.grantPublish(role);
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Publishing to the KMS-encrypted topic needs kms:GenerateDataKey* (the data key variants), on the topic key only',
      });
    }
  }

  /**
   * Initial placement at deploy time: a second function of the same code without reserved
   * concurrency or retries, so a trigger run in progress cannot throttle the deployment's
   * synchronous call, behind a custom resource. The trigger function (and with it its rules,
   * subscriptions and schedule) exists only after the first placement, and is deleted before the
   * placement's Delete releases the interface.
   */
  private addPlacement(eni: INetworkInterface, props: EniFailoverProps, environment: Record<string, string>): lambda.Function {
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const placementFn = this.engine.addFunction('PlacementFunction', 'PlacementLogGroup', {
      description: `Places the floating network interface of ${this.node.path} at deploy time`,
      environment,
      timeout: (props.placementDeadline ?? Duration.seconds(DEFAULTS.placementDeadlineSeconds)).plus(Duration.minutes(1)),
      logRetention,
    });
    const provider = renderPlacementProvider(this, placementFn, logRetention);
    const placement = new CustomResource(this, 'Placement', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EniFailoverPlacement',
      properties: {
        NetworkInterfaceId: eni.networkInterfaceId,
        CandidateInstanceIds: this.candidates.map((c) => c.instance.instanceId),
        DeviceIndex: this.deviceIndex,
      },
    });
    // The instances must exist (and be launching) before the engine is asked to place the interface,
    // and the interface too. On stack deletion the order reverses: the placement's Delete detaches
    // the interface while the instances still exist, before CloudFormation deletes the interface.
    placement.node.addDependency(props.primary, props.standby);
    if (eni instanceof NetworkInterface) placement.node.addDependency(eni);
    this.engine.function.node.addDependency(placement);
    this.addPlacementMetadata(eni, placement);
    return placementFn;
  }

  /** Binds each trigger once; returns the alarms they created. */
  private bindTriggers(eni: INetworkInterface, props: EniFailoverProps, alarmAction: cloudwatch.IAlarmAction): cloudwatch.IAlarm[] {
    const kinds = new Set<string>();
    const alarms: cloudwatch.IAlarm[] = [];
    for (const trigger of props.triggers ?? FailoverTrigger.defaults()) {
      if (kinds.has(trigger.kind)) {
        throw new Error(`triggers lists ${trigger.kind} twice: use each kind of FailoverTrigger once`);
      }
      kinds.add(trigger.kind);
      const binding = trigger._bind({
        scope: this,
        candidates: this.candidates,
        reconcileFunction: this.engine.function,
        alarmAction,
        metricsNamespace: this.metricsNamespace,
        logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
        vpc: props.vpc ?? (eni instanceof NetworkInterface ? eni.vpc : undefined),
        vpcSubnets: eni instanceof NetworkInterface ? { subnets: [eni.subnet] } : props.vpcSubnets,
        networkInterface: eni,
      });
      alarms.push(...binding.alarms);
      this.alarmRegistry.addTriggerAlarms(binding.triggerAlarms ?? []);
      for (const h of binding.healthAlarms ?? []) this.alarmRegistry.addHealthAlarm(h.instance, h.alarm, `triggers (${trigger.kind})`);
    }
    for (const h of props.healthAlarms ?? []) this.alarmRegistry.addHealthAlarm(h.instance, h.alarm, 'healthAlarms');
    return alarms;
  }

  private addPlacementMetadata(eni: INetworkInterface, placement: CustomResource): void {
    const value = {
      eni: eni instanceof NetworkInterface ? eni.resource.logicalId : eni.networkInterfaceId,
      candidates: this.candidates.map((c) => cfnInstanceOf(c.instance)?.logicalId ?? c.instance.instanceId),
      deviceIndex: this.deviceIndex,
    };
    const target = eni instanceof NetworkInterface && Stack.of(eni) === Stack.of(this)
      ? eni.resource
      : placement.node.defaultChild as CfnResource;
    target.addMetadata(FAILOVER_METADATA, value);
  }
}

/** The probe's port and timeout, for the trigger function only (the placement never probes). */
function renderFloatingProbeEnvironment(probe: FloatingAddressProbeOptions | undefined): Record<string, string> {
  if (!probe) return {};
  return {
    [ENV.FLOATING_PROBE_PORT]: String(probe.port),
    [ENV.FLOATING_PROBE_TIMEOUT_MS]: String(probe.timeout?.toMilliseconds() ?? DEFAULTS.floatingProbeTimeoutMs),
  };
}

/** The bound of Lambda's event age and of the engine's notice age, in seconds. */
function maxEventAgeSeconds(props: EniFailoverProps): number {
  return props.maxEventAge?.toSeconds() ?? DEFAULTS.maxNoticeAgeSeconds;
}

/**
 * Scheduled runs that find nothing healthy only log and count (no exception every 5 minutes):
 * this alarm reports such a double failure once, even when no trigger run saw it.
 */
function renderNoHealthyAlarm(failover: EniFailover, alarmAction: cloudwatch.IAlarmAction): cloudwatch.Alarm {
  return countAlarm(failover, 'NoHealthyCandidateAlarm', {
    description: `No candidate of ${failover.node.path} is healthy: the floating interface has nowhere to go`,
    metric: failover.metricNoHealthyCandidate({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
    action: alarmAction,
    okAction: true,
  });
}
