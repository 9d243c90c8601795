import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROBE_ENV, PROBE_METRIC } from './probe-settings';
import { ProbeFunction } from '../engine/probe-function';
import { countAlarm } from '../private/alarms';
import { FailoverTriggerBinding, FailoverTriggerContext } from '../private/failover-context';
import { acknowledgeRuntime } from '../private/nag';
import { grantVpcNetworking } from '../private/vpc-function-grants';

/** Service dimension Powertools adds to the probe's metrics. */
const PROBE_SERVICE = 'eni-failover-probe';

/**
 * Options of the status check alarm trigger.
 */
export interface StatusCheckAlarmOptions {
  /**
   * How many consecutive one-minute periods with a failed status check put the alarm in `ALARM`.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/**
 * The protocol a health probe speaks.
 */
export enum ProbeProtocol {
  /** A TCP connection that is accepted counts as healthy. */
  TCP = 'TCP',
  /** An HTTP GET answered with a 2xx or 3xx status counts as healthy. */
  HTTP = 'HTTP',
}

/**
 * Options of the health probe trigger.
 */
export interface HealthProbeOptions {
  /** The port the application listens on, on every candidate instance. */
  readonly port: number;

  /**
   * The protocol to probe with.
   *
   * @default ProbeProtocol.TCP
   */
  readonly protocol?: ProbeProtocol;

  /**
   * The path of the HTTP request. Only for `ProbeProtocol.HTTP`.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * How often the probe runs: a whole number of minutes (EventBridge schedules run at most once a
   * minute). Also the period of the probe alarms.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * How many failed probes in a row put an instance's probe alarm in `ALARM`.
   *
   * @default 2
   */
  readonly unhealthyThreshold?: number;

  /**
   * How long one probe waits for a connection (TCP) or an answer (HTTP).
   *
   * @default Duration.seconds(3)
   */
  readonly timeout?: Duration;
}

/**
 * What makes the reconcile Lambda of an `EniFailover` run. Every trigger runs the same
 * level-triggered reconcile, so any combination, firing any number of times in any order,
 * converges to the same placement.
 */
export abstract class FailoverTrigger {
  /**
   * The classic chain: a CloudWatch alarm on the `StatusCheckFailed` metric of every candidate
   * (one-minute period) publishes `ALARM` and `OK` to the failover's SNS topic, which invokes the
   * reconcile Lambda. The alarm on the standby makes a double failure and the recovery of the
   * primary visible.
   *
   * Missing data is treated as missing: EC2 publishes status checks only while an instance runs,
   * and a stopped or terminated instance is seen faster by `instanceStateChange()` and by the
   * engine's own `DescribeInstanceStatus`. Treating it as breaching would raise alarms for a
   * standby that is stopped on purpose and for instances still launching.
   */
  public static statusCheckAlarm(options: StatusCheckAlarmOptions = {}): FailoverTrigger {
    const evaluationPeriods = options.evaluationPeriods ?? 2;
    checkWholeNumber('statusCheckAlarm evaluationPeriods', evaluationPeriods, 1, 60);
    return new StatusCheckAlarmTrigger(evaluationPeriods);
  }

  /**
   * EC2 instance state-change events (`pending`, `running`, `stopping`, `stopped`,
   * `shutting-down`, `terminated`) of the candidates, through an EventBridge rule, to the
   * reconcile Lambda. They arrive within seconds, faster than any alarm.
   */
  public static instanceStateChange(): FailoverTrigger {
    return new InstanceStateChangeTrigger();
  }

  /**
   * A periodic reconcile: catches anything the other triggers missed and performs failback.
   *
   * @param rate how often, a whole number of minutes; default 5 minutes
   */
  public static schedule(rate?: Duration): FailoverTrigger {
    const r = rate ?? Duration.minutes(5);
    checkWholeMinutes('schedule rate', r);
    return new ScheduleTrigger(r);
  }

