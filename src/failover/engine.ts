import { AlarmPort } from './alarm-port';
import { AlarmState, AlarmVerdict, CandidateObservation, classify, Decision, decide, describeHealth, EniObservation, FailoverPolicy } from './decide';
import { Ec2Port, errorCode, UnknownResourceError } from './ec2-port';
import { AlarmNotice, AlarmReading, alarmNamesOf, candidateAlarms } from './health-alarms';

/** What one reconcile run should do. */
export interface ReconcileConfig {
  readonly eniId: string;
  /** Candidate instance ids in preference order, the primary first. */
  readonly candidates: readonly string[];
  /** Device index the ENI is attached at. */
  readonly deviceIndex: number;
  readonly policy: FailoverPolicy;
  /** Overall deadline of the run. */
  readonly deadlineSeconds: number;
  /** Observe and decide only. @default false */
  readonly dryRun?: boolean;
  /**
   * Manual move: put this instance first in preference and fail back to it at once.
   * @default - no manual target
   */
  readonly target?: string;
  /** With `target`: accept it even when it is not healthy (but never across AZs). @default false */
  readonly force?: boolean;
  /**
   * CloudWatch alarms that watch each candidate's health (a health probe, an application check),
   * by instance id. They are described once per observation, together with the candidates, so
   * every run sees them whatever its trigger: a candidate with one of them in ALARM is unhealthy.
   * Needs `EngineDeps.alarms`.
   * @default - none: no CloudWatch call
   */
  readonly healthAlarms?: Readonly<Record<string, readonly string[]>>;
  /**
   * Alarm states carried by the trigger event. For a configured health alarm the described state
   * wins unless the notice is provably newer; other alarms count from the notice (see
   * `health-alarms.ts`). @default - none
   */
  readonly alarmNotices?: readonly AlarmNotice[];
  /**
   * Keep polling while no candidate is healthy but one is pending or starting (initial placement
   * right after the instances were launched). @default false
   */
  readonly waitForHealthy?: boolean;
  /**
   * First polling delay; grows by a quarter each poll up to `pollMaxMs`. Short first polls matter: an
   * attach or detach usually completes in a few seconds, and every poll interval that overshoots
   * the transition is time the ENI spends detached. @default 200
   */
  readonly pollInitialMs?: number;
  /** @default 1000 */
  readonly pollMaxMs?: number;
  /** Give up after this many errors in a row. @default 5 */
  readonly maxConsecutiveErrors?: number;
  /** What started the run, for the logs. @default 'unknown' */
  readonly trigger?: string;
}

/** Time source; virtual in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Structured logger (Powertools Logger fits). */
export interface EngineLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface EngineDeps {
  readonly clock: Clock;
  readonly logger: EngineLogger;
  /**
   * Where health alarm states are read. Required when `ReconcileConfig.healthAlarms` names any.
   * @default - none
   */
  readonly alarms?: AlarmPort;
}

export type Outcome = 'converged' | 'noop' | 'no-healthy' | 'deadline-exceeded' | 'error';

export interface CandidateSummary {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly state: string;
  readonly statusChecks: string;
  readonly alarm?: AlarmState;
  /** Every health alarm the decision used, with its state and where that came from. */
  readonly alarms?: readonly AlarmVerdict[];
  readonly health: string;
}

/** What a run did and where it left the ENI. */
export interface ReconcileResult {
  readonly outcome: Outcome;
  /** The mutation this run performed (or, in a dry run, would perform). */
  readonly action: 'none' | 'attach' | 'move';
  readonly from?: string;
  readonly to?: string;
  /** Holder at the last observation. */
  readonly holder?: string;
  readonly eniStatus?: string;
  readonly availabilityZone?: string;
  readonly durationMs: number;
  /** EC2 port calls made, including polls. */
  readonly apiCalls: number;
  /** CloudWatch DescribeAlarms port calls made (0 when no health alarm is configured). */
  readonly alarmCalls: number;
  /** ENI describes made while waiting for a transition or to verify. */
  readonly polls: number;
  readonly dryRun: boolean;
  readonly message: string;
  readonly lastDecision?: Decision;
  readonly candidates?: readonly CandidateSummary[];
}

/**
 * Error codes for which repeating the call cannot help.
 *
 * `AccessDenied` from DescribeAlarms is fatal on purpose, although the run could go on with the
 * health alarms unknown: a missing `cloudwatch:DescribeAlarms` permission is a configuration error
 * that affects every run alike, and carrying on would quietly bring back the gap the alarm read
 * closes (failback onto a primary whose application is hung). Failing makes the reconcile
 * Lambda's errors alarm and failure notice say so at once; the construct grants the permission,
 * so only a hand-made role or the CLI with a narrow profile meets it.
 */
