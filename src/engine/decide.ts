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
 * 7. The holder is unhealthy: `move` to the first healthy candidate, with a *force* detach (a
 *    graceful detach from an impaired or stopping instance can hang).
 * 8. The holder is not a candidate: `move` to the first healthy candidate with a graceful detach
 *    (its health is unknown, so it is never forced).
 * 9. No healthy candidate in the ENI's AZ: `no-healthy-candidate`. The ENI is never detached when
 *    there is nowhere to put it.
 * 10. Candidates in `excluded` (an attach to them failed earlier in the same run) are never chosen
 *    as a target; a holder in `excluded` is still judged by its health.
 *
 * `policy.forceTarget` (a manual `move --to X --force`) makes X count as healthy when it is
 * running, starting, pending or stopped: the operator takes responsibility. It never makes a
 * cross-AZ, terminated or shutting-down instance eligible.
 */

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
}

/** How the engine chooses between healthy candidates. */
export interface FailoverPolicy {
  /** Move the ENI back to a preferred candidate once it is healthy again. */
  readonly failback: boolean;
  /** How long a preferred candidate must have been healthy before failback. */
  readonly failbackAfterSeconds: number;
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

/** The single next step the engine should take. */
export type Decision = NoopDecision | MoveDecision | AttachDecision | WaitDecision | NoHealthyCandidateDecision;

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

/** Explains why a candidate is not a valid target (for reports). */
export function describeHealth(c: CandidateObservation): string {
  const parts = [`state ${c.state}`, `status checks ${c.statusChecks}`];
  if (c.alarm) parts.push(`alarm ${c.alarm}`);
  return parts.join(', ');
}

/** Decides the next step. See the module documentation for the rules. */
export function decide(obs: Observation, policy: FailoverPolicy): Decision {
  const { eni } = obs;
  const skipped: SkippedCandidate[] = [];
  const eligible: CandidateObservation[] = [];
  for (const c of obs.candidates) {
    const busy = obs.deviceIndex === undefined ? undefined
      : c.interfaces?.find((i) => i.deviceIndex === obs.deviceIndex && i.networkInterfaceId !== eni.eniId);
    if (c.availabilityZone !== eni.availabilityZone) {
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
  for (const [instanceId, reason] of excluded) {
    if (instanceId !== eni.attachment?.instanceId && eligible.some((c) => c.instanceId === instanceId)) skipped.push({ instanceId, reason });
  }
  const healthy = (c: CandidateObservation) => classify(c, policy) === 'healthy' && !excluded.has(c.instanceId);
  const rejected = () => eligible
    .filter((c) => !healthy(c) && !excluded.has(c.instanceId))
    .map((c) => ({ instanceId: c.instanceId, reason: describeHealth(c) }))
    .concat(skipped);

  const att = eni.attachment;
  if (att && att.state !== 'attached') {
    return { kind: 'wait', state: att.state, holder: att.instanceId, reason: `attachment to ${att.instanceId} is ${att.state}`, skipped };
  }
  if (!att && eni.status !== 'available') {
    return { kind: 'wait', state: eni.status, reason: `ENI status is ${eni.status}`, skipped };
  }

  if (!att) {
    const target = eligible.find(healthy);
    if (!target) {
      return { kind: 'no-healthy-candidate', reason: 'the ENI is free and no candidate in its AZ is healthy', rejected: rejected(), skipped };
    }
    return { kind: 'attach', to: target.instanceId, reason: `the ENI is free; ${target.instanceId} is the first healthy candidate`, skipped };
  }

  const holderId = att.instanceId;
  if (att.deviceIndex === 0) {
    return { kind: 'noop', holder: holderId, reason: `the ENI is the primary interface (device index 0) of ${holderId} and cannot be detached`, skipped };
  }
  const holder = eligible.find((c) => c.instanceId === holderId);
  const others = eligible.filter((c) => c.instanceId !== holderId);

  if (!holder) {
    const target = others.find(healthy);
    if (!target) {
      return { kind: 'no-healthy-candidate', holder: holderId, reason: `the ENI is on ${holderId}, which is not a candidate, and no candidate is healthy`, rejected: rejected(), skipped };
    }
    return {
      kind: 'move',
      from: holderId,
      attachmentId: att.attachmentId,
      to: target.instanceId,
      force: false,
      reason: `${holderId} is not a candidate; ${target.instanceId} is the first healthy candidate`,
      skipped,
    };
  }

  const holderHealth = classify(holder, policy);
  if (holderHealth !== 'unhealthy') {
    if (!policy.failback) {
      return { kind: 'noop', holder: holderId, reason: `holder ${holderId} is ${holderHealth}; failback is off`, skipped };
    }
    const holderRank = eligible.indexOf(holder);
    const preferred = eligible.slice(0, holderRank).filter(healthy);
    const ready = preferred.find((c) => {
      const since = healthySince(c);
      return c.instanceId === policy.forceTarget || policy.failbackAfterSeconds <= 0
        || (since !== undefined && obs.now - since >= policy.failbackAfterSeconds * 1000);
    });
    if (ready) {
      return {
        kind: 'move',
        from: holderId,
        attachmentId: att.attachmentId,
        to: ready.instanceId,
        force: false,
        reason: `failback: ${ready.instanceId} is preferred over ${holderId} and healthy for at least ${policy.failbackAfterSeconds}s`,
        skipped,
      };
    }
    const pending = preferred.length > 0 ? `; failback to ${preferred[0].instanceId} waits until it has been healthy for ${policy.failbackAfterSeconds}s` : '';
    return { kind: 'noop', holder: holderId, reason: `holder ${holderId} is ${holderHealth} and the most preferred healthy candidate${pending}`, skipped };
  }

  const target = others.find(healthy);
  if (!target) {
    return {
      kind: 'no-healthy-candidate',
      holder: holderId,
      reason: `holder ${holderId} is unhealthy (${describeHealth(holder)}) and no other candidate in its AZ is healthy; the ENI stays where it is`,
      rejected: rejected(),
      skipped,
    };
  }
  return {
    kind: 'move',
    from: holderId,
    attachmentId: att.attachmentId,
    to: target.instanceId,
    force: true,
    reason: `holder ${holderId} is unhealthy (${describeHealth(holder)}); ${target.instanceId} is the first healthy candidate`,
    skipped,
  };
}
