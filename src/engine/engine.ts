import { AlarmPort } from './alarm-port';
import { TAGS } from './contract';
import {
  AlarmState, AlarmVerdict, CandidateObservation, classify, Decision, decide, describeHealth, EniObservation, FailoverPolicy, FRESH_RUN,
  hasFailed, mayForceHungDetach, RunMemory, SkippedCandidate,
} from './decide';
import { Ec2Port, errorCode, isSetupError, UnknownResourceError } from './ec2-port';
import { AlarmNotice, AlarmReading, alarmNamesOf, candidateAlarms } from './health-alarms';
import { pinOf, pinValue, rememberedOf, rememberTag } from './tags';

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
   * A detach is forced at once when its holder has failed in EC2's terms (neither running nor
   * pending, status checks impaired). A graceful detach this run has seen `detaching` for this
   * long is forced when its holder runs with status checks that are not `ok` (a dead host can
   * report `insufficient-data`); a holder with passing checks, or a pending one, is never forced.
   * @default 30
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
  /** Alarm notices whose state changed longer ago than this are ignored. @default 600 */
  readonly maxNoticeAgeSeconds?: number;
  /** Stop a still-running instance after a forced detach from it (fencing). @default false */
  readonly fence?: boolean;
  /**
   * With `target`: pin it (maintenance mode) until this epoch-ms time (`Infinity`: until lifted),
   * so the Lambda's runs keep the ENI there. @default - no pin is set
   */
  readonly pinUntil?: number;
  /**
   * Refuse to act when EC2 does not know a candidate (for ids typed by a person: a typo is likelier
   * than an instance terminated over an hour ago). @default false: it counts as terminated
   */
  readonly rejectUnknownCandidates?: boolean;
  /** TCP port on which the floating address must answer on its holder. @default - not probed */
  readonly floatingProbePort?: number;
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
  /**
   * Probes the floating address; needed with `ReconcileConfig.floatingProbePort`.
   * @default - none
   */
  readonly probe?: FloatingProbe;
}

/** Checks that an address answers on a TCP port. */
export interface FloatingProbe {
  answers(address: string, port: number): Promise<boolean>;
}

/**
 * How a run ended. `converged`: this run changed the attachment and the ENI is where it should be.
 * `waited`: this run changed nothing, but waited for a transition it did not start (another run's,
 * or one a killed run left behind) and the ENI is now where it should be. `noop`: the ENI was
 * already where it should be. `not-answering`: the ENI is on the right holder but the floating
 * address does not answer there.
 */
export type Outcome = 'converged' | 'waited' | 'noop' | 'no-healthy' | 'deadline-exceeded' | 'error' | 'not-answering';

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
  /** Whether this run forced a detach that it found in progress from a failed holder. */
  readonly forcedHungDetach: boolean;
  /** Instances this run stopped after a forced detach (fencing). */
  readonly fenced: readonly string[];
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
 * The one backoff of the engine: the first delay is short (a transition usually ends within
 * seconds, and every poll that overshoots it is time the ENI spends detached), each next one a
 * quarter longer, up to a cap; never past the limit the caller gives.
 */
export class Poller {
  private delay: number;

  constructor(private readonly clock: Clock, private readonly initialMs: number, private readonly maxMs: number) {
    this.delay = initialMs;
  }

  /** Starts again from the first delay (after an action: its result is due soon). */
  public reset(): void {
    this.delay = this.initialMs;
  }

  /** Sleeps the current delay, bounded by `limit` and `wakeAt` (epoch ms); false when `limit` has passed. */
  public async sleep(limit: number, wakeAt = Infinity): Promise<boolean> {
    const now = this.clock.now();
    if (limit - now <= 0) return false;
    await this.clock.sleep(Math.max(0, Math.min(this.delay, limit - now, wakeAt - now)));
    this.delay = Math.min(Math.ceil(this.delay * 1.25), this.maxMs);
    return true;
  }
}

/** What one observation step saw. */
interface Seen {
  readonly eni: EniObservation;
  readonly candidates: CandidateObservation[];
}

/** While a detach is slow, the candidates are described again at most this often. */
const CANDIDATES_MAX_AGE_MS = 5_000;

/** How the loop goes on after a step: again at once, again after a poll, or done. */
type Next = 'again' | 'poll' | ReconcileResult;

