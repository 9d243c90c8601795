import { AlarmPort } from './alarm-port';
import {
  AlarmState, AlarmVerdict, CandidateObservation, classify, Decision, decide, describeHealth, EniObservation, FailoverPolicy, SkippedCandidate,
} from './decide';
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
  /**
   * Deadline of the run: no detach is started after it. A run that has detached the ENI (or sent
   * an attach) still finishes that transition, for at most `completionGraceSeconds` more.
   */
  readonly deadlineSeconds: number;
  /**
   * How long after `deadlineSeconds` a run may still attach an ENI it detached, and verify an
   * attach it sent: the hard ceiling of a run is the deadline plus this. Keep the sum below the
   * Lambda timeout (the construct's timeout is the deadline plus 60 s). @default 45
   */
  readonly completionGraceSeconds?: number;
  /**
   * Force a detach that is still `detaching` this many seconds after this run sent it, or first
   * saw it (a graceful detach from a hung instance can stay `detaching` for good). A detach from
   * a holder that is unhealthy is forced at once. @default 30
   */
  readonly forceDetachAfterSeconds?: number;
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

/**
 * How a run ended. `converged`: this run changed the attachment and the ENI is where it should be.
 * `waited`: this run changed nothing, but waited for a transition it did not start (another run's,
 * or one a killed run left behind) and the ENI is now where it should be. `noop`: the ENI was
 * already where it should be.
 */
export type Outcome = 'converged' | 'waited' | 'noop' | 'no-healthy' | 'deadline-exceeded' | 'error';

/** An attach that EC2 refused for one target; the target is skipped for the rest of the run. */
export interface AttachFailure {
  readonly instanceId: string;
  readonly code: string;
  readonly message: string;
}

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
  /** Attaches EC2 refused in this run (each target was then skipped); empty when none. */
  readonly attachFailures: readonly AttachFailure[];
  /** Whether this run forced a detach that hung, or that it found hanging from an unhealthy holder. */
  readonly forcedHungDetach: boolean;
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

/**
 * Attach errors that belong to the target instance, not to the ENI or the moment (unlike
 * `IncorrectInstanceState`, which a pending target outgrows in seconds): the target is
 * skipped for the rest of the run and the next healthy candidate is tried. `InvalidParameterValue`
 * is what EC2 answers when the device index is taken on the target, which a forced detach can
 * cause without the interface being listed anywhere ("you might not be able to attach a different
 * network interface to the same index without stopping and starting the instance").
 */
