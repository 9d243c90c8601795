/**
 * The reconcile Lambda of `EniFailover`. Every invocation, whatever its trigger (CloudWatch alarm
 * through SNS, EC2 state-change or alarm events from EventBridge, a schedule, a direct invoke, or
 * the deploy-time custom resource), runs the same level-triggered reconcile. Runs that end with no
 * healthy candidate or past the deadline throw, so the invocation errors (DLQ, error alarms) and a
 * failure notice goes to the SNS topic when one is configured. A scheduled run with no healthy
 * candidate does not throw: the run that found the double failure (alarm, state change) already
 * did, and the `NoHealthyCandidate` metric keeps counting. The custom resource's Delete detaches
 * the ENI, so CloudFormation can delete it (or it is left free when only the failover is removed).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AlarmPort, SdkAlarmPort } from './alarm-port';
import { Ec2Port, SdkEc2Port } from './ec2-port';
import { Clock, EngineLogger, FloatingProbe, reconcile, ReconcileConfig, ReconcileResult, release, ReleaseOutcome, systemClock } from './engine';
import { checkEniId, checkInstanceId, FailoverSettings, parseInteger, settingsFromEnv } from './settings';
import { TcpProbe } from './tcp-probe';
import { parseTrigger, Trigger } from './triggers';

/** Publishes failure notices. */
export interface Notifier {
  publish(subject: string, message: string): Promise<void>;
}

/** The part of Powertools Metrics the handler uses. */
export interface MetricsSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** Everything the handler needs from the outside world. */
export interface HandlerDeps {
  readonly settings: FailoverSettings;
  readonly port: Ec2Port;
  /**
   * Reads the health alarms of `settings.healthAlarms`.
   * @default - none (needed only when health alarms are configured)
   */
  readonly alarms?: AlarmPort;
  /**
   * Probes the floating address (with `settings.floatingProbePort`).
   * @default - none
   */
  readonly probe?: FloatingProbe;
  readonly clock: Clock;
  readonly logger: EngineLogger & { error(message: string, fields: Record<string, unknown>): void };
  readonly metrics: MetricsSink;
  /** @default - no notices */
  readonly notifier?: Notifier;
}

/** Provider-framework `onEvent` response. */
export interface CustomResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

const FAILED = new Set(['no-healthy', 'deadline-exceeded', 'error', 'not-answering']);
/** Release outcomes after which CloudFormation can delete (or forget) the ENI. */
const RELEASED = new Set<ReleaseOutcome>(['released', 'already-free', 'gone', 'primary-interface']);

/** What the placement custom resource names: the ENI, the candidates and the device index. */
interface Placement {
  readonly eniId: string;
  readonly candidates: readonly string[];
  readonly deviceIndex: number;
}