/**
 * Observe -> decide -> act until the ENI is where it should be, nothing can be done, or the
 * deadline passes. Every step re-observes, so repeated, concurrent or interrupted runs converge.
 * Every rule lives in `decide()`; this loop only observes, asks, and performs one action.
 */
export async function reconcile(config: ReconcileConfig, port: Ec2Port, deps: EngineDeps): Promise<ReconcileResult> {
  return new ReconcileRun(config, port, deps).execute();
}

/** One run of `reconcile()`: its memory, its counters, and the observe/decide/act steps. */
class ReconcileRun {
  private readonly start: number;
  private readonly deadline: number;
  private readonly hardDeadline: number;
  private readonly ids: string[];
  private readonly policy: FailoverPolicy;
  private readonly poller: Poller;
  private readonly alarmNames: string[];
  private apiCalls = 0;
  private alarmCalls = 0;
  private polls = 0;
  private iteration = 0;
  private errors = 0;
  private candidates: CandidateObservation[] | undefined;
  private candidatesAt = 0;
  private eni: EniObservation | undefined;
  private decision: Decision | undefined;
  private action: ReconcileResult['action'] = 'none';
  private from: string | undefined;
  private to: string | undefined;
  private changed = false;
  private waited = false;
  /** This run detached the ENI or sent an attach: it finishes that transition, up to the hard deadline. */
  private ownTransition = false;
  private forcedHungDetach = false;
  private memory: RunMemory = FRESH_RUN;
  /** The pin tag this run wrote for a manual move, and the value it replaced. */
  private pinWritten?: { readonly previous?: string };
  /** Keep the pin although the run failed (another run moved the ENI back; the pin makes the next run finish the move). */
  private keepPin = false;
  private readonly attachFailures: AttachFailure[] = [];
  private readonly excluded: SkippedCandidate[] = [];

  constructor(private readonly config: ReconcileConfig, private readonly port: Ec2Port, private readonly deps: EngineDeps) {
    const { clock } = deps;
    this.start = clock.now();
    this.deadline = this.start + config.deadlineSeconds * 1000;
    this.hardDeadline = this.deadline + (config.completionGraceSeconds ?? 45) * 1000;
    this.ids = config.target ? [config.target, ...config.candidates.filter((c) => c !== config.target)] : [...config.candidates];
    this.policy = {
      ...(config.target
        ? { failback: true, failbackAfterSeconds: 0, forceTarget: config.force ? config.target : undefined, manualTarget: config.target }
        : config.policy),
      fence: config.fence ?? config.policy.fence,
      probeFloating: config.floatingProbePort !== undefined,
      forceHungDetachMs: (config.forceDetachAfterSeconds ?? 30) * 1000,
    };
    this.poller = new Poller(clock, config.pollInitialMs ?? 200, config.pollMaxMs ?? 1000);
    const noticed = (config.alarmNotices ?? []).map((n) => n.alarmName);
    this.alarmNames = alarmNamesOf(config.healthAlarms, this.ids);
    // Alarms that reach the run only as notices (status check alarms through SNS) are read like health alarms.
    if (deps.alarms) this.alarmNames.push(...noticed.filter((n, i) => noticed.indexOf(n) === i && !this.alarmNames.includes(n)));
  }

  public async execute(): Promise<ReconcileResult> {
    const result = await this.loop();
    if (this.pinWritten && !this.keepPin && (result.outcome === 'error' || result.outcome === 'no-healthy')) await this.restorePin();
    return result;
  }

  /** Puts back the pin tag a failed manual move replaced, so no run keeps aiming at a target that refused. */
  private async restorePin(): Promise<void> {
    const previous = this.pinWritten?.previous;
    try {
      if (previous === undefined) await this.count(() => this.port.untagNetworkInterface(this.config.eniId, [TAGS.PIN]));
      else await this.count(() => this.port.tagNetworkInterface(this.config.eniId, { [TAGS.PIN]: previous }));
    } catch (err) {
      this.deps.logger.warn('could not restore the pin after a failed manual move', { eniId: this.config.eniId, code: errorCode(err), error: (err as Error)?.message });
    }
  }

