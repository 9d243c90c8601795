/**
 * The pure decision function of the ENI failover engine.
 *
 * `decide()` looks at one observation (where the ENI is, how every candidate instance is doing)
 * and returns the single next step. It has no I/O and no clock of its own, so it is tested
 * exhaustively and the engine can call it again after every action.
 *
 * Rules, in order:
 * 1. Cross-AZ candidates are never chosen. An ENI lives in one Availability Zone and can only be
 *    attached to instances in that zone; such candidates are reported in `skipped`. Neither is a
 *    candidate that has another interface at the ENI's device index (the attach would fail after
 *    the detach and leave the ENI nowhere).
 * 2. The ENI is in a transitional state (`attaching`, `detaching`): `wait`.
 * 3. The ENI is the primary interface (device index 0) of its holder: `noop`; it cannot move.
 * 4. Health: a candidate is *healthy* when it is `running`, its status checks are `ok`, and its
 *    health alarms (if any are known) are not in `ALARM`. A candidate that is running without an
 *    alarm in `ALARM` whose status checks have not yet given a result (`initializing` while the
 *    first checks run after a start, `insufficient-data` while EC2 has too little data to decide,
 *    `not-applicable`, which EC2 reports for an instance its checks do not cover yet) is
 *    *starting*: a holder that is starting is kept, but a starting instance is never chosen as a
 *    target, because nothing says it can serve. `impaired`, any state but `running`, or an alarm in
 *    `ALARM` make a candidate *unhealthy*. An alarm in `INSUFFICIENT_DATA` does not make a
 *    candidate unhealthy (an alarm without data is common and says nothing bad).
 * 5. The ENI is free: `attach` to the first healthy candidate in preference order.
 * 6. The holder is healthy or starting:
 *    - failback off: `noop`, the current holder is kept;
 *    - failback on: `move` (graceful detach) to the first healthy candidate that is preferred over
 *      the holder and has been healthy for at least `failbackAfterSeconds`; otherwise `noop`.
 *      "Healthy since" is the later of its launch time and the last state change of its health
 *      alarms (`alarmSince`). It is unknown when the launch time is unknown or an alarm is in
 *      `INSUFFICIENT_DATA` (an alarm without data says nothing about how long the application has
 *      been up); a candidate with an unknown "healthy since" only qualifies when
 *      `failbackAfterSeconds` is 0.
 * 7. The holder is unhealthy: `move` to the first healthy candidate. The detach is forced at once
 *    only when the holder has *failed* (neither running nor pending, or its EC2 status checks
 *    `impaired`; a pending holder is starting): the
 *    DetachNetworkInterface reference calls Force a last resort for a failed instance, since it can
 *    leave the device index unusable until the instance is stopped and started. A running holder
 *    with passing checks (an application alarm alone) gets a graceful detach, and a graceful detach
 *    that takes long is never forced while its holder has passing checks (see rule 11).
 * 8. The holder is not a candidate: `move` to the first healthy candidate with a graceful detach
 *    (its health is unknown, so it is never forced).
 * 9. No healthy candidate in the ENI's AZ: `no-healthy-candidate`. The ENI is never detached when
 *    there is nowhere to put it.
 * 10. Candidates in `excluded` (an attach to them failed earlier in the same run) are never chosen
 *    as a target; a holder in `excluded` is still judged by its health.
 *
 * 11. What this run already did (`Observation.run`) is part of the input:
 *    - a describe that still shows the attachment this run detached (same attachment id), or shows
 *      the ENI free right after this run's attach, is a stale read (EC2 reads are eventually
 *      consistent): `wait`, for at most `policy.staleReadMs`;
 *    - another attachment id on the instance this run detached from means another run put it back:
 *      `yield` (never toss the ENI back and forth between runs);
 *    - a detach in progress from a failed holder that this run has not forced yet: `force`; also
 *      a graceful detach this run has seen `detaching` for `policy.forceHungDetachMs` while its
 *      holder runs with status checks that are not `ok` (a dead host can report
 *      `insufficient-data` for a long time);
 *    - after a forced detach from a holder that is still running, with `policy.fence`, once the ENI
 *      is attached to another running candidate: `fence` (stop it). A failover that failed (ENI
 *      free, no healthy candidate) never fences;
 *    - after a forced detach, or an attach refused for its device index: `remember` the instance
 *      with its launch time (a tag on the ENI), so later runs skip it until it is launched again.
 * 12. Remembered instances (`Observation.remembered`, read from the ENI's tags) whose launch time is
 *    unchanged are never failback or manual targets, and are the last resort for a failover.
 * 13. A pin (`Observation.pin`, maintenance mode) that has not expired keeps the ENI on the pinned
 *    instance while it is not unhealthy: failover and failback pause. A pinned instance that is
 *    unhealthy is ignored and the ordinary rules apply.
 * 14. With `policy.probeFloating`, a `noop` on a holder is only final once its floating address
 *    answered (`probe`); a holder that does not answer after `policy.probeAttempts` probes ends the
 *    run as `not-answering`.
 *
 * `policy.forceTarget` (a manual `move --to X --force`) makes X count as healthy when it is
 * running, starting, pending or stopped: the operator takes responsibility. It never makes a
 * cross-AZ, terminated or shutting-down instance eligible.
 */

