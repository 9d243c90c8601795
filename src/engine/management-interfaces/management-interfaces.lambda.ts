/**
 * The management-interface handler of `DualHomedAutoScalingGroup`. Lifecycle events (launch and
 * terminate, delivered by EventBridge, possibly late or twice) run the loop for their instance;
 * scheduled events (and anything else) run it for the whole group: orphans are deleted and
 * instances that missed their hook are repaired. A run that cannot converge before its deadline
 * throws, so the invocation is retried and, in the end, dead-lettered and alarmed on.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ManagementInterfaceSettings, settingsFromEnv } from './contract';
import { ManagementPort, SdkManagementPort } from './port';
import { Clock, reconcileGroup, RunLogger, RunRequest, RunResult, systemClock } from './reconcile';

/** What the handler does with an event. */
export type ParsedEvent =
  | { readonly kind: 'run'; readonly request: RunRequest; readonly summary: string }
  | { readonly kind: 'ignore'; readonly summary: string };

const LAUNCH = 'EC2 Instance-launch Lifecycle Action';
const TERMINATE = 'EC2 Instance-terminate Lifecycle Action';

/** Interprets an event; anything that is not a lifecycle action of this group's hooks runs the whole group. */
export function parseEvent(event: unknown, settings: ManagementInterfaceSettings): ParsedEvent {
  const e = (event ?? {}) as { 'detail-type'?: string; 'detail'?: Record<string, unknown>; 'time'?: string };
  const type = e['detail-type'];
  if (type !== LAUNCH && type !== TERMINATE) {
    return { kind: 'run', request: {}, summary: type ? `${type}: whole group` : 'whole group' };
  }
  const detail = e.detail ?? {};
  const group = detail.AutoScalingGroupName;
  const instanceId = detail.EC2InstanceId;
  if (group !== settings.groupName) {
    return { kind: 'ignore', summary: `${type} of group ${String(group)}, not ${settings.groupName}` };
  }
  if (typeof instanceId !== 'string' || !/^i-[0-9a-f]{8,17}$/.test(instanceId)) {
    return { kind: 'ignore', summary: `${type} without a valid EC2InstanceId (${JSON.stringify(instanceId)})` };
  }
  const transition = type === LAUNCH ? 'launch' : 'terminate';
  const hook = detail.LifecycleHookName;
  const ownHook = transition === 'launch' ? settings.launchHookName : settings.terminateHookName;
  if (hook !== ownHook) {
    return { kind: 'ignore', summary: `${type} of hook ${String(hook)}, not ${ownHook}` };
  }
  const eventTime = Date.parse(e.time ?? '');
  return {
    kind: 'run',
    request: { hint: { instanceId, transition, eventTime: Number.isFinite(eventTime) ? eventTime : undefined } },
    summary: `${transition} of ${instanceId}`,
  };
}

/** The part of Powertools Metrics the handler uses. */
export interface MetricsSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** Everything the handler needs from outside. */
export interface HandlerDeps {
  readonly settings: ManagementInterfaceSettings;
  readonly port: ManagementPort;
  readonly clock: Clock;
  readonly logger: RunLogger;
  readonly metrics: MetricsSink;
}

/** Builds a handler around injected dependencies (created on first use). */
export function createHandler(makeDeps: () => HandlerDeps) {
  let deps: HandlerDeps | undefined;
  return async (event: unknown): Promise<RunResult | { ignored: string }> => {
    deps ??= makeDeps();
    const { settings, port, clock, logger, metrics } = deps;
    const parsed = parseEvent(event, settings);
    if (parsed.kind === 'ignore') {
      logger.info('management interfaces: event ignored', { summary: parsed.summary });
      return { ignored: parsed.summary };
    }
    const result: RunResult = await reconcileGroup(port, settings, clock, logger, parsed.request);
    metrics.addDimension('AutoScalingGroupName', settings.groupName);
    const count = (kind: string) => result.performed.filter((a) => a.kind === kind).length;
    metrics.addMetric('InterfacesCreated', MetricUnit.Count, count('create'));
    metrics.addMetric('InterfacesAttached', MetricUnit.Count, count('attach'));
    metrics.addMetric('InterfacesDeleted', MetricUnit.Count, count('delete'));
    metrics.addMetric('Problems', MetricUnit.Count, result.problems.length);
    metrics.addMetric('RunDuration', MetricUnit.Milliseconds, result.durationMs);
    if (!parsed.request.hint) {
      // Only whole-group runs know how many InService instances lack their interface.
      metrics.addMetric('InstancesWithoutManagementInterface', MetricUnit.Count, result.inServiceMissing);
    }
    metrics.publishStoredMetrics();
    logger.info('management interfaces: run finished', { summary: parsed.summary, outcome: result.outcome, passes: result.passes, failures: result.failures, problems: result.problems.map((p) => p.detail) });
    if (result.outcome === 'deadline-exceeded') {
      throw new Error(`management interfaces of ${settings.groupName} (${parsed.summary}): ${result.outcome} after ${result.passes} passes; still missing: ${result.missing.join(', ') || 'none'}`);
    }
    return result;
  };
}

/** The Lambda entry point. */
export const handler = createHandler(() => {
  const logger = new Logger();
  return {
    settings: settingsFromEnv(process.env),
    port: SdkManagementPort.create(),
    clock: systemClock,
    logger: { info: (m, f) => logger.info(m, f), warn: (m, f) => logger.warn(m, f) },
    metrics: new Metrics(),
  };
});