const FATAL = new Set([
  'UnauthorizedOperation', 'AuthFailure', 'InvalidParameterValue', 'InvalidParameterCombination', 'OptInRequired',
  'AccessDenied', 'AccessDeniedException', 'InvalidParameterValueException', 'InvalidParameterCombinationException',
]);

/** A real-time clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Observe -> decide -> act until the ENI is where it should be, nothing can be done, or the
 * deadline passes. Every step re-observes, so repeated, concurrent or interrupted runs converge.
 */
export async function reconcile(config: ReconcileConfig, port: Ec2Port, deps: EngineDeps): Promise<ReconcileResult> {
  const { clock, logger } = deps;
  const start = clock.now();
  const deadline = start + config.deadlineSeconds * 1000;
  const pollInitial = config.pollInitialMs ?? 200;
  const pollMax = config.pollMaxMs ?? 1000;
  const maxErrors = config.maxConsecutiveErrors ?? 5;
  const ids = config.target ? [config.target, ...config.candidates.filter((c) => c !== config.target)] : [...config.candidates];
  const policy: FailoverPolicy = config.target
    ? { failback: true, failbackAfterSeconds: 0, forceTarget: config.force ? config.target : undefined }
    : config.policy;

  let apiCalls = 0;
  let alarmCalls = 0;
  let polls = 0;
  let iteration = 0;
  let errors = 0;
  let delay = pollInitial;
  let candidates: CandidateObservation[] | undefined;
  let eni: EniObservation | undefined;
  let decision: Decision | undefined;
  let action: ReconcileResult['action'] = 'none';
  let from: string | undefined;
  let to: string | undefined;
  let changed = false;

  const counted = async <T>(fn: () => Promise<T>): Promise<T> => {
    apiCalls++;
    return fn();
  };
  const finish = (outcome: Outcome, message: string): ReconcileResult => {
    const result: ReconcileResult = {
      outcome,
      action,
      from,
      to,
      message,
      holder: eni?.attachment?.instanceId,
      eniStatus: eni?.status,
      availabilityZone: eni?.availabilityZone,
      durationMs: clock.now() - start,
      apiCalls,
      alarmCalls,
      polls,
      dryRun: config.dryRun ?? false,
      lastDecision: decision,
      candidates: candidates?.map((c) => summarise(c, policy)),
    };
    logger.info('failover result', { eniId: config.eniId, trigger: config.trigger ?? 'unknown', ...result, lastDecision: decision?.kind });
    return result;
  };
  /** Sleeps the current backoff (bounded by the deadline); false when the deadline has passed. */
  const backoff = async (): Promise<boolean> => {
    const remaining = deadline - clock.now();
    if (remaining <= 0) return false;
    await clock.sleep(Math.min(delay, remaining));
    delay = Math.min(Math.ceil(delay * 1.25), pollMax);
    return true;
  };

  if (ids.length === 0) return finish('error', 'no candidate instances configured');
  const alarmNames = alarmNamesOf(config.healthAlarms, ids);
  const alarmPort = deps.alarms;
  if (alarmNames.length > 0 && !alarmPort) {
    return finish('error', `health alarms ${alarmNames.join(', ')} are configured but the engine was given no CloudWatch alarm port to read them`);
  }
  /** Reads the health alarms (one CloudWatch call), or nothing when none is configured. */
  const describeAlarms = async (): Promise<Record<string, AlarmReading>> => {
    if (alarmNames.length === 0 || !alarmPort) return {};
    alarmCalls++;
    return alarmPort.describeAlarmStates(alarmNames);
  };

  for (;;) {
    iteration++;
    try {
      eni = await counted(() => port.describeNetworkInterface(config.eniId));
      if (iteration > 1) polls++;
      if (!candidates) {
        // One observation step: the candidates and their health alarms, read side by side.
        const [observed, described] = await Promise.all([counted(() => port.describeCandidates(ids)), describeAlarms()]);
        const now = clock.now();
        candidates = observed.map((c) => {
          const merged = candidateAlarms(c.instanceId, config.healthAlarms?.[c.instanceId] ?? [], described, config.alarmNotices ?? [], now);
          return merged.alarms.length === 0 ? c : { ...c, alarm: merged.alarm, alarmSince: merged.alarmSince, healthAlarms: merged.alarms };
        });
        const missing = alarmNames.filter((n) => !described[n]);
        if (missing.length > 0) {
          logger.warn('health alarms not found', { eniId: config.eniId, alarmNames: missing, treatedAs: 'INSUFFICIENT_DATA' });
        }
      }
      errors = 0;
      decision = decide({ eni, candidates, now: clock.now(), deviceIndex: config.deviceIndex }, policy);
      logDecision(logger, config, eni, candidates, decision, policy, iteration, clock.now() - start);

      if (config.target && iteration === 1) {
        const refusal = refuseTarget(config.target, eni, candidates, decision, policy);
        if (refusal) return finish('error', refusal);
      }
      if (config.dryRun) {
        if (decision.kind === 'move' || decision.kind === 'attach') {
          action = decision.kind;
          from = decision.kind === 'move' ? decision.from : undefined;
          to = decision.to;
        }
        return finish(decision.kind === 'no-healthy-candidate' ? 'no-healthy' : 'noop', `dry run: ${decision.kind}: ${decision.reason}`);
      }

      switch (decision.kind) {
        case 'noop':
          return finish(changed ? 'converged' : 'noop', decision.reason);
        case 'no-healthy-candidate':
          if (config.waitForHealthy && candidates.some((c) => c.state === 'pending' || classify(c, policy) === 'starting')) {
            candidates = undefined;
            if (await backoff()) continue;
            return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed while waiting for a candidate to become healthy`);
          }
          return finish('no-healthy', decision.reason);
        case 'wait':
          changed = true;
          if (await backoff()) continue;
          return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed while the ENI was ${decision.state}`);
        case 'move':
        case 'attach':
          if (clock.now() >= deadline) {
            return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed before ${decision.kind} to ${decision.to}`);
          }
          if (decision.kind === 'move') {
            const { attachmentId, force } = decision;
            from = decision.from;
            to = decision.to;
            action = 'move';
            await counted(() => port.detach(attachmentId, force));
          } else {
            const target = decision.to;
            to = target;
            if (action === 'none') action = 'attach';
            await counted(() => port.attach(config.eniId, target, config.deviceIndex));
          }
          changed = true;
          delay = pollInitial;
          continue;
      }
    } catch (err) {
      const code = errorCode(err);
      const message = (err as Error)?.message ?? String(err);
      if (err instanceof UnknownResourceError) {
        return finish('error', `refusing to act: ${message}`);
      }
      errors++;
      logger.warn('failover step failed', { eniId: config.eniId, code, error: message, consecutiveErrors: errors });
      if (FATAL.has(code) || errors >= maxErrors) {
        return finish('error', `${code}: ${message}`);
      }
      candidates = undefined;
      if (!(await backoff())) {
        return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed after ${code}: ${message}`);
      }
    }
  }
}