  /**
   * A manual move with `pinUntil` pins its target before it detaches or attaches anything, so a
   * Lambda run that starts meanwhile keeps the ENI on the target instead of undoing the move.
   */
  private async pinTarget(seen: Seen): Promise<void> {
    const { target, pinUntil } = this.config;
    if (!target || pinUntil === undefined || this.pinWritten) return;
    const pin = pinValue(target, Number.isFinite(pinUntil) ? pinUntil : undefined);
    const previous = seen.eni.tags?.[TAGS.PIN];
    if (previous === pin) return;
    await this.count(() => this.port.tagNetworkInterface(this.config.eniId, { [TAGS.PIN]: pin }));
    this.pinWritten = { previous };
  }

  private async loop(): Promise<ReconcileResult> {
    const refusal = this.refuseConfig();
    if (refusal) return this.finish('error', refusal);
    for (;;) {
      this.iteration++;
      let next: Next;
      try {
        const seen = await this.observe();
        this.errors = 0;
        const unknown = this.config.rejectUnknownCandidates && this.iteration === 1
          ? seen.candidates.filter((c) => c.state === 'terminated' && c.availabilityZone === 'unknown').map((c) => c.instanceId) : [];
        if (unknown.length > 0) {
          return this.finish('error', `refusing to act: EC2 does not know ${unknown.join(', ')} (a typo, or terminated more than about an hour ago)`);
        }
        next = await this.step(seen);
      } catch (err) {
        next = this.onError(err);
      }
      if (next === 'again') continue;
      if (next === 'poll') {
        if (await this.poller.sleep(this.ownTransition ? this.hardDeadline : this.deadline)) continue;
        next = this.finish('deadline-exceeded', this.deadlineMessage());
      }
      return next;
    }
  }

  private refuseConfig(): string | undefined {
    if (this.ids.length === 0) return 'no candidate instances configured';
    const configured = alarmNamesOf(this.config.healthAlarms, this.ids);
    if (configured.length > 0 && !this.deps.alarms) {
      return `health alarms ${configured.join(', ')} are configured but the engine was given no CloudWatch alarm port to read them`;
    }
    if (this.config.floatingProbePort !== undefined && !this.deps.probe) {
      return `a floating address probe on port ${this.config.floatingProbePort} is configured but the engine was given no probe`;
    }
    return undefined;
  }

  private count<T>(fn: () => Promise<T>): Promise<T> {
    this.apiCalls++;
    return fn();
  }

  /** Observe: the ENI every time; the candidates and their alarms when not known (first step, after an error or refusal). */
  private async observe(): Promise<Seen> {
    const eni = await this.count(() => this.port.describeNetworkInterface(this.config.eniId));
    this.eni = eni;
    if (this.iteration > 1) this.polls++;
    if (!this.candidates) {
      const [observed, described] = await Promise.all([this.count(() => this.port.describeCandidates(this.ids)), this.describeAlarms()]);
      const now = this.deps.clock.now();
      this.candidatesAt = now;
      const maxAgeMs = (this.config.maxNoticeAgeSeconds ?? 600) * 1000;
      this.candidates = observed.map((c) => {
        const configured = this.config.healthAlarms?.[c.instanceId] ?? [];
        const merged = candidateAlarms(c.instanceId, configured, described, this.config.alarmNotices ?? [], now, maxAgeMs);
        return merged.alarms.length === 0 ? c : { ...c, alarm: merged.alarm, alarmSince: merged.alarmSince, healthAlarms: merged.alarms };
      });
      const missing = alarmNamesOf(this.config.healthAlarms, this.ids).filter((n) => !described[n]);
      if (missing.length > 0) {
        this.deps.logger.warn('health alarms not found', { eniId: this.config.eniId, alarmNames: missing, treatedAs: 'INSUFFICIENT_DATA' });
      }
    }
    return { eni, candidates: this.candidates };
  }

  /** Reads the alarms (one CloudWatch call), or nothing when none is configured or noticed. */
  private async describeAlarms(): Promise<Record<string, AlarmReading>> {
    if (this.alarmNames.length === 0 || !this.deps.alarms) return {};
    this.alarmCalls++;
    return this.deps.alarms.describeAlarmStates(this.alarmNames);
  }

