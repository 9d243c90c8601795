/**
 * Health alarms of the failover candidates: what CloudWatch says about them (read once per run by
 * the engine) merged with what the triggering event says.
 *
 * The rule for one alarm that both sources know: **describe always; the event's state wins only
 * when it is provably newer**, i.e. the event carries a state-change time later than the
 * described state's timestamp. The describe call is made after the event was delivered, so it is
 * normally at least as fresh; the exception covers a read that lags a notification. An alarm that
 * reaches the run only as a notice (a status check alarm through SNS) is described too when the
 * engine has a CloudWatch port, and read the same way; one CloudWatch does not know counts from
 * its event, in that run only. A notice older than the bound the engine gives (Lambda redelivers
 * asynchronous events for up to 6 hours) is ignored. An alarm never forces a detach: only EC2's
 * own view of the holder (not running, checks impaired) does.
 *
 * This module is pure: no I/O, no clock of its own.
 */
import { AlarmState, AlarmVerdict } from './decide';

/** What DescribeAlarms says about one alarm. */
export interface AlarmReading {
  readonly state: AlarmState;
  /**
   * Epoch milliseconds of the last state change (`StateTransitionedTimestamp`, or
   * `StateUpdatedTimestamp` where that is missing).
   * @default - unknown
   */
  readonly changedAt?: number;
}

/** An alarm state carried by a trigger event (SNS notification or EventBridge alarm event). */
export interface AlarmNotice {
  readonly alarmName: string;
  readonly state: AlarmState;
  /** Instance ids in the alarm's `InstanceId` dimensions (empty for composite alarms). */
  readonly instanceIds: readonly string[];
  /**
   * Epoch milliseconds of the state change (`StateChangeTime` / `detail.state.timestamp`).
   * @default - unknown
   */
  readonly changedAt?: number;
}

/** The merged alarm view of one candidate. */
export interface CandidateAlarms {
  /** Combined state; undefined when the candidate has no alarm at all. */
  readonly alarm?: AlarmState;
  /** Latest state change among the alarms; undefined when there is no alarm. */
  readonly alarmSince?: number;
  readonly alarms: readonly AlarmVerdict[];
}

/** The worse state first: one ALARM makes the candidate unhealthy; no data beats OK. */
const SEVERITY: AlarmState[] = ['ALARM', 'INSUFFICIENT_DATA', 'OK'];

/** Every distinct alarm name configured for the given instances, in order. */
export function alarmNamesOf(healthAlarms: Readonly<Record<string, readonly string[]>> | undefined, instanceIds: readonly string[]): string[] {
  const names = instanceIds.flatMap((id) => healthAlarms?.[id] ?? []);
  return names.filter((n, i) => names.indexOf(n) === i);
}

/**
 * Merges the described states of a candidate's configured alarms with the alarm notices of the
 * trigger (see the module documentation for the rule).
 *
 * - A configured alarm that DescribeAlarms did not return (deleted, renamed, another region) is
 *   `INSUFFICIENT_DATA` with source `missing`: it blocks nothing, but it is no evidence of health
 *   for failback either.
 * - A notice without a state-change time counts as changed at `now` (the latest it can have
 *   changed), so it never makes a candidate look healthy for longer than it is known to be.
 * - A notice whose state changed more than `maxNoticeAgeMs` before `now` is ignored: Lambda
 *   redelivers failed and throttled asynchronous events for up to 6 hours.
 */
export function candidateAlarms(
  instanceId: string,
  configured: readonly string[],
  described: Readonly<Record<string, AlarmReading>>,
  notices: readonly AlarmNotice[],
  now: number,
  maxNoticeAgeMs = Infinity,
): CandidateAlarms {
  const verdicts = new Map<string, AlarmVerdict>();
  for (const alarmName of configured) {
    const r = described[alarmName];
    verdicts.set(alarmName, r
      ? { alarmName, state: r.state, source: 'described', changedAt: r.changedAt }
      : { alarmName, state: 'INSUFFICIENT_DATA', source: 'missing' });
  }
  for (const n of notices) {
    if (!configured.includes(n.alarmName) && !n.instanceIds.includes(instanceId)) continue;
    // Lambda redelivers asynchronous events for up to 6 hours: an old notice says nothing about now.
    if (n.changedAt !== undefined && now - n.changedAt > maxNoticeAgeMs) continue;
    const read = described[n.alarmName];
    if (!verdicts.has(n.alarmName) && read) {
      // A notice-only alarm (a status check alarm through SNS) that was described: read like a health alarm.
      verdicts.set(n.alarmName, { alarmName: n.alarmName, state: read.state, source: 'described', changedAt: read.changedAt });
    }
    const known = verdicts.get(n.alarmName);
    const changedAt = n.changedAt ?? now;
    const newer = !known || known.source === 'missing'
      || (known.source === 'event' && changedAt >= (known.changedAt ?? 0))
      || (n.changedAt !== undefined && known.changedAt !== undefined && n.changedAt > known.changedAt);
    if (newer) verdicts.set(n.alarmName, { alarmName: n.alarmName, state: n.state, source: 'event', changedAt });
  }
  const alarms = [...verdicts.values()];
  if (alarms.length === 0) return { alarms };
  const alarm = SEVERITY.find((s) => alarms.some((a) => a.state === s));
  const alarmSince = Math.max(...alarms.map((a) => a.changedAt ?? now));
  return { alarm, alarmSince, alarms };
}
