/**
 * The reconcile Lambda of `EniFailover`. Every invocation, whatever its trigger (CloudWatch alarm
 * through SNS, EC2 state-change or alarm events from EventBridge, a schedule, a direct invoke, or
 * the deploy-time custom resource), runs the same level-triggered reconcile. Runs that end with no
 * healthy candidate or past the deadline throw, so the invocation errors (DLQ, error alarms) and a
 * failure notice goes to the SNS topic when one is configured.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AlarmPort, SdkAlarmPort } from './alarm-port';
import { Ec2Port, SdkEc2Port } from './ec2-port';
import { Clock, EngineLogger, reconcile, ReconcileConfig, ReconcileResult, systemClock } from './engine';
import { checkInstanceId, FailoverSettings, settingsFromEnv } from './settings';
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

const FAILED = new Set(['no-healthy', 'deadline-exceeded', 'error']);

/** Builds a handler around injected dependencies (created once, on first use). */
export function createHandler(makeDeps: () => HandlerDeps) {
  let deps: HandlerDeps | undefined;
  return async (event: unknown): Promise<ReconcileResult | CustomResourceResponse> => {
    deps ??= makeDeps();
    const { settings, logger } = deps;
    const trigger = parseTrigger(event);
    logger.info('failover trigger', { trigger: trigger.kind, summary: trigger.summary, action: trigger.action, alarmStates: trigger.alarmStates });

    if (trigger.kind === 'custom-resource' && trigger.requestType === 'Delete') {
      // The ENI and the instances outlive this resource only to be deleted with the stack:
      // detaching here would cut traffic for nothing.
      logger.info('failover custom resource delete: nothing to do', { eniId: settings.eniId });
      return { PhysicalResourceId: trigger.physicalResourceId ?? settings.eniId };
    }

    const config = configFor(settings, trigger);
    const result = await reconcile(config, deps.port, { clock: deps.clock, logger, alarms: deps.alarms });
    record(deps.metrics, settings, result);

    const failed = FAILED.has(result.outcome) && trigger.action !== 'status';
    if (failed) {
      const message = `ENI failover of ${settings.eniId} (${trigger.summary}): ${result.outcome}: ${result.message}`;
      logger.error('failover failed', { ...result, lastDecision: result.lastDecision?.kind });
      await notify(deps, `ENI failover ${result.outcome}: ${settings.eniId}`, message, result);
      throw new Error(message);
    }

    if (trigger.kind === 'custom-resource') {
      return {
        PhysicalResourceId: settings.eniId,
        Data: { InstanceId: result.holder ?? result.to ?? '', Outcome: result.outcome, Action: result.action },
      };
    }
    return result;
  };
}

function configFor(settings: FailoverSettings, trigger: Trigger): ReconcileConfig {
  const placement = trigger.kind === 'custom-resource';
  const target = trigger.action === 'move' && trigger.to ? checkInstanceId(trigger.to, 'to') : undefined;
  return {
    eniId: settings.eniId,
    candidates: settings.candidates,
    deviceIndex: settings.deviceIndex,
    policy: settings.policy,
    deadlineSeconds: placement ? settings.placementDeadlineSeconds : settings.deadlineSeconds,
    waitForHealthy: placement,
    dryRun: trigger.action === 'status',
    target,
    force: target ? trigger.force : undefined,
    healthAlarms: settings.healthAlarms,
    alarmNotices: trigger.alarms,
    trigger: `${trigger.kind}: ${trigger.summary}`,
  };
}

function record(metrics: MetricsSink, settings: FailoverSettings, result: ReconcileResult): void {
  if (result.dryRun) return;
  metrics.addDimension('NetworkInterfaceId', settings.eniId);
  const moved = result.outcome === 'converged' && result.action !== 'none';
  metrics.addMetric('Moves', MetricUnit.Count, moved ? 1 : 0);
  if (moved) metrics.addMetric('MoveDurationMs', MetricUnit.Milliseconds, result.durationMs);
  metrics.addMetric('NoHealthyCandidate', MetricUnit.Count, result.outcome === 'no-healthy' ? 1 : 0);
  metrics.addMetric('DeadlineExceeded', MetricUnit.Count, result.outcome === 'deadline-exceeded' ? 1 : 0);
  metrics.publishStoredMetrics();
}

async function notify(deps: HandlerDeps, subject: string, message: string, result: ReconcileResult): Promise<void> {
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
    port: new SdkEc2Port(new EC2Client({ maxAttempts: 4 })),
    alarms: Object.keys(settings.healthAlarms).length > 0 ? new SdkAlarmPort(new CloudWatchClient({ maxAttempts: 4 })) : undefined,
    clock: systemClock,
    logger,
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EniFailover', serviceName: 'eni-failover' }),
    notifier: settings.notifyTopicArn ? new SnsNotifier(settings.notifyTopicArn) : undefined,
  };
}

/** Lambda entry point. */
export const handler = createHandler(defaultDeps);