  /**
   * A probe for a hung application: a small Lambda function in the VPC connects to every
   * candidate's private IPv4 address on a schedule and emits a `ProbeSuccess` metric per
   * instance; an alarm per instance publishes `ALARM` and `OK` to the failover's SNS topic. The
   * probe alarms are also health alarms of their candidates (see `EniFailover.addHealthAlarm()`):
   * every reconcile run reads them, so a scheduled or state-change run never chooses, or fails
   * back to, an instance whose application is hung. The candidates' security groups are opened to
   * the probe on `port`. Needs the VPC: give `vpc` to `EniFailover` when it adopts a network
   * interface.
   */
  public static healthProbe(options: HealthProbeOptions): FailoverTrigger {
    const protocol = options.protocol ?? ProbeProtocol.TCP;
    if (!Token.isUnresolved(options.port)) checkWholeNumber('healthProbe port', options.port, 1, 65535);
    if (options.path !== undefined && protocol !== ProbeProtocol.HTTP) {
      throw new Error(`healthProbe path '${options.path}' is only used by ProbeProtocol.HTTP, but protocol is ${protocol}: drop the path or probe over HTTP`);
    }
    const path = options.path ?? '/';
    if (!Token.isUnresolved(path) && !/^\/[\x21-\x7e]*$/.test(path)) {
      throw new Error(`healthProbe path '${path}' is not allowed: use an absolute path such as '/health', without spaces`);
    }
    const interval = options.interval ?? Duration.minutes(1);
    checkWholeMinutes('healthProbe interval', interval);
    const unhealthyThreshold = options.unhealthyThreshold ?? 2;
    checkWholeNumber('healthProbe unhealthyThreshold', unhealthyThreshold, 1, 60);
    const timeout = options.timeout ?? Duration.seconds(3);
    const timeoutMs = timeout.toMilliseconds();
    if (timeoutMs < 100 || timeoutMs > 20_000) {
      throw new Error(`healthProbe timeout ${timeout.toHumanString()} is not allowed: use 100 milliseconds to 20 seconds`);
    }
    return new HealthProbeTrigger({ port: options.port, protocol, path, interval, unhealthyThreshold, timeoutMs });
  }

  /**
   * The triggers used when none are given: `statusCheckAlarm()`, `instanceStateChange()` and
   * `schedule()` every 5 minutes.
   */
  public static defaults(): FailoverTrigger[] {
    return [FailoverTrigger.statusCheckAlarm(), FailoverTrigger.instanceStateChange(), FailoverTrigger.schedule()];
  }

  /** The kind of trigger, e.g. `statusCheckAlarm`; each kind can be used once per failover. */
  public abstract readonly kind: string;

  /**
   * Creates the trigger's resources under the failover.
   * @internal
   */
  public abstract _bind(context: FailoverTriggerContext): FailoverTriggerBinding;
}

class StatusCheckAlarmTrigger extends FailoverTrigger {
  public readonly kind = 'statusCheckAlarm';

  constructor(private readonly evaluationPeriods: number) {
    super();
  }

  public _bind(context: FailoverTriggerContext): FailoverTriggerBinding {
    const alarms = context.candidates.map(({ name, instance }) => candidateAlarm(context, `${name}StatusCheckAlarm`, {
      description: `EC2 status checks of the ${name.toLowerCase()} candidate of ${context.scope.node.path} failed: the floating network interface moves to a healthy candidate`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/EC2',
        metricName: 'StatusCheckFailed',
        dimensionsMap: { InstanceId: instance.instanceId },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: this.evaluationPeriods,
    }));
    return { alarms, triggerAlarms: alarms };
  }
}

class InstanceStateChangeTrigger extends FailoverTrigger {
  public readonly kind = 'instanceStateChange';

  public _bind(context: FailoverTriggerContext): FailoverTriggerBinding {
    new events.Rule(context.scope, 'InstanceStateChangeRule', {
      description: `EC2 state changes of the candidates of ${context.scope.node.path}`.slice(0, 512),
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: {
          'instance-id': context.candidates.map((c) => c.instance.instanceId),
          'state': ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'],
        },
      },
      targets: [new targets.LambdaFunction(context.reconcileFunction)],
    });
    return { alarms: [] };
  }
}

class ScheduleTrigger extends FailoverTrigger {
  public readonly kind = 'schedule';

  constructor(private readonly rate: Duration) {
    super();
  }

  public _bind(context: FailoverTriggerContext): FailoverTriggerBinding {
    new events.Rule(context.scope, 'ScheduleRule', {
      description: `Periodic reconcile of ${context.scope.node.path}`.slice(0, 512),
      schedule: events.Schedule.rate(this.rate),
      targets: [new targets.LambdaFunction(context.reconcileFunction)],
    });
    return { alarms: [] };
  }
}

interface ProbeConfig {
  readonly port: number;
  readonly protocol: ProbeProtocol;
  readonly path: string;
  readonly interval: Duration;
  readonly unhealthyThreshold: number;
  readonly timeoutMs: number;
}

class HealthProbeTrigger extends FailoverTrigger {
  public readonly kind = 'healthProbe';

  constructor(private readonly config: ProbeConfig) {
    super();
  }