  /** Decide, then act on the decision. */
  private async step(seen: Seen): Promise<Next> {
    const { clock } = this.deps;
    const decision = decide({
      eni: seen.eni,
      candidates: seen.candidates,
      now: clock.now(),
      deviceIndex: this.config.deviceIndex,
      excluded: this.excluded,
      run: this.memory,
      remembered: rememberedOf(seen.eni.tags),
      pin: this.config.target ? undefined : pinOf(seen.eni.tags),
    }, this.policy);
    this.decision = decision;
    logDecision(this.deps.logger, this.config, seen.eni, seen.candidates, decision, this.policy, this.iteration, clock.now() - this.start);
    if (this.config.target && this.iteration === 1) {
      const refusal = refuseTarget(this.config.target, seen.eni, seen.candidates, decision, this.policy);
      if (refusal) return this.finish('error', refusal);
    }
    if (this.config.dryRun) return this.dryRun(decision);
    if (decision.kind === 'move' || decision.kind === 'attach') await this.pinTarget(seen);
    return this.act(decision, seen);
  }

  private dryRun(decision: Decision): ReconcileResult {
    if (decision.kind === 'move' || decision.kind === 'attach') {
      this.action = decision.kind;
      this.from = decision.kind === 'move' ? decision.from : undefined;
      this.to = decision.to;
    }
    return this.finish(decision.kind === 'no-healthy-candidate' ? 'no-healthy' : 'noop', `dry run: ${decision.kind}: ${decision.reason}`);
  }

  /** Act: perform the one action the decision names. */
  private async act(decision: Decision, seen: Seen): Promise<Next> {
    switch (decision.kind) {
      case 'noop': return this.onNoop(decision.reason, seen);
      case 'no-healthy-candidate': return this.onNoHealthy(decision.reason, seen);
      case 'wait':
        this.waited ||= decision.state !== 'stale-read';
        // A holder can fail while a graceful detach from it is slow: look at it again now and then.
        if (decision.state === 'detaching' && this.deps.clock.now() - this.candidatesAt >= CANDIDATES_MAX_AGE_MS) this.candidates = undefined;
        const going = seen.eni.attachment;
        if (decision.state === 'detaching' && going && this.memory.detaching?.attachmentId !== going.attachmentId) {
          // A detach another run (or a person) started: time it from now, so a hung one can be forced.
          this.memory = { ...this.memory, detaching: { attachmentId: going.attachmentId, since: this.deps.clock.now(), forced: false } };
        }
        return 'poll';
      case 'yield': {
        if (this.config.target && decision.holder !== this.config.target) {
          // A manual move is a success only when the ENI is on its target.
          this.keepPin = true;
          const pinned = this.pinWritten || seen.eni.tags?.[TAGS.PIN]?.startsWith(this.config.target) ? `; the pin on ${this.config.target} stays, so the next run moves it there` : '';
          return this.finish('error', `the ENI is on ${decision.holder}, not on the target ${this.config.target}: ${decision.reason}${pinned}`);
        }
        const back = seen.candidates.find((c) => c.instanceId === decision.holder);
        const ok = back !== undefined && classify(back, this.policy) !== 'unhealthy';
        return this.finish(ok ? 'converged' : 'error', decision.reason);
      }
      case 'not-answering': return this.finish('not-answering', decision.reason);
      case 'move': return this.detach(decision.from, decision.attachmentId, decision.to, decision.force);
      case 'force': return this.forceDetach(decision.from, decision.attachmentId);
      case 'attach': return this.attach(decision.to);
      case 'remember': return this.remember(decision.instanceId, decision.launchTime);
      case 'fence': return this.fence(decision.instanceId);
      case 'probe': return this.probe(decision.attachmentId, seen);
    }
  }

  private async onNoop(reason: string, seen: Seen): Promise<Next> {
    await this.forgetStale(seen);
    const { target } = this.config;
    if (target && seen.eni.attachment?.instanceId !== target && this.attachFailures.some((f) => f.instanceId === target)) {
      // A manual move that did not get where it was asked to is not a success.
      return this.finish('error', `attach refused by ${this.refusedNote()}; the ENI is on ${seen.eni.attachment?.instanceId}: ${reason}`);
    }
    if (target && this.config.pinUntil !== undefined && seen.eni.attachment?.instanceId === target) {
      const pin = pinValue(target, Number.isFinite(this.config.pinUntil) ? this.config.pinUntil : undefined);
      if (seen.eni.tags?.[TAGS.PIN] !== pin) {
        await this.count(() => this.port.tagNetworkInterface(this.config.eniId, { [TAGS.PIN]: pin }));
      }
    }
    return this.finish(this.changed ? 'converged' : this.waited ? 'waited' : 'noop', reason);
  }