import { FailoverPolicySettings } from './contract';

/** EC2 instance state as reported by DescribeInstances / DescribeInstanceStatus. */
export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated' | 'unknown';

/** Combined EC2 status check result (system and instance checks together). */
export type StatusCheck = 'ok' | 'impaired' | 'initializing' | 'insufficient-data' | 'not-applicable';

/** CloudWatch alarm state of a candidate's health alarm. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Where an alarm state the engine used came from: DescribeAlarms, the trigger event, or nowhere (the alarm does not exist). */
export type AlarmSource = 'described' | 'event' | 'missing';

/** One health alarm of a candidate as the engine saw it. */
export interface AlarmVerdict {
  readonly alarmName: string;
  readonly state: AlarmState;
  readonly source: AlarmSource;
  /** Epoch milliseconds of its last state change. @default - unknown */
  readonly changedAt?: number;
}

/** State of the ENI's attachment. */
export type AttachmentState = 'attaching' | 'attached' | 'detaching';

/** Where the ENI is attached. */
export interface EniAttachment {
  readonly attachmentId: string;
  readonly instanceId: string;
  readonly state: AttachmentState;
  readonly deviceIndex: number;
}

/** What DescribeNetworkInterfaces says about the ENI. */
export interface EniObservation {
  readonly eniId: string;
  readonly availabilityZone: string;
  /** `available`, `in-use`, `attaching`, `detaching`, ... */
  readonly status: string;
  /** Absent when the ENI is not attached. */
  readonly attachment?: EniAttachment;
  /** The ENI's primary private IPv4 address (the floating address). @default - unknown */
  readonly privateIpAddress?: string;
  /** The ENI's tags (pin, remembered instances). @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A network interface attached to a candidate. */
export interface AttachedInterface {
  readonly networkInterfaceId: string;
  readonly deviceIndex: number;
}

/** What EC2 (and optionally CloudWatch) says about one candidate instance. */
export interface CandidateObservation {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly state: InstanceState;
  readonly statusChecks: StatusCheck;
  /**
   * Combined state of the candidate's health alarms: `ALARM` when any is in ALARM, else
   * `INSUFFICIENT_DATA` when any has no data, else `OK`.
   * @default - no alarm known
   */
  readonly alarm?: AlarmState;
  /**
   * Epoch milliseconds of the latest state change among the candidate's health alarms: with
   * `alarm` OK, since when every one of them has been OK. Used only for failback.
   * @default - unknown: only the launch time counts
   */
  readonly alarmSince?: number;
  /**
   * The health alarms behind `alarm`, for reports.
   * @default - none
   */
  readonly healthAlarms?: readonly AlarmVerdict[];
  /**
   * Network interfaces attached to the instance with their device index.
   * @default - unknown: device indexes are not checked
   */
  readonly interfaces?: readonly AttachedInterface[];
  /**
   * Epoch milliseconds since when the instance is known to be up (its launch time, which EC2
   * resets on every start). Used only for failback.
   * @default - unknown: the candidate is never a failback target
   */
  readonly healthySince?: number;
}

/** One observation of the world. */
export interface Observation {
  readonly eni: EniObservation;
  /** Candidates in preference order, the primary first. */
  readonly candidates: readonly CandidateObservation[];
  /** Epoch milliseconds at the time of the observation. */
  readonly now: number;
  /**
   * Device index the ENI is attached at; a candidate with another interface there is skipped.
   * @default - device indexes are not checked
   */
  readonly deviceIndex?: number;
  /**
   * Candidates that must not be chosen as a target, with the reason (an attach to them failed
   * earlier in this run, e.g. because their device index is taken after a forced detach).
   * @default - none
   */
  readonly excluded?: readonly SkippedCandidate[];
  /** What this run already did. @default - nothing */
  readonly run?: RunMemory;
  /** Instances remembered on the ENI's tags (forced detach or refused device index). @default - none */
  readonly remembered?: readonly Remembered[];
  /** The manual pin read from the ENI's tags. @default - none */
  readonly pin?: Pin;
}

/** An instance whose device index may refuse the ENI until it is launched again. */
export interface Remembered {
  readonly instanceId: string;
  /** The launch time (epoch ms) the instance had when it was remembered. */
  readonly launchTime: number;
}

/** Manual pin (maintenance mode). */
export interface Pin {
  readonly instanceId: string;
  /** Epoch ms after which the pin no longer holds. @default - until lifted */
  readonly until?: number;
}

/** What this run already did, for `decide()`. */
export interface RunMemory {
  /** The last detach this run sent. */
  readonly detached?: { readonly attachmentId: string; readonly from: string; readonly forced: boolean; readonly at: number };
  /** The last attach this run sent. */
  readonly attached?: { readonly attachmentId: string; readonly to: string; readonly at: number };
  /** Attaches EC2 refused in this run; `indexBlocked` when the device index refused it. */
  readonly refused: readonly { readonly instanceId: string; readonly indexBlocked: boolean }[];
  /** Instances this run remembered on the ENI's tags. */
  readonly remembered: readonly string[];
  /** Instances this run stopped (fencing). */
  readonly fenced: readonly string[];
  /** A detach in progress and since when this run knows of it. */
  readonly detaching?: { readonly attachmentId: string; readonly since: number; readonly forced: boolean };
  /** Floating address probes of the current attachment. */
  readonly probes: readonly { readonly attachmentId: string; readonly answered: boolean }[];
}

/** An empty run memory. */
export const FRESH_RUN: RunMemory = { refused: [], remembered: [], fenced: [], probes: [] };

/** How the engine chooses between healthy candidates. */
export interface FailoverPolicy extends FailoverPolicySettings {
  /** Stop a still-running instance after a forced detach from it. @default false */
  readonly fence?: boolean;
  /** Probe the floating address on its holder before calling a noop final. @default false */
  readonly probeFloating?: boolean;
  /** Probes of the floating address before the run gives up with `not-answering`. @default 3 */
  readonly probeAttempts?: number;
  /** The target of a manual move: never skipped for being remembered. @default - none */
  readonly manualTarget?: string;
  /**
   * A graceful detach this run has seen `detaching` for this long is forced when its holder runs
   * with status checks that are not `ok` (see `mayForceHungDetach`).
   * @default 30000
   */
  readonly forceHungDetachMs?: number;
  /** How long a read that contradicts this run's own write counts as stale. @default 60000 */
  readonly staleReadMs?: number;
  /**
   * Treat this instance as healthy (manual move with --force).
   * @default - no override
   */
  readonly forceTarget?: string;
}

/** A candidate that was not considered, with the reason. */
export interface SkippedCandidate {
  readonly instanceId: string;
  readonly reason: string;
}

interface DecisionBase {
  /** Human-readable explanation of the decision. */
  readonly reason: string;
  /** Candidates excluded because they are in another AZ than the ENI or their device index is taken. */
  readonly skipped: readonly SkippedCandidate[];
}

/** Nothing to do: the ENI is where it should be (or cannot be moved). */
export interface NoopDecision extends DecisionBase {
  readonly kind: 'noop';
  readonly holder?: string;
}

/** Detach from `from` (forcefully when it is unhealthy), then attach to `to`. */
export interface MoveDecision extends DecisionBase {
  readonly kind: 'move';
  readonly from: string;
  readonly attachmentId: string;
  readonly to: string;
  readonly force: boolean;
}

/** The ENI is free: attach it to `to`. */
export interface AttachDecision extends DecisionBase {
  readonly kind: 'attach';
  readonly to: string;
}

/** The ENI is in a transitional state; observe again later. */
export interface WaitDecision extends DecisionBase {
  readonly kind: 'wait';
  readonly state: string;
  readonly holder?: string;
}

/** No candidate can take the ENI; nothing is changed. */
export interface NoHealthyCandidateDecision extends DecisionBase {
  readonly kind: 'no-healthy-candidate';
  readonly holder?: string;
  /** Why each candidate was rejected. */
  readonly rejected: readonly SkippedCandidate[];
}

/** Force the detach in progress: its holder has failed. */
export interface ForceDecision extends DecisionBase {
  readonly kind: 'force';
  readonly attachmentId: string;
  readonly from: string;
}

/** Stop an instance this run force-detached the ENI from while it still runs (fencing). */
export interface FenceDecision extends DecisionBase {
  readonly kind: 'fence';
  readonly instanceId: string;
}

/** Remember an instance with its launch time on the ENI's tags. */
export interface RememberDecision extends DecisionBase {
  readonly kind: 'remember';
  readonly instanceId: string;
  readonly launchTime: number;
}

/** Probe the floating address on its holder. */
export interface ProbeDecision extends DecisionBase {
  readonly kind: 'probe';
  readonly holder: string;
  readonly attachmentId: string;
}

/** Stop: another run put the ENI back where this run took it from. */
export interface YieldDecision extends DecisionBase {
  readonly kind: 'yield';
  readonly holder: string;
}

/** Stop: the holder keeps the ENI but its floating address does not answer. */
export interface NotAnsweringDecision extends DecisionBase {
  readonly kind: 'not-answering';
  readonly holder: string;
}

/** The single next step the engine should take. */
export type Decision = NoopDecision | MoveDecision | AttachDecision | WaitDecision | NoHealthyCandidateDecision
| ForceDecision | FenceDecision | RememberDecision | ProbeDecision | YieldDecision | NotAnsweringDecision;

/** Health class of a candidate. */
export type Health = 'healthy' | 'starting' | 'unhealthy';

/**
 * Classifies a candidate. `healthy`: running, status checks `ok`, no alarm in ALARM. `starting`:
 * running, no alarm in ALARM, status checks without a result yet (`initializing`,
 * `insufficient-data`, `not-applicable`). Otherwise (not running, checks `impaired`, an alarm in
 * ALARM) `unhealthy`.
 */
export function classify(c: CandidateObservation, policy?: FailoverPolicy): Health {
  if (policy?.forceTarget === c.instanceId && ['running', 'pending', 'stopped'].includes(c.state)) {
    return 'healthy';
  }
  if (c.state !== 'running' || c.alarm === 'ALARM' || c.statusChecks === 'impaired') {
    return 'unhealthy';
  }
  return c.statusChecks === 'ok' ? 'healthy' : 'starting';
}

/**
 * Since when a candidate is known to be healthy, for failback: the later of its launch time and
 * its alarms' last state change. Undefined (unknown) when the launch time is unknown or an alarm
 * is in INSUFFICIENT_DATA.
 */
export function healthySince(c: CandidateObservation): number | undefined {
  if (c.healthySince === undefined || c.alarm === 'INSUFFICIENT_DATA') return undefined;
  return c.alarmSince === undefined ? c.healthySince : Math.max(c.healthySince, c.alarmSince);
}

/**
 * Whether an instance has failed in EC2's own terms: neither running nor pending (a pending
 * instance is starting), or its status checks impaired. Only a detach from a failed holder is
 * forced at once; an alarm alone never counts.
 */
export function hasFailed(c: Pick<CandidateObservation, 'state' | 'statusChecks'>): boolean {
  return (c.state !== 'running' && c.state !== 'pending') || c.statusChecks === 'impaired';
}

/**
 * Whether a graceful detach from this holder that has hung for `FailoverPolicy.forceHungDetachMs`
 * may be forced: the holder has failed, or it runs while its status checks give no `ok` (a dead
 * host often reports `insufficient-data` rather than `impaired`). A holder that is pending, or runs
 * with passing checks, is never forced.
 */
export function mayForceHungDetach(c: Pick<CandidateObservation, 'state' | 'statusChecks'> | undefined): boolean {
  return c === undefined || hasFailed(c) || (c.state === 'running' && c.statusChecks !== 'ok');
}

/** Explains why a candidate is not a valid target (for reports). */
export function describeHealth(c: CandidateObservation): string {
  const parts = [`state ${c.state}`, `status checks ${c.statusChecks}`];
  if (c.alarm) parts.push(`alarm ${c.alarm}`);
  return parts.join(', ');
}

/** Decides the next step. See the module documentation for the rules. */
export function decide(obs: Observation, policy: FailoverPolicy): Decision {
  const view = viewOf(obs, policy);
  const early = ownWriteRules(obs, policy, view);
  if (early) return early;
  const placement = placementRules(obs, policy, view);
  if (placement.kind === 'wait') return forceRule(obs, policy, view, placement) ?? placement;
  if (placement.kind === 'noop' || placement.kind === 'no-healthy-candidate') return afterCareRules(obs, policy, view, placement) ?? placement;
  return placement;
}

/** The candidates sorted into what a decision needs. */
interface View {
  readonly run: RunMemory;
  readonly skipped: SkippedCandidate[];
  /** In the ENI's AZ with the device index free, in preference order. */
  readonly eligible: CandidateObservation[];
  readonly excluded: ReadonlyMap<string, string>;
  /** Healthy and not excluded in this run. */
  healthy(c: CandidateObservation): boolean;
  /** Remembered with an unchanged launch time: its device index may refuse the ENI. */
  remembered(c: CandidateObservation): boolean;
  /** First healthy candidate among `among`, remembered ones last. */
  target(among: readonly CandidateObservation[]): CandidateObservation | undefined;
  rejected(): SkippedCandidate[];
}

function viewOf(obs: Observation, policy: FailoverPolicy): View {
  const { eni } = obs;
  const run = obs.run ?? FRESH_RUN;
  const skipped: SkippedCandidate[] = [];
  const eligible: CandidateObservation[] = [];
  for (const c of obs.candidates) {
    const busy = obs.deviceIndex === undefined ? undefined
      : c.interfaces?.find((i) => i.deviceIndex === obs.deviceIndex && i.networkInterfaceId !== eni.eniId);
    if (c.state === 'terminated' && c.availabilityZone === 'unknown') {
      eligible.push(c);
    } else if (c.availabilityZone !== eni.availabilityZone) {
      skipped.push({
        instanceId: c.instanceId,
        reason: `in ${c.availabilityZone}, the ENI is in ${eni.availabilityZone}: an ENI can only attach in its own AZ`,
      });
    } else if (busy) {
      skipped.push({ instanceId: c.instanceId, reason: `device index ${obs.deviceIndex} is taken by ${busy.networkInterfaceId}` });
    } else {
      eligible.push(c);
    }
  }
  const excluded = new Map((obs.excluded ?? []).map((x) => [x.instanceId, x.reason]));
  for (const r of run.refused) if (!excluded.has(r.instanceId)) excluded.set(r.instanceId, 'attach refused in this run');
  for (const [instanceId, reason] of excluded) {
    if (instanceId !== eni.attachment?.instanceId && eligible.some((c) => c.instanceId === instanceId)) skipped.push({ instanceId, reason });
  }
  const healthy = (c: CandidateObservation) => classify(c, policy) === 'healthy' && !excluded.has(c.instanceId);
  const remembered = (c: CandidateObservation) => c.instanceId !== policy.forceTarget && c.instanceId !== policy.manualTarget
    && (obs.remembered ?? []).some((r) => r.instanceId === c.instanceId && r.launchTime === c.healthySince);
  return {
    run,
    skipped,
    eligible,
    excluded,
    healthy,
    remembered,
    target: (among) => among.find((c) => healthy(c) && !remembered(c)) ?? among.find(healthy),
    rejected: () => eligible
      .filter((c) => !healthy(c) && !excluded.has(c.instanceId))
      .map((c) => ({ instanceId: c.instanceId, reason: describeHealth(c) }))
      .concat(skipped),
  };
}

/** Rules about this run's own writes: stale reads of them, and another run undoing them. */
function ownWriteRules(obs: Observation, policy: FailoverPolicy, view: View): Decision | undefined {
  const { run, skipped } = view;
  const att = obs.eni.attachment;
  const staleMs = policy.staleReadMs ?? 60_000;
  const detached = run.detached;
  if (detached && att?.attachmentId === detached.attachmentId && att.state === 'attached' && obs.now - detached.at < staleMs) {
    return {
      kind: 'wait',
      state: 'stale-read',
      holder: att.instanceId,
      reason: `EC2 still shows attachment ${att.attachmentId}, which this run detached: a stale read (EC2 reads are eventually consistent)`,
      skipped,
    };
  }
  if (detached && att?.state === 'attached' && att.instanceId === detached.from && att.attachmentId !== detached.attachmentId
    && att.attachmentId !== run.attached?.attachmentId) {
    return {
      kind: 'yield',
      holder: att.instanceId,
      reason: `another run put the ENI back on ${att.instanceId}, which this run had detached it from; not moving it again in this run (attachment ${att.attachmentId} is not this run's)`,
      skipped,
    };
  }
  if (run.attached && !att && obs.now - run.attached.at < staleMs) {
    return {
      kind: 'wait',
      state: 'stale-read',
      reason: `EC2 still shows the ENI free after this run attached it to ${run.attached.to}: a stale read (EC2 reads are eventually consistent)`,
      skipped,
    };
  }
  return undefined;
}

/** A detach in progress from a failed holder is forced once. */
function forceRule(obs: Observation, policy: FailoverPolicy, view: View, wait: WaitDecision): Decision | undefined {
  const att = obs.eni.attachment;
  if (!att || att.state !== 'detaching' || wait.state === 'stale-read') return undefined;
  const holder = obs.candidates.find((c) => c.instanceId === att.instanceId);
  const { detaching, detached } = view.run;
  const forced = (detaching?.attachmentId === att.attachmentId && detaching.forced)
    || (detached?.attachmentId === att.attachmentId && detached.forced);
  if (forced || !holder) return undefined;
  const hungMs = detaching?.attachmentId === att.attachmentId ? obs.now - detaching.since : 0;
  const hung = hungMs >= (policy.forceHungDetachMs ?? 30_000) && mayForceHungDetach(holder);
  if (!hasFailed(holder) && !hung) return undefined;
  const why = hasFailed(holder)
    ? `${att.instanceId} has failed (${describeHealth(holder)})`
    : `it has hung for ${Math.round(hungMs / 1000)}s while ${att.instanceId} gives no passing status checks (${describeHealth(holder)})`;
  return {
    kind: 'force',
    attachmentId: att.attachmentId,
    from: att.instanceId,
    reason: `the detach from ${att.instanceId} is in progress and ${why}: forcing it`,
    skipped: view.skipped,
  };
}

/** What follows a final placement: remember blocked device indexes, fence, probe the floating address. */
function afterCareRules(
  obs: Observation, policy: FailoverPolicy, view: View, final: NoopDecision | NoHealthyCandidateDecision,
): Decision | undefined {
  const { run, skipped } = view;
  const byId = (id: string) => obs.candidates.find((c) => c.instanceId === id);
  const toRemember = [
    ...(run.detached?.forced ? [run.detached.from] : []),
    ...run.refused.filter((r) => r.indexBlocked).map((r) => r.instanceId),
  ].filter((id, n, all) => all.indexOf(id) === n && !run.remembered.includes(id));
  for (const id of toRemember) {
    const c = byId(id);
    // Only a running instance keeps its launch time; a stopped one is launched again when it starts.
    if (!c || c.healthySince === undefined || c.state !== 'running') continue;
    if ((obs.remembered ?? []).some((r) => r.instanceId === id && r.launchTime === c.healthySince)) continue;
    const why = run.detached?.forced && run.detached.from === id ? 'this run forced a detach from it' : 'it refused the attach at the device index';
    return { kind: 'remember', instanceId: id, launchTime: c.healthySince, reason: `${why}: skip it until it is launched again`, skipped };
  }
  const forcedFrom = run.detached?.forced ? byId(run.detached.from) : undefined;
  // Fence only once the ENI is attached to another candidate that runs: never after a failover
  // that failed (ENI free or nowhere healthy), which would stop the only instance left.
  const placedOn = obs.eni.attachment?.state === 'attached' ? byId(obs.eni.attachment.instanceId) : undefined;
  const placedElsewhere = final.kind === 'noop' && placedOn !== undefined && placedOn.state === 'running'
    && placedOn.instanceId !== forcedFrom?.instanceId;
  if (policy.fence && forcedFrom && placedElsewhere && ['running', 'pending'].includes(forcedFrom.state) && !run.fenced.includes(forcedFrom.instanceId)) {
    return { kind: 'fence', instanceId: forcedFrom.instanceId, reason: `fencing: ${forcedFrom.instanceId} still runs after the forced detach; stopping it`, skipped };
  }
  const att = obs.eni.attachment;
  if (final.kind !== 'noop' || !policy.probeFloating || !att || att.state !== 'attached' || att.deviceIndex === 0) return undefined;
  const probes = run.probes.filter((p) => p.attachmentId === att.attachmentId);
  if (probes.some((p) => p.answered)) return undefined;
  if (probes.length >= (policy.probeAttempts ?? 3)) {
    return { kind: 'not-answering', holder: att.instanceId, reason: `the floating address does not answer on ${att.instanceId} after ${probes.length} probes`, skipped };
  }
  return { kind: 'probe', holder: att.instanceId, attachmentId: att.attachmentId, reason: `probing the floating address on ${att.instanceId}`, skipped };
}

/** An active pin, or undefined when there is none, it expired, or its instance is not a candidate. */
function activePin(obs: Observation, view: View): CandidateObservation | undefined {
  const pin = obs.pin;
  if (!pin || (pin.until !== undefined && obs.now >= pin.until)) return undefined;
  return view.eligible.find((c) => c.instanceId === pin.instanceId);
}

/** Where the ENI should be: the rules 1 to 10 and 13 of the module documentation. */
function placementRules(obs: Observation, policy: FailoverPolicy, view: View): Decision {
  const { eni } = obs;
  const { skipped, eligible } = view;
  const att = eni.attachment;
  if (att && att.state !== 'attached') {
    return { kind: 'wait', state: att.state, holder: att.instanceId, reason: `attachment to ${att.instanceId} is ${att.state}`, skipped };
  }
  if (!att && eni.status !== 'available') {
    return { kind: 'wait', state: eni.status, reason: `ENI status is ${eni.status}`, skipped };
  }
  const pinned = activePin(obs, view);
  const pin = pinned && classify(pinned, policy) !== 'unhealthy' ? pinned : undefined;
  if (!att) {
    const target = pin && view.healthy(pin) ? pin : view.target(eligible);
    const back = target ? undefined : giveBack(policy, view);
    if (back) return back;
    if (!target) {
      return { kind: 'no-healthy-candidate', reason: 'the ENI is free and no candidate in its AZ is healthy', rejected: view.rejected(), skipped };
    }
    const why = target === pin ? `the ENI is free; ${target.instanceId} is pinned` : `the ENI is free; ${target.instanceId} is the first healthy candidate`;
    return { kind: 'attach', to: target.instanceId, reason: why, skipped };
  }
  const holderId = att.instanceId;
  if (att.deviceIndex === 0) {
    return { kind: 'noop', holder: holderId, reason: `the ENI is the primary interface (device index 0) of ${holderId} and cannot be detached`, skipped };
  }
  const holder = eligible.find((c) => c.instanceId === holderId);
  if (pin) return pinnedRules(att, holder, pin, view);
  const others = eligible.filter((c) => c.instanceId !== holderId);
  if (!holder) {
    const target = view.target(others);
    if (!target) {
      return { kind: 'no-healthy-candidate', holder: holderId, reason: `the ENI is on ${holderId}, which is not a candidate, and no candidate is healthy`, rejected: view.rejected(), skipped };
    }
    return move(att, target, false, `${holderId} is not a candidate; ${target.instanceId} is the first healthy candidate`, skipped);
  }
  const holderHealth = classify(holder, policy);
  if (holderHealth !== 'unhealthy') return keepOrFailBack(obs, policy, view, att, holder, holderHealth);
  const target = view.target(others);
  if (!target) {
    return {
      kind: 'no-healthy-candidate',
      holder: holderId,
      reason: `holder ${holderId} is unhealthy (${describeHealth(holder)}) and no other candidate in its AZ is healthy; the ENI stays where it is`,
      rejected: view.rejected(),
      skipped,
    };
  }
  const force = hasFailed(holder);
  const how = force ? 'forced detach: it has failed' : 'graceful detach: it still runs with passing status checks';
  return move(att, target, force, `holder ${holderId} is unhealthy (${describeHealth(holder)}; ${how}); ${target.instanceId} is the first healthy candidate`, skipped);
}

/**
 * This run took the ENI from an instance that is not unhealthy (a failback or manual move, or a
 * holder whose checks were still initializing) and every healthy target refused it: give it back
 * rather than leave it free.
 */
function giveBack(policy: FailoverPolicy, view: View): AttachDecision | undefined {
  const from = view.run.detached?.from;
  const previous = from === undefined ? undefined : view.eligible.find((c) => c.instanceId === from);
  if (!previous || view.run.refused.length === 0 || view.excluded.has(previous.instanceId) || classify(previous, policy) === 'unhealthy') return undefined;
  return {
    kind: 'attach',
    to: previous.instanceId,
    reason: `every healthy target refused the ENI; giving it back to ${previous.instanceId}, which this run took it from`,
    skipped: view.skipped,
  };
}

function move(att: EniAttachment, to: CandidateObservation, force: boolean, reason: string, skipped: readonly SkippedCandidate[]): MoveDecision {
  return { kind: 'move', from: att.instanceId, attachmentId: att.attachmentId, to: to.instanceId, force, reason, skipped };
}

/** While a pin holds: keep the ENI on the pinned instance, or move it there. */
function pinnedRules(att: EniAttachment, holder: CandidateObservation | undefined, pin: CandidateObservation, view: View): Decision {
  if (att.instanceId === pin.instanceId) {
    return { kind: 'noop', holder: att.instanceId, reason: `${pin.instanceId} is pinned (maintenance mode) and holds the ENI`, skipped: view.skipped };
  }
  if (!view.healthy(pin)) {
    return { kind: 'noop', holder: att.instanceId, reason: `${pin.instanceId} is pinned but not healthy yet; the ENI stays on ${att.instanceId}`, skipped: view.skipped };
  }
  const force = holder !== undefined && hasFailed(holder);
  return move(att, pin, force, `${pin.instanceId} is pinned (maintenance mode)`, view.skipped);
}

/** The holder is healthy or starting: keep it, or fail back to a preferred candidate. */
function keepOrFailBack(
  obs: Observation, policy: FailoverPolicy, view: View, att: EniAttachment, holder: CandidateObservation, holderHealth: Health,
): Decision {
  const { skipped, eligible } = view;
  const holderId = holder.instanceId;
  if (!policy.failback) {
    return { kind: 'noop', holder: holderId, reason: `holder ${holderId} is ${holderHealth}; failback is off`, skipped };
  }
  const holderRank = eligible.indexOf(holder);
  const preferred = eligible.slice(0, holderRank).filter((c) => view.healthy(c) && !view.remembered(c));
  const ready = preferred.find((c) => {
    const since = healthySince(c);
    return c.instanceId === policy.forceTarget || policy.failbackAfterSeconds <= 0
      || (since !== undefined && obs.now - since >= policy.failbackAfterSeconds * 1000);
  });
  if (ready) {
    return move(att, ready, false, `failback: ${ready.instanceId} is preferred over ${holderId} and healthy for at least ${policy.failbackAfterSeconds}s`, skipped);
  }
  const pending = preferred.length > 0 ? `; failback to ${preferred[0].instanceId} waits until it has been healthy for ${policy.failbackAfterSeconds}s` : '';
  return { kind: 'noop', holder: holderId, reason: `holder ${holderId} is ${holderHealth} and the most preferred healthy candidate${pending}`, skipped };
}