/** Builds a handler around injected dependencies (created once, on first use). */
export function createHandler(makeDeps: () => HandlerDeps) {
  let deps: HandlerDeps | undefined;
  return async (event: unknown): Promise<ReconcileResult | CustomResourceResponse> => {
    deps ??= makeDeps();
    const current = deps;
    const { settings, logger } = current;
    const trigger = parseTrigger(event);
    logger.info('failover trigger', { trigger: trigger.kind, summary: trigger.summary, action: trigger.action, alarmStates: trigger.alarmStates });

    const placement = trigger.kind === 'custom-resource' ? placementOf(trigger.resourceProperties, settings, 'ResourceProperties') : undefined;
    const eniId = placement?.eniId ?? settings.eniId;
    const fail = async (outcome: string, detail: string, result: unknown): Promise<never> => {
      const message = `ENI failover of ${eniId} (${trigger.summary}): ${outcome}: ${detail}`;
      const fields = result as Partial<ReconcileResult>;
      logger.error('failover failed', { ...fields, outcome, message, lastDecision: fields.lastDecision?.kind });
      await notify(current, `ENI failover ${outcome}: ${eniId}`, message, result);
      throw new Error(message);
    };

    let releasedAfterMs = 0;
    if (trigger.kind === 'custom-resource' && placement) {
      // The ENI has no dependency on the instances: on stack deletion CloudFormation deletes it
      // right after this resource, which fails while it is attached. Delete detaches it; an Update
      // that names another ENI first frees the device index the old one holds on its instance.
      const old = trigger.requestType === 'Update' ? placementOf(trigger.oldResourceProperties, settings, 'OldResourceProperties') : undefined;
      const toRelease = trigger.requestType === 'Delete' ? placement.eniId : old && old.eniId !== placement.eniId ? old.eniId : undefined;
      if (toRelease) {
        releasedAfterMs = deps.clock.now();
        const released = await release({
          eniId: toRelease,
          deadlineSeconds: settings.placementDeadlineSeconds,
          forceDetachAfterSeconds: settings.forceDetachAfterSeconds,
          trigger: `${trigger.kind}: ${trigger.summary}`,
        }, deps.port, { clock: deps.clock, logger });
        if (!RELEASED.has(released.outcome)) {
          await fail(released.outcome, `could not detach ${toRelease}: ${released.message}`, released);
        }
        releasedAfterMs = deps.clock.now() - releasedAfterMs;
      }
      if (trigger.requestType === 'Delete') {
        return { PhysicalResourceId: trigger.physicalResourceId ?? placement.eniId };
      }
    }

    // An Update that released the old ENI first has that much less time to place the new one.
    const config = configFor(settings, trigger, placement, Math.ceil(releasedAfterMs / 1000));
    const result = await reconcile(config, deps.port, { clock: deps.clock, logger, alarms: deps.alarms, probe: deps.probe });
    record(deps.metrics, eniId, result);

    if (trigger.kind === 'schedule' && result.outcome === 'no-healthy') {
      // The alarm or state-change run that found the double failure already failed and notified;
      // a schedule repeating it every few minutes would only add retries, dead letters and notices.
      logger.warn('failover no healthy candidate: scheduled run, not failing again', { ...result, lastDecision: result.lastDecision?.kind });
      return result;
    }
    const failed = FAILED.has(result.outcome) && trigger.action !== 'status';
    if (failed) {
      await fail(result.outcome, result.message, result);
    }
    if (result.attachFailures.length > 0 && !result.dryRun) {
      // The ENI found a home, but EC2 refused an attach on the way: a device index may be stuck
      // after a forced detach, and that instance cannot take the ENI until it is stopped and started.
      const refused = result.attachFailures.map((f) => `${f.instanceId} (${f.code}: ${f.message})`).join(', ');
      const message = `ENI failover of ${eniId} (${trigger.summary}): ${result.outcome} on ${result.holder ?? result.to}, but EC2 refused the attach to ${refused}`;
      logger.error('failover attach refused', { ...result, lastDecision: result.lastDecision?.kind });
      await notify(deps, `ENI failover attach refused: ${eniId}`, message, result);
    }

    if (trigger.kind === 'custom-resource') {
      return {
        PhysicalResourceId: eniId,
        Data: { InstanceId: result.holder ?? result.to ?? '', Outcome: result.outcome, Action: result.action },
      };
    }
    return result;
  };
}

/**
 * The ENI, candidates and device index a placement custom resource names in its properties
 * (CloudFormation passes numbers as strings), each falling back to the environment when absent.
 */
function placementOf(props: Readonly<Record<string, unknown>> | undefined, settings: FailoverSettings, name: string): Placement {
  const eni = props?.NetworkInterfaceId;
  const ids = props?.CandidateInstanceIds;
  const index = props?.DeviceIndex;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0)) {
    throw new Error(`${name}.CandidateInstanceIds ${JSON.stringify(ids)} is not a list of instance ids: give one or more, the primary first`);
  }
  return {
    eniId: typeof eni === 'string' ? checkEniId(eni, `${name}.NetworkInterfaceId`) : settings.eniId,
    candidates: Array.isArray(ids) ? ids.map((id) => checkInstanceId(String(id), `${name}.CandidateInstanceIds`)) : settings.candidates,
    deviceIndex: index === undefined ? settings.deviceIndex : parseInteger(String(index), `${name}.DeviceIndex`, 1, 31, settings.deviceIndex),
  };
}