  private async onNoHealthy(reason: string, seen: Seen): Promise<Next> {
    if (this.config.waitForHealthy && seen.candidates.some((c) => c.state === 'pending' || classify(c, this.policy) === 'starting')) {
      this.candidates = undefined;
      return 'poll';
    }
    await this.forgetStale(seen);
    if (this.attachFailures.length > 0) {
      // Loud: EC2 refused every healthy target, so the ENI may be left free by this run.
      const where = seen.eni.attachment ? `the ENI is on ${seen.eni.attachment.instanceId}` : 'the ENI is free';
      return this.finish('error', `attach refused by ${this.refusedNote()}; ${where} and no other candidate is healthy: ${reason}`);
    }
    return this.finish('no-healthy', reason);
  }

  private async detach(from: string, attachmentId: string, to: string, force: boolean): Promise<Next> {
    // The deadline stops a run from starting a detach, never from finishing a move it started.
    if (this.deps.clock.now() >= this.deadline) {
      return this.finish('deadline-exceeded', `deadline of ${this.config.deadlineSeconds}s passed before move to ${to}`);
    }
    this.from = from;
    this.to = to;
    this.action = 'move';
    // Responsible from the moment the detach is sent (a call that times out may still have worked).
    this.ownTransition = true;
    // An attachment that is already gone or going (a stale read showed it) counts as detached:
    // the next observations show the ENI free once the read catches up.
    await this.count(() => detachTolerant(this.port, attachmentId, force));
    const at = this.deps.clock.now();
    this.memory = { ...this.memory, detached: { attachmentId, from, forced: force, at }, detaching: { attachmentId, since: at, forced: force } };
    this.changed = true;
    this.poller.reset();
    return 'again';
  }

  private async forceDetach(from: string, attachmentId: string): Promise<Next> {
    this.deps.logger.warn('forcing a detach', { eniId: this.config.eniId, attachmentId, holder: from, reason: `holder ${from} has failed` });
    await this.count(() => detachTolerant(this.port, attachmentId, true));
    const at = this.deps.clock.now();
    this.memory = { ...this.memory, detached: { attachmentId, from, forced: true, at }, detaching: { attachmentId, since: at, forced: true } };
    this.forcedHungDetach = true;
    // Forcing the detach makes this run responsible for attaching the ENI again.
    this.ownTransition = true;
    this.changed = true;
    if (this.action === 'none') {
      this.action = 'move';
      this.from = from;
    }
    this.poller.reset();
    return 'again';
  }

  private async attach(target: string): Promise<Next> {
    // Attaching a free ENI can only help: allowed up to the hard deadline.
    if (this.deps.clock.now() >= this.hardDeadline) {
      return this.finish('deadline-exceeded', `deadline of ${this.config.deadlineSeconds}s passed before attach to ${target}${this.graceNote()}`);
    }
    this.to = target;
    if (this.action === 'none') this.action = 'attach';
    let attachmentId: string;
    try {
      attachmentId = await this.count(() => this.port.attach(this.config.eniId, target, this.config.deviceIndex));
    } catch (err) {
      return this.onAttachRefused(target, err);
    }
    this.memory = { ...this.memory, attached: { attachmentId, to: target, at: this.deps.clock.now() } };
    this.ownTransition = true;
    this.changed = true;
    this.poller.reset();
    return 'again';
  }

  private onAttachRefused(target: string, err: unknown): Next {
    const code = errorCode(err);
    const refusedByTarget = err instanceof UnknownResourceError ? code.startsWith('InvalidInstanceID') : TARGET_REFUSALS.has(code);
    if (!refusedByTarget) throw err;
    const message = (err as Error)?.message ?? String(err);
    this.attachFailures.push({ instanceId: target, code, message });
    this.excluded.push({ instanceId: target, reason: `attach refused in this run: ${code}: ${message}` });
    const indexBlocked = code === 'InvalidParameterValue' && /device index/i.test(message);
    this.memory = { ...this.memory, refused: [...this.memory.refused, { instanceId: target, indexBlocked }] };
    this.deps.logger.warn('attach refused', { eniId: this.config.eniId, instanceId: target, code, error: message, next: 'trying the next healthy candidate' });
    // The ENI is still free: observe again and choose another target.
    this.candidates = undefined;
    return 'again';
  }