  public _bind(context: FailoverTriggerContext): FailoverTriggerBinding {
    const { scope, vpc } = context;
    if (!vpc) {
      throw new Error(`triggers: FailoverTrigger.healthProbe() of ${scope.node.path} runs in the VPC, but no vpc is known: pass vpc to EniFailover when it adopts a networkInterface`);
    }
    const probe = new Construct(scope, 'HealthProbe');
    const port = ec2.Port.tcp(this.config.port);
    const securityGroup = new ec2.SecurityGroup(probe, 'SecurityGroup', {
      vpc,
      description: `${scope.node.path} health probe`,
      allowAllOutbound: false,
    });
    for (const { instance } of context.candidates) {
      instance.connections.allowFrom(securityGroup, port, `health probe of ${scope.node.path}`);
      securityGroup.addEgressRule(ec2.Peer.ipv4(`${instance.instancePrivateIp}/32`), port, `health probe of ${instance.node.path}`);
    }

    const logGroup = new logs.LogGroup(probe, 'LogGroup', { retention: context.logRetention });
    const role = new iam.Role(probe, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Health probe of ${scope.node.path}`.slice(0, 1000),
    });
    logGroup.grantWrite(role);
    // A function in a VPC manages its own network interfaces: scoped to this account, Region and
    // VPC, and never the floating interface.
    grantVpcNetworking(role, { vpc, protectedInterfaces: [context.networkInterface] });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only ec2:DescribeNetworkInterfaces is allowed on *: it supports no resource-level permissions. The other * statements are denies',
    });

    const fn = new ProbeFunction(probe, 'Function', {
      description: `Health probe of the candidates of ${scope.node.path}`.slice(0, 256),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc,
      vpcSubnets: context.vpcSubnets,
      // The probe talks to private addresses only and sends metrics through its logs, so a
      // public subnet (no internet access for a Lambda function) is fine.
      allowPublicSubnet: true,
      securityGroups: [securityGroup],
      timeout: Duration.seconds(Math.ceil(this.config.timeoutMs / 1000) + 10),
      environment: {
        [PROBE_ENV.TARGETS]: context.candidates.map((c) => `${c.instance.instanceId}=${c.instance.instancePrivateIp}`).join(','),
        [PROBE_ENV.PORT]: String(this.config.port),
        [PROBE_ENV.PROTOCOL]: this.config.protocol,
        [PROBE_ENV.PATH]: this.config.path,
        [PROBE_ENV.TIMEOUT_MS]: String(this.config.timeoutMs),
        POWERTOOLS_SERVICE_NAME: PROBE_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: context.metricsNamespace,
      },
    });
    fn.node.addDependency(role);
    acknowledgeRuntime(fn);

    new events.Rule(probe, 'ScheduleRule', {
      description: `Health probe of ${scope.node.path}`.slice(0, 512),
      schedule: events.Schedule.rate(this.config.interval),
      targets: [new targets.LambdaFunction(fn)],
    });

    const healthAlarms = renderProbeAlarms(context, this.config);
    const alarms: cloudwatch.IAlarm[] = healthAlarms.map((h) => h.alarm);
    const errors = countAlarm(probe, 'ErrorsAlarm', {
      description: `The health probe function of ${scope.node.path} fails`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      action: context.alarmAction,
    });
    // The reconcile Lambda reads these alarms in every run, not only in the run their SNS notice starts.
    return { alarms: [...alarms, errors], triggerAlarms: alarms, healthAlarms };
  }
}

/** One alarm per candidate on its probe results, to the topic on ALARM and OK. */
function renderProbeAlarms(context: FailoverTriggerContext, config: ProbeConfig) {
  return context.candidates.map(({ name, instance }) => ({
    instance,
    alarm: candidateAlarm(context, `${name}HealthProbeAlarm`, {
      description: `The ${config.protocol} health probe on port ${config.port} of the ${name.toLowerCase()} candidate of ${context.scope.node.path} failed: the floating network interface moves to a healthy candidate`,
      metric: new cloudwatch.Metric({
        namespace: context.metricsNamespace,
        metricName: PROBE_METRIC,
        // The InstanceId dimension is how the reconcile Lambda tells which candidate the alarm is about.
        dimensionsMap: { service: PROBE_SERVICE, InstanceId: instance.instanceId },
        statistic: cloudwatch.Stats.MINIMUM,
        period: config.interval,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: config.unhealthyThreshold,
    }),
  }));
}

/**
 * An alarm on one candidate's health (threshold 1) that publishes ALARM and OK to the failover
 * topic. Missing data is missing: a stopped instance or a probe that does not run says nothing
 * about health (the state-change events and the probe's errors alarm tell).
 */
function candidateAlarm(context: FailoverTriggerContext, id: string, options: {
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
}): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(context.scope, id, {
    alarmDescription: options.description,
    metric: options.metric,
    threshold: 1,
    comparisonOperator: options.comparisonOperator,
    evaluationPeriods: options.evaluationPeriods,
    treatMissingData: cloudwatch.TreatMissingData.MISSING,
  });
  alarm.addAlarmAction(context.alarmAction);
  alarm.addOkAction(context.alarmAction);
  return alarm;
}

function checkWholeNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} ${value} is not allowed: use a whole number from ${min} to ${max}`);
  }
}

function checkWholeMinutes(name: string, value: Duration): void {
  if (value.isUnresolved()) return;
  const seconds = value.toSeconds();
  if (seconds < 60 || seconds % 60 !== 0) {
    throw new Error(`${name} ${value.toHumanString()} is not allowed: EventBridge schedules run at most once a minute; use a whole number of minutes of 1 or more`);
  }
}