function configFor(settings: FailoverSettings, trigger: Trigger, placement: Placement | undefined, usedSeconds: number): ReconcileConfig {
  const target = trigger.action === 'move' && trigger.to ? checkInstanceId(trigger.to, 'to') : undefined;
  return {
    eniId: placement?.eniId ?? settings.eniId,
    candidates: placement?.candidates ?? settings.candidates,
    deviceIndex: placement?.deviceIndex ?? settings.deviceIndex,
    policy: settings.policy,
    forceDetachAfterSeconds: settings.forceDetachAfterSeconds,
    deadlineSeconds: placement ? Math.max(1, settings.placementDeadlineSeconds - usedSeconds) : settings.deadlineSeconds,
    waitForHealthy: placement !== undefined,
    dryRun: trigger.action === 'status',
    target,
    force: target ? trigger.force : undefined,
    healthAlarms: settings.healthAlarms,
    alarmNotices: trigger.alarms,
    maxNoticeAgeSeconds: settings.maxNoticeAgeSeconds,
    fence: settings.fence,
    floatingProbePort: settings.floatingProbePort,
    trigger: `${trigger.kind}: ${trigger.summary}`,
  };
}

function record(metrics: MetricsSink, eniId: string, result: ReconcileResult): void {
  if (result.dryRun) return;
  metrics.addDimension('NetworkInterfaceId', eniId);
  const moved = result.outcome === 'converged' && result.action !== 'none';
  metrics.addMetric('Moves', MetricUnit.Count, moved ? 1 : 0);
  if (moved) metrics.addMetric('MoveDurationMs', MetricUnit.Milliseconds, result.durationMs);
  metrics.addMetric('NoHealthyCandidate', MetricUnit.Count, result.outcome === 'no-healthy' ? 1 : 0);
  metrics.addMetric('DeadlineExceeded', MetricUnit.Count, result.outcome === 'deadline-exceeded' ? 1 : 0);
  metrics.publishStoredMetrics();
}

async function notify(deps: HandlerDeps, subject: string, message: string, result: unknown): Promise<void> {
  if (!deps.notifier) return;
  try {
    await deps.notifier.publish(subject.slice(0, 100), `${message}\n\n${JSON.stringify(result, undefined, 2)}`);
  } catch (err) {
    // The invocation fails anyway; a notice that cannot be sent must not hide the real error.
    deps.logger.error('failure notice not sent', { error: (err as Error).message });
  }
}

/**
 * Publishes to SNS with the AWS SDK that the Lambda Node.js runtime provides (the bundle keeps
 * `@aws-sdk/*` external). The client is created on the first notice only.
 */
class SnsNotifier implements Notifier {
  private client: SNSClient | undefined;

  constructor(private readonly topicArn: string) {}

  public async publish(subject: string, message: string): Promise<void> {
    this.client ??= new SNSClient({});
    await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: message }));
  }
}

/**
 * SDK client settings: a few retries, and a request that hangs must not outlive the run's deadline
 * (the engine checks its deadline between calls only).
 */
const SDK_CLIENT_CONFIG = { maxAttempts: 4, requestHandler: { requestTimeout: 5_000, connectionTimeout: 3_000 } };

function defaultDeps(): HandlerDeps {
  const settings = settingsFromEnv(process.env);
  const powertools = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eni-failover' });
  const logger = {
    info: (message: string, fields: Record<string, unknown>) => powertools.info(message, fields),
    warn: (message: string, fields: Record<string, unknown>) => powertools.warn(message, fields),
    error: (message: string, fields: Record<string, unknown>) => powertools.error(message, fields),
  };
  return {
    settings,
    port: new SdkEc2Port(new EC2Client(SDK_CLIENT_CONFIG)),
    // Always: alarm notices (status check alarms through SNS) are read like health alarms.
    alarms: new SdkAlarmPort(new CloudWatchClient(SDK_CLIENT_CONFIG)),
    probe: settings.floatingProbePort !== undefined ? new TcpProbe(settings.floatingProbeTimeoutMs) : undefined,
    clock: systemClock,
    logger,
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EniFailover', serviceName: 'eni-failover' }),
    notifier: settings.notifyTopicArn ? new SnsNotifier(settings.notifyTopicArn) : undefined,
  };
}

/** Lambda entry point. */
export const handler = createHandler(defaultDeps);