/** Why a manual move target is refused, or undefined when it is acceptable. */
function refuseTarget(
  target: string, eni: EniObservation, candidates: readonly CandidateObservation[], decision: Decision, policy: FailoverPolicy,
): string | undefined {
  const c = candidates.find((x) => x.instanceId === target);
  if (!c) return `instance ${target} was not described`;
  const skipped = decision.skipped.find((x) => x.instanceId === target);
  if (skipped) return `refusing to move ${eni.eniId} to ${target}: ${skipped.reason}`;
  if (classify(c, policy) !== 'healthy') {
    return `refusing to move ${eni.eniId} to ${target}: it is not healthy (${describeHealth(c)}); use force to move anyway`;
  }
  return undefined;
}

function summarise(c: CandidateObservation, policy: FailoverPolicy): CandidateSummary {
  return {
    instanceId: c.instanceId,
    availabilityZone: c.availabilityZone,
    state: c.state,
    statusChecks: c.statusChecks,
    alarm: c.alarm,
    alarms: c.healthAlarms,
    health: classify(c, policy),
  };
}

function logDecision(
  logger: EngineLogger, config: ReconcileConfig, eni: EniObservation, candidates: readonly CandidateObservation[],
  decision: Decision, policy: FailoverPolicy, iteration: number, elapsedMs: number,
): void {
  logger.info('failover decision', {
    eniId: config.eniId,
    trigger: config.trigger ?? 'unknown',
    dryRun: config.dryRun ?? false,
    iteration,
    elapsedMs,
    eniStatus: eni.status,
    holder: eni.attachment?.instanceId,
    attachmentState: eni.attachment?.state,
    candidates: candidates.map((c) => summarise(c, policy)),
    ...decision,
    decision: decision.kind,
  });
}