  private async remember(instanceId: string, launchTime: number): Promise<Next> {
    this.memory = { ...this.memory, remembered: [...this.memory.remembered, instanceId] };
    this.deps.logger.warn('remembering a device index that may refuse the ENI', { eniId: this.config.eniId, instanceId, launchTime: new Date(launchTime).toISOString() });
    try {
      await this.count(() => this.port.tagNetworkInterface(this.config.eniId, rememberTag(instanceId, launchTime)));
    } catch (err) {
      // Only a hint for later runs (which learn it again from a refused attach): never fail the failover for it.
      this.deps.logger.warn('could not remember a device index that may refuse the ENI', {
        eniId: this.config.eniId, instanceId, code: errorCode(err), error: (err as Error)?.message,
      });
    }
    return 'again';
  }

  /**
   * Deletes remembered-instance tags that no longer mean anything: the instance was terminated
   * (or EC2 forgot it), or it was launched again (a new launch time). An ENI has at most 50 tags,
   * so stale ones must not pile up. Failures are logged, never fatal.
   */
  private async forgetStale(seen: Seen): Promise<void> {
    const stale = rememberedOf(seen.eni.tags).filter((r) => {
      const c = seen.candidates.find((x) => x.instanceId === r.instanceId);
      return c !== undefined && (c.state === 'terminated' || (c.healthySince !== undefined && c.healthySince !== r.launchTime));
    }).map((r) => Object.keys(rememberTag(r.instanceId, r.launchTime))[0]);
    if (stale.length === 0) return;
    try {
      await this.count(() => this.port.untagNetworkInterface(this.config.eniId, stale));
      this.deps.logger.info('forgot remembered instances', { eniId: this.config.eniId, tags: stale });
    } catch (err) {
      this.deps.logger.warn('could not delete stale remembered-instance tags', { eniId: this.config.eniId, tags: stale, code: errorCode(err), error: (err as Error)?.message });
    }
  }

  private async fence(instanceId: string): Promise<Next> {
    this.memory = { ...this.memory, fenced: [...this.memory.fenced, instanceId] };
    this.deps.logger.warn('fencing', { eniId: this.config.eniId, instanceId, reason: 'still running after a forced detach' });
    await this.count(() => this.port.stopInstance(instanceId));
    return 'again';
  }

  private async probe(attachmentId: string, seen: Seen): Promise<Next> {
    const address = seen.eni.privateIpAddress;
    const answered = address !== undefined && await this.deps.probe!.answers(address, this.config.floatingProbePort!);
    this.memory = { ...this.memory, probes: [...this.memory.probes, { attachmentId, answered }] };
    if (!answered) {
      this.deps.logger.warn('floating address does not answer', { eniId: this.config.eniId, address, port: this.config.floatingProbePort, holder: seen.eni.attachment?.instanceId });
      return 'poll';
    }
    return 'again';
  }

  private onError(err: unknown): Next {
    const code = errorCode(err);
    const message = (err as Error)?.message ?? String(err);
    if (err instanceof UnknownResourceError && !this.ownTransition) {
      // Before this run changed anything, an unknown ENI is a configuration error: refuse and change nothing.
      return this.finish('error', `refusing to act: ${message}`);
    }
    // No Region, no credentials, an endpoint that does not resolve or refuses: retrying cannot help.
    if (isSetupError(err)) return this.finish('error', `${code}: ${message}`);
    this.errors++;
    this.deps.logger.warn('failover step failed', { eniId: this.config.eniId, code, error: message, consecutiveErrors: this.errors });
    // While finishing its own transition a run keeps trying transient errors up to the hard
    // deadline: giving up after a detach would leave the ENI detached by the run's own hand.
    if (FATAL.has(code) || (!this.ownTransition && this.errors >= (this.config.maxConsecutiveErrors ?? 5))) {
      return this.finish('error', `${code}: ${message}`);
    }
    this.candidates = undefined;
    return 'poll';
  }

  private deadlineMessage(): string {
    const d = this.decision;
    if (this.errors > 0) return `deadline of ${this.config.deadlineSeconds}s passed after errors${this.graceNote()}`;
    if (d?.kind === 'wait') return `deadline of ${this.config.deadlineSeconds}s passed while the ENI was ${d.state}${this.graceNote()}`;
    if (d?.kind === 'no-healthy-candidate') return `deadline of ${this.config.deadlineSeconds}s passed while waiting for a candidate to become healthy`;
    if (d?.kind === 'noop' && this.config.floatingProbePort !== undefined) {
      return `deadline of ${this.config.deadlineSeconds}s passed while the floating address did not answer`;
    }
    return `deadline of ${this.config.deadlineSeconds}s passed${this.graceNote()}`;
  }