const TARGET_REFUSALS = new Set([
  'InvalidParameterValue', 'InvalidParameterCombination', 'AttachmentLimitExceeded',
  'UnauthorizedOperation', 'OperationNotPermitted', 'UnsupportedOperation', 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed',
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
  const hardDeadline = deadline + (config.completionGraceSeconds ?? 45) * 1000;
  const forceAfterMs = (config.forceDetachAfterSeconds ?? 30) * 1000;
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
  let waited = false;
  /** This run detached the ENI or sent an attach: it finishes that transition, up to the hard deadline. */
  let ownTransition = false;
  /** The detach in progress, since when this run knows of it, and whether it was forced. */
  let detaching: { attachmentId: string; since: number; forced: boolean } | undefined;
  let forcedHungDetach = false;
  const excluded: SkippedCandidate[] = [];
  const attachFailures: AttachFailure[] = [];
  /** Holders this run detached the ENI from. */
  const detachedFrom = new Set<string>();

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
      attachFailures,
      forcedHungDetach,
    };
    logger.info('failover result', { eniId: config.eniId, trigger: config.trigger ?? 'unknown', ...result, lastDecision: decision?.kind });
    return result;
  };
  /**
   * Sleeps the current backoff, bounded by the deadline, or by the hard deadline while this run
   * finishes a transition it started; false when that limit has passed.
   */
  const backoff = async (wakeAt = Infinity): Promise<boolean> => {
    const remaining = (ownTransition ? hardDeadline : deadline) - clock.now();
    if (remaining <= 0) return false;
    await clock.sleep(Math.max(0, Math.min(delay, remaining, wakeAt - clock.now())));
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

  const graceNote = () => (ownTransition
    ? ` (this run had started that transition and kept at it for another ${config.completionGraceSeconds ?? 45}s)` : '');
  const refusedNote = () => attachFailures.map((f) => `${f.instanceId} (${f.code}: ${f.message})`).join(', ');

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
      decision = decide({ eni, candidates, now: clock.now(), deviceIndex: config.deviceIndex, excluded }, policy);
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
          if (config.target && eni.attachment?.instanceId !== config.target && attachFailures.some((f) => f.instanceId === config.target)) {
            // A manual move that did not get where it was asked to is not a success.
            return finish('error', `attach refused by ${refusedNote()}; the ENI is on ${eni.attachment?.instanceId}: ${decision.reason}`);
          }
          return finish(changed ? 'converged' : waited ? 'waited' : 'noop', decision.reason);
        case 'no-healthy-candidate':
          if (config.waitForHealthy && candidates.some((c) => c.state === 'pending' || classify(c, policy) === 'starting')) {
            candidates = undefined;
            if (await backoff()) continue;
            return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed while waiting for a candidate to become healthy`);
          }
          if (attachFailures.length > 0 && !eni.attachment && from !== undefined && clock.now() < hardDeadline
            && !excluded.some((x) => x.instanceId === from)) {
            // This run took the ENI from an instance that is not unhealthy (a failback away from a
            // holder whose checks were still initializing) and every healthy target refused it:
            // give it back rather than leave it free.
            const previous = candidates.find((c) => c.instanceId === from);
            if (previous && classify(previous, policy) !== 'unhealthy' && previous.availabilityZone === eni.availabilityZone) {
              const back = from;
              logger.warn('returning the ENI to the instance this run took it from', { eniId: config.eniId, instanceId: back, refused: attachFailures.map((f) => f.instanceId) });
              try {
                await counted(() => port.attach(config.eniId, back, config.deviceIndex));
              } catch (err) {
                const code = errorCode(err);
                const message = (err as Error)?.message ?? String(err);
                attachFailures.push({ instanceId: back, code, message });
                excluded.push({ instanceId: back, reason: `attach refused in this run: ${code}: ${message}` });
                candidates = undefined;
                continue;
              }
              to = back;
              ownTransition = true;
              changed = true;
              delay = pollInitial;
              continue;
            }
          }
          if (attachFailures.length > 0) {
            // Loud: EC2 refused every healthy target, so the ENI may be left free by this run.
            const where = eni.attachment ? `the ENI is on ${eni.attachment.instanceId}` : 'the ENI is free';
            return finish('error', `attach refused by ${refusedNote()}; ${where} and no other candidate is healthy: ${decision.reason}`);
          }
          return finish('no-healthy', decision.reason);
        case 'wait': {
          waited = true;
          const a = eni.attachment;
          if (decision.state === 'detaching' && a) {
            if (detaching?.attachmentId !== a.attachmentId) detaching = { attachmentId: a.attachmentId, since: clock.now(), forced: false };
            const holder = candidates.find((c) => c.instanceId === a.instanceId);
            const holderUnhealthy = holder !== undefined && classify(holder, policy) === 'unhealthy';
            const hung = clock.now() - detaching.since >= forceAfterMs;
            if (!detaching.forced && (holderUnhealthy || hung)) {
              const current = detaching;
              logger.warn('forcing a detach', {
                eniId: config.eniId,
                attachmentId: a.attachmentId,
                holder: a.instanceId,
                reason: holderUnhealthy ? `holder ${a.instanceId} is unhealthy` : `detaching for ${clock.now() - current.since}ms`,
              });
              await counted(() => port.detach(current.attachmentId, true));
              current.forced = true;
              forcedHungDetach = true;
              // Forcing the detach makes this run responsible for attaching the ENI again.
              ownTransition = true;
              changed = true;
              if (action === 'none') {
                action = 'move';
                from = a.instanceId;
              }
              delay = pollInitial;
              continue;
            }
          }
          // Wake up when a pending detach is due to be forced, not up to a poll later.
          const forceAt = detaching && !detaching.forced && decision.state === 'detaching' ? detaching.since + forceAfterMs : Infinity;
          if (await backoff(forceAt)) continue;
          return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed while the ENI was ${decision.state}${graceNote()}`);
        }
        case 'move': {
          // The deadline stops a run from starting a detach, never from finishing a move it started.
          if (clock.now() >= deadline) {
            return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed before move to ${decision.to}`);
          }
          const holderId = decision.from;
          if (detachedFrom.has(holderId)) {
            // Another run put the ENI back where this run took it from: it knew something this run
            // does not (typically that the target refused the attach). Moving it again would make
            // the two runs toss the ENI back and forth; the next run decides afresh.
            const back = candidates.find((c) => c.instanceId === holderId);
            const ok = back !== undefined && classify(back, policy) !== 'unhealthy';
            return finish(ok ? 'converged' : 'error',
              `another run put the ENI back on ${holderId}, which this run had detached it from; not moving it again in this run: ${decision.reason}`);
          }
          const { attachmentId, force } = decision;
          from = decision.from;
          to = decision.to;
          action = 'move';
          // Responsible from the moment the detach is sent (a call that times out may still have worked).
          ownTransition = true;
          await counted(() => port.detach(attachmentId, force));
          detachedFrom.add(holderId);
          detaching = { attachmentId, since: clock.now(), forced: force };
          changed = true;
          delay = pollInitial;
          continue;
        }
        case 'attach': {
          // Attaching a free ENI can only help: allowed up to the hard deadline.
          if (clock.now() >= hardDeadline) {
            return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed before attach to ${decision.to}${graceNote()}`);
          }
          const target = decision.to;
          to = target;
          if (action === 'none') action = 'attach';
          try {
            await counted(() => port.attach(config.eniId, target, config.deviceIndex));
          } catch (err) {
            const code = errorCode(err);
            const refusedByTarget = err instanceof UnknownResourceError ? code.startsWith('InvalidInstanceID') : TARGET_REFUSALS.has(code);
            if (!refusedByTarget) throw err;
            const message = (err as Error)?.message ?? String(err);
            attachFailures.push({ instanceId: target, code, message });
            excluded.push({ instanceId: target, reason: `attach refused in this run: ${code}: ${message}` });
            logger.warn('attach refused', { eniId: config.eniId, instanceId: target, code, error: message, next: 'trying the next healthy candidate' });
            // The ENI is still free: observe again and choose another target.
            candidates = undefined;
            continue;
          }
          ownTransition = true;
          changed = true;
          delay = pollInitial;
          continue;
        }
      }
    } catch (err) {
      const code = errorCode(err);
      const message = (err as Error)?.message ?? String(err);
      if (err instanceof UnknownResourceError) {
        // Before this run changed anything, an unknown ENI or instance is a configuration error:
        // refuse and change nothing. While finishing its own move, a candidate that EC2 no longer
        // knows (terminated long ago, or just now) is dropped so the ENI still finds a home.
        const vanished = ownTransition && code.startsWith('InvalidInstanceID')
          ? (message.match(/i-[0-9a-f]{8,17}/g) ?? []).filter((id) => ids.includes(id))
          : [];
        if (!ownTransition) {
          return finish('error', `refusing to act: ${message}`);
        }
        if (vanished.length > 0) {
          for (const id of vanished) ids.splice(ids.indexOf(id), 1);
          logger.warn('candidates no longer exist', { eniId: config.eniId, instanceIds: vanished, next: 'observing the others' });
          candidates = undefined;
          continue;
        }
      }
      errors++;
      logger.warn('failover step failed', { eniId: config.eniId, code, error: message, consecutiveErrors: errors });
      // While finishing its own transition a run keeps trying transient errors up to the hard
      // deadline: giving up after a detach would leave the ENI detached by the run's own hand.
      const giveUp = FATAL.has(code) || (!ownTransition && errors >= maxErrors);
      if (giveUp) {
        return finish('error', `${code}: ${message}`);
      }
      candidates = undefined;
      if (!(await backoff())) {
        return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed after ${code}: ${message}${graceNote()}`);
      }
    }
  }
}

/** What `release()` should detach. */
export interface ReleaseConfig {
  readonly eniId: string;
  /** Give up (with `deadline-exceeded`) when the ENI is not `available` after this long. */
  readonly deadlineSeconds: number;
  /** Force a graceful detach still `detaching` after this long. @default 30 */
  readonly forceDetachAfterSeconds?: number;
  /** @default 200 */
  readonly pollInitialMs?: number;
  /** @default 1000 */
  readonly pollMaxMs?: number;
  /** Give up after this many errors in a row. @default 5 */
  readonly maxConsecutiveErrors?: number;
  /** What started the release, for the logs. @default 'unknown' */
  readonly trigger?: string;
}

/**
 * How a release ended. `released`: this call detached the ENI and it is `available`.
 * `already-free`: it was not attached. `gone`: the ENI does not exist (deleted already).
 * `primary-interface`: it is an instance's primary interface (device index 0), which cannot be
 * detached and goes with its instance.
 */
export type ReleaseOutcome = 'released' | 'already-free' | 'gone' | 'primary-interface' | 'deadline-exceeded' | 'error';

/** What `release()` did. */
export interface ReleaseResult {
  readonly outcome: ReleaseOutcome;
  /** The instance the ENI was detached from. */
  readonly from?: string;
  /** Whether the detach was forced (holder stopped, impaired or in ALARM, or a graceful detach hung). */
  readonly forced: boolean;
  readonly message: string;
  readonly durationMs: number;
  readonly apiCalls: number;
}

/** Detach errors that mean the attachment is already gone or going: observe again. */
const ALREADY_DETACHED = new Set(['InvalidAttachmentID.NotFound', 'IncorrectState', 'InvalidNetworkInterface.NotAttached', 'OperationNotPermitted']);

/**
 * Detaches the ENI from whichever instance holds it and waits until it is `available`: what the
 * placement custom resource does when it is deleted (so CloudFormation can delete the ENI) or
 * when an update names another ENI. The detach is graceful unless the holder is unhealthy (not
 * running, checks impaired) or does not exist, and a graceful detach that hangs is forced. An ENI
 * that does not exist, or is not attached, is success.
 */
export async function release(
  config: ReleaseConfig, port: Ec2Port, deps: { readonly clock: Clock; readonly logger: EngineLogger },
): Promise<ReleaseResult> {
  const { clock, logger } = deps;
  const start = clock.now();
  const deadline = start + config.deadlineSeconds * 1000;
  const forceAfterMs = (config.forceDetachAfterSeconds ?? 30) * 1000;
  const pollMax = config.pollMaxMs ?? 1000;
  const maxErrors = config.maxConsecutiveErrors ?? 5;
  let delay = config.pollInitialMs ?? 200;
  let apiCalls = 0;
  let errors = 0;
  let from: string | undefined;
  let forced = false;
  let detached = false;
  let detaching: { attachmentId: string; since: number } | undefined;

  const finish = (outcome: ReleaseOutcome, message: string): ReleaseResult => {
    const result = { outcome, from, forced, message, durationMs: clock.now() - start, apiCalls };
    logger.info('failover release result', { eniId: config.eniId, trigger: config.trigger ?? 'unknown', ...result });
    return result;
  };
  const backoff = async (wakeAt = Infinity): Promise<boolean> => {
    const remaining = deadline - clock.now();
    if (remaining <= 0) return false;
    await clock.sleep(Math.max(0, Math.min(delay, remaining, wakeAt - clock.now())));
    delay = Math.min(Math.ceil(delay * 1.25), pollMax);
    return true;
  };

  for (;;) {
    try {
      apiCalls++;
      const eni = await port.describeNetworkInterface(config.eniId);
      errors = 0;
      const a = eni.attachment;
      if (!a) {
        if (eni.status === 'available') {
          return detached ? finish('released', `detached from ${from}${forced ? ' (forced)' : ''}`) : finish('already-free', `${config.eniId} is not attached`);
        }
      } else if (a.deviceIndex === 0) {
        return finish('primary-interface', `${config.eniId} is the primary interface of ${a.instanceId}: it cannot be detached and is deleted with its instance`);
      } else if (a.state === 'attached') {
        from = a.instanceId;
        apiCalls++;
        const force = await holderIsUnhealthy(port, a.instanceId);
        logger.info('failover release: detaching', { eniId: config.eniId, from: a.instanceId, attachmentId: a.attachmentId, force });
        apiCalls++;
        await detachTolerant(port, a.attachmentId, force);
        detached = true;
        forced ||= force;
        detaching = { attachmentId: a.attachmentId, since: clock.now() };
        continue;
      } else if (a.state === 'detaching') {
        from ??= a.instanceId;
        if (detaching?.attachmentId !== a.attachmentId) detaching = { attachmentId: a.attachmentId, since: clock.now() };
        if (!forced && clock.now() - detaching.since >= forceAfterMs) {
          logger.warn('forcing a detach', { eniId: config.eniId, attachmentId: a.attachmentId, holder: a.instanceId, reason: 'release: the detach hangs' });
          apiCalls++;
          await detachTolerant(port, a.attachmentId, true);
          forced = true;
          detached = true;
          continue;
        }
      }
      if (await backoff(detaching && !forced ? detaching.since + forceAfterMs : Infinity)) continue;
      return finish('deadline-exceeded', `${config.eniId} is still ${a ? `${a.state} on ${a.instanceId}` : eni.status} after ${config.deadlineSeconds}s`);
    } catch (err) {
      const code = errorCode(err);
      const message = (err as Error)?.message ?? String(err);
      if (err instanceof UnknownResourceError && code.startsWith('InvalidNetworkInterface')) {
        return detached ? finish('released', `detached from ${from}; ${config.eniId} is gone since`) : finish('gone', `${config.eniId} does not exist: ${message}`);
      }
      errors++;
      logger.warn('failover release step failed', { eniId: config.eniId, code, error: message, consecutiveErrors: errors });
      if (FATAL.has(code) || errors >= maxErrors) return finish('error', `${code}: ${message}`);
      if (!(await backoff())) return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed after ${code}: ${message}`);
    }
  }
}

/** Whether a detach from this instance must be forced: it is not running, its checks are impaired, or it does not exist. */
async function holderIsUnhealthy(port: Ec2Port, instanceId: string): Promise<boolean> {
  try {
    const [holder] = await port.describeCandidates([instanceId]);
    return holder === undefined || classify(holder) === 'unhealthy';
  } catch (err) {
    if (err instanceof UnknownResourceError) return true;
    throw err;
  }
}

/** Detaches; an attachment that is already gone or detaching is not an error (the next observation tells). */
async function detachTolerant(port: Ec2Port, attachmentId: string, force: boolean): Promise<void> {
  try {
    await port.detach(attachmentId, force);
  } catch (err) {
    if (!ALREADY_DETACHED.has(errorCode(err))) throw err;
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