  private graceNote(): string {
    return this.ownTransition
      ? ` (this run had started that transition and kept at it for another ${this.config.completionGraceSeconds ?? 45}s)` : '';
  }

  private refusedNote(): string {
    return this.attachFailures.map((f) => `${f.instanceId} (${f.code}: ${f.message})`).join(', ');
  }

  private finish(outcome: Outcome, message: string): ReconcileResult {
    const result: ReconcileResult = {
      outcome,
      action: this.action,
      from: this.from,
      to: this.to,
      message,
      holder: this.eni?.attachment?.instanceId,
      eniStatus: this.eni?.status,
      availabilityZone: this.eni?.availabilityZone,
      durationMs: this.deps.clock.now() - this.start,
      apiCalls: this.apiCalls,
      alarmCalls: this.alarmCalls,
      polls: this.polls,
      dryRun: this.config.dryRun ?? false,
      lastDecision: this.decision,
      candidates: this.candidates?.map((c) => summarise(c, this.policy)),
      attachFailures: this.attachFailures,
      forcedHungDetach: this.forcedHungDetach,
      fenced: this.memory.fenced,
    };
    this.deps.logger.info('failover result', { eniId: this.config.eniId, trigger: this.config.trigger ?? 'unknown', ...result, lastDecision: this.decision?.kind });
    return result;
  }
}

/** What `release()` should detach. */
export interface ReleaseConfig {
  readonly eniId: string;
  /** Give up (with `deadline-exceeded`) when the ENI is not `available` after this long. */
  readonly deadlineSeconds: number;
  /**
   * A graceful detach still `detaching` after this long is forced when its holder is gone, has
   * failed (`hasFailed`) or runs without passing status checks (`mayForceHungDetach`); a holder
   * with passing checks, or a pending one, is never forced. @default 30
   */
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
  /** Whether the detach was forced (holder gone or failed, or a graceful detach hung while the holder had no passing checks). */
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
 * when an update names another ENI. The detach is graceful unless the holder has failed (neither
 * running nor pending, checks impaired) or does not exist. A graceful detach that hangs for
 * `forceDetachAfterSeconds` is forced only when the holder is gone, has failed or runs without
 * passing status checks (the rule of `mayForceHungDetach`, as in `reconcile`); from a holder with
 * passing checks it is waited for up to the deadline. An ENI that does not exist, or is not
 * attached, is success.
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
  const poller = new Poller(clock, config.pollInitialMs ?? 200, pollMax);
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
  const backoff = (wakeAt = Infinity): Promise<boolean> => poller.sleep(deadline, wakeAt);

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
          apiCalls++;
          const holder = await describeHolder(port, a.instanceId);
          if (mayForceHungDetach(holder)) {
            logger.warn('forcing a detach', {
              eniId: config.eniId,
              attachmentId: a.attachmentId,
              holder: a.instanceId,
              reason: `release: the detach hangs and the holder ${holder ? `has no passing status checks (${describeHealth(holder)})` : 'is gone'}`,
            });
            apiCalls++;
            await detachTolerant(port, a.attachmentId, true);
            forced = true;
            detached = true;
            continue;
          }
          // A holder with passing checks (or a pending one) is never forced: look again after another period.
          detaching = { attachmentId: a.attachmentId, since: clock.now() };
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
      if (FATAL.has(code) || isSetupError(err) || errors >= maxErrors) return finish('error', `${code}: ${message}`);
      if (!(await backoff())) return finish('deadline-exceeded', `deadline of ${config.deadlineSeconds}s passed after ${code}: ${message}`);
    }
  }
}

/** Whether a detach from this instance must be forced at once: it has failed (`hasFailed`) or EC2 no longer knows it. */
async function holderIsUnhealthy(port: Ec2Port, instanceId: string): Promise<boolean> {
  const holder = await describeHolder(port, instanceId);
  return holder === undefined || hasFailed(holder);
}

/** The holder as EC2 describes it; undefined when EC2 no longer knows it. */
async function describeHolder(port: Ec2Port, instanceId: string): Promise<CandidateObservation | undefined> {
  try {
    const [holder] = await port.describeCandidates([instanceId]);
    return holder;
  } catch (err) {
    if (err instanceof UnknownResourceError) return undefined;
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
