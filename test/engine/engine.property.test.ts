import * as fc from 'fast-check';
import { drive, MemoryLogger, StrictCloudWatch, StrictEc2, VirtualClock } from './harness';
import { AlarmPort } from '../../src/engine/alarm-port';
import { AlarmState, classify, FailoverPolicy } from '../../src/engine/decide';
import { Ec2Port } from '../../src/engine/ec2-port';
import { Clock, reconcile, ReconcileResult } from '../../src/engine/engine';
import { AlarmNotice } from '../../src/engine/health-alarms';

const ENI = 'eni-0f0f0f0f0f0f0f0f0';
const IDS = ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c'];
const AZS = ['us-east-1a', 'us-east-1a', 'us-east-1b'];
/** One health probe alarm per candidate, read by every run. */
const PROBES = IDS.map((_, n) => `probe-${n}`);
const HEALTH_ALARMS = Object.fromEntries(IDS.map((id, n) => [id, [PROBES[n]]]));

type Step =
  | { kind: 'fail'; who: number; how: 'stop' | 'impair' | 'terminate' }
  | { kind: 'recover'; who: number; how: 'start' | 'pass' | 'heal' }
  | { kind: 'alarm'; who: number; state: AlarmState }
  | { kind: 'trigger'; deadlineSeconds: number }
  | { kind: 'block'; who: number }
  | { kind: 'crash'; afterCalls: number }
  | { kind: 'concurrent'; gapMs: number }
  | { kind: 'time'; ms: number }
  | { kind: 'notice'; who: number; state: AlarmState; ageMs: number };

const who = fc.integer({ min: 0, max: 2 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('fail' as const), who, how: fc.constantFrom('stop' as const, 'stop' as const, 'impair' as const, 'terminate' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('recover' as const), who, how: fc.constantFrom('start' as const, 'pass' as const, 'heal' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('alarm' as const), who, state: fc.constantFrom<AlarmState>('OK', 'ALARM', 'INSUFFICIENT_DATA') }) },
  // Short deadlines (1-3 s) end runs in the middle of a move: the deadline may stop a detach from
  // starting, never an attach after this run's own detach.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('trigger' as const), deadlineSeconds: fc.constantFrom(300, 300, 3, 2, 1) }) },
  // The device index of a candidate refuses attaches without showing an interface (after a forced detach).
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('block' as const), who }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('crash' as const), afterCalls: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('concurrent' as const), gapMs: fc.integer({ min: 0, max: 4000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.oneof(fc.integer({ min: 0, max: 600_000 }), fc.constant(3_700_000)) }) },
  // An alarm notice carried by the next trigger: fresh (the alarm changed state), or an old one
  // redelivered hours later (Lambda async retries) that contradicts the current state.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('notice' as const), who, state: fc.constantFrom<AlarmState>('OK', 'ALARM'), ageMs: fc.constantFrom(0, 7_200_000) }) },
);

const scenario = fc.record({
  steps: fc.array(step, { minLength: 1, maxLength: 14 }),
  startAttached: fc.boolean(),
  failback: fc.boolean(),
  failbackAfterSeconds: fc.constantFrom(0, 120),
  latencyMs: fc.constantFrom(0, 20, 200),
  /** Forced detaches leave the old holder's device index unusable until a stop and start, as AWS warns. */
  forceDetachBlocksIndex: fc.boolean(),
  /** Eventual consistency: a describe right after a change may show the state before it. */
  readLagMs: fc.constantFrom(0, 0, 1_500, 4_000),
  /** Detaches that take seconds or minutes. */
  detachMs: fc.constantFrom(3_000, 3_000, 90_000),
  /** Stop the old holder after a forced detach (fencing). */
  fence: fc.boolean(),
});

/** Ports whose calls stop returning after `afterCalls` calls (EC2 and CloudWatch together): the run is killed mid-flight. */
function killable(port: Ec2Port, alarms: AlarmPort, afterCalls: number): { port: Ec2Port; alarms: AlarmPort; clock: (c: VirtualClock) => Clock } {
  let calls = 0;
  const dead = () => calls >= afterCalls;
  const never = <T>() => new Promise<T>(() => undefined);
  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    if (dead()) return never<T>();
    calls++;
    return fn();
  };
  return {
    port: {
      describeNetworkInterface: (id) => guard(() => port.describeNetworkInterface(id)),
      describeCandidates: (ids) => guard(() => port.describeCandidates(ids)),
      attach: (e, i, d) => guard(() => port.attach(e, i, d)),
      detach: (a, f) => guard(() => port.detach(a, f)),
      tagNetworkInterface: (e, t) => guard(() => port.tagNetworkInterface(e, t)),
      untagNetworkInterface: (e, k) => guard(() => port.untagNetworkInterface(e, k)),
      stopInstance: (i) => guard(() => port.stopInstance(i)),
    },
    alarms: { describeAlarmStates: (names) => guard(() => alarms.describeAlarmStates(names)) },
    clock: (c) => ({ now: () => c.now(), sleep: (ms) => (dead() ? never<void>() : c.sleep(ms)) }),
  };
}

describe('engine properties over random failures, stale reads, slow detaches, forgotten instances, old notices, crashes and concurrent runs', () => {
  test('with every documented fault: the ENI ends on a healthy same-AZ candidate when one exists, never free by a run\'s own hand, no healthy holder is force-detached, nothing is fenced while the ENI is not on another running candidate, at most one move per change of health', async () => {
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      const clock = new VirtualClock();
      const ec2 = new StrictEc2(clock, {
        latencyMs: s.latencyMs, forceDetachBlocksIndex: s.forceDetachBlocksIndex, readLagMs: s.readLagMs, detachMs: s.detachMs,
      });
      IDS.forEach((id, n) => ec2.addInstance(id, AZS[n]));
      ec2.addEni(ENI, 'us-east-1a', s.startAttached ? { instanceId: IDS[0], deviceIndex: 1 } : undefined);
      const cw = new StrictCloudWatch(clock, s.latencyMs);
      PROBES.forEach((p) => cw.setAlarm(p, 'OK'));
      const policy: FailoverPolicy = { failback: s.failback, failbackAfterSeconds: s.failbackAfterSeconds };
      const config = { eniId: ENI, candidates: IDS, deviceIndex: 1, policy, deadlineSeconds: 300, healthAlarms: HEALTH_ALARMS, fence: s.fence };
      // Fencing stops an instance only while the ENI is attached to another candidate that runs.
      const badFences: string[] = [];
      const stop = ec2.stopInstance.bind(ec2);
      ec2.stopInstance = async (id: string) => {
        const a = ec2.attachment(ENI);
        const placed = a?.state === 'attached' && a.instanceId !== id && ec2.knows(a.instanceId) && ec2.instance(a.instanceId).state === 'running';
        if (!placed) badFences.push(`${id} stopped while the ENI is ${a ? `${a.state} on ${a.instanceId}` : 'free'}`);
        return stop(id);
      };
      const logger = new MemoryLogger();
      let notices: AlarmNotice[] = [];
      const run = (port: Ec2Port = ec2, c: Clock = clock, alarms: AlarmPort = cw, deadlineSeconds = 300) =>
        reconcile({ ...config, deadlineSeconds, alarmNotices: notices }, port, { clock: c, logger, alarms });
      /** Detaches since the last real change of health (or of what EC2 allows), and refusals in that time. */
      let segment = { detaches: ec2.mutations.length, refusals: ec2.refusals.length };
      const newSegment = () => { segment = { detaches: ec2.mutations.length, refusals: ec2.refusals.length }; };
      const noFlapping = () => {
        // Each accepted attach puts the ENI on an instance: one move (concurrent runs' duplicate
        // detaches of one attachment are one move, and a duplicate attach is refused as InUse).
        const moves = ec2.mutations.slice(segment.detaches).filter((m) => m.op === 'attach').length;
        // A target that refuses the attach costs one try (and a give-back); nothing else may move twice.
        const refused = ec2.refusals.slice(segment.refusals).filter((r) => r.op === 'attach' && r.code === 'InvalidParameterValue').length;
        expect(moves).toBeLessThanOrEqual(1 + refused);
      };

      const health = (id: string) => {
        if (!ec2.knows(id)) return 'unhealthy';
        const i = ec2.instance(id);
        const alarm = cw.state(PROBES[IDS.indexOf(id)]);
        return classify({ instanceId: id, availabilityZone: i.availabilityZone, state: i.state, statusChecks: i.statusChecks, alarm });
      };
      const healthySameAz = () => IDS.filter((id, n) => AZS[n] === 'us-east-1a' && health(id) === 'healthy');
      /** Healthy candidates that can really take the ENI (their device index is not blocked). */
      const usable = () => healthySameAz().filter((id) => !ec2.isBlocked(id, 1));

      const check = (results: ReconcileResult[], before: { holder?: string; free: boolean }, complete = true) => {
        const a = ec2.attachment(ENI);
        // A running holder with passing status checks is never force-detached.
        expect(ec2.forcedFromHealthy).toEqual([]);
        expect(badFences).toEqual([]);
        noFlapping();
        // Never across AZs: the strict harness would have refused, and nothing was refused for that.
        expect(ec2.refusals.filter((r) => r.message.includes(' is in us-east-1'))).toEqual([]);
        if (a) expect(AZS[IDS.indexOf(a.instanceId)]).toBe('us-east-1a');
        // The ENI never ends free by a run's own hand while a healthy candidate can take it, whatever
        // the deadline: a run that detached attaches (or is attaching) before it returns. A graceful
        // detach from a holder that has not failed may take minutes and is never forced: such a run
        // reports the deadline with the detach still under way, and the next run attaches.
        for (const r of results) {
          if (r.action === 'move' && usable().length > 0) {
            expect(a === undefined || (a.state === 'detaching' && r.outcome !== 'deadline-exceeded')).toBe(false);
          }
        }
        if (!complete) return;
        if (usable().length > 0) {
          for (const r of results) expect(['converged', 'waited', 'noop']).toContain(r.outcome);
          expect(a?.state).toBe('attached');
          expect(health(a!.instanceId)).not.toBe('unhealthy');
        } else if (healthySameAz().length > 0) {
          // Every healthy candidate refuses the attach: the runs say so loudly.
          for (const r of results) expect(['converged', 'waited', 'noop', 'error']).toContain(r.outcome);
          for (const r of results.filter((x) => x.outcome === 'error')) expect(r.message).toMatch(/^attach refused by /);
        } else if (before.holder) {
          // Nowhere to go: the holder keeps the ENI.
          expect(a?.instanceId).toBe(before.holder);
          // A holder whose checks are still initializing is kept (noop); otherwise it is reported.
          const expected = health(before.holder) === 'starting' ? 'noop' : 'no-healthy';
          for (const r of results) expect(r.outcome).toBe(expected);
        }
        if (!policy.failback && before.holder && health(before.holder) === 'healthy') {
          expect(a?.instanceId).toBe(before.holder);
        }
      };
      const settledHolder = () => {
        const a = ec2.attachment(ENI);
        return { holder: a?.state === 'attached' ? a.instanceId : undefined, free: !a };
      };

      for (const st of [...s.steps, { kind: 'trigger' as const, deadlineSeconds: 300 }]) {
        if (!['trigger', 'crash', 'concurrent', 'notice'].includes(st.kind)) newSegment();
        switch (st.kind) {
          case 'fail': {
            const id = IDS[st.who];
            if (!ec2.knows(id) || ec2.instance(id).state === 'terminated') break;
            if (st.how === 'stop') ec2.stop(id);
            else if (st.how === 'impair') ec2.impair(id);
            else ec2.terminate(id);
            break;
          }
          case 'recover': {
            const id = IDS[st.who];
            if (!ec2.knows(id)) break;
            const i = ec2.instance(id);
            if (i.state === 'terminated') break;
            if (st.how === 'start' && i.state !== 'running') ec2.start(id);
            if (st.how === 'pass' && i.state === 'running') ec2.pass(id);
            if (st.how === 'heal' && i.statusChecks === 'impaired') ec2.pass(id);
            break;
          }
          case 'time':
            clock.advance(st.ms);
            break;
          case 'alarm':
            cw.setAlarm(PROBES[st.who], st.state);
            break;
          case 'block':
            ec2.blockIndex(IDS[st.who], 1);
            break;
          case 'notice': {
            const alarmName = PROBES[st.who];
            const state: AlarmState = st.ageMs === 0 ? st.state : cw.state(alarmName) === 'ALARM' ? 'OK' : 'ALARM';
            if (st.ageMs === 0) {
              cw.setAlarm(alarmName, state);
              newSegment();
            }
            notices = [{ alarmName, state, instanceIds: [IDS[st.who]], changedAt: clock.now() - st.ageMs }];
            break;
          }
          case 'crash': {
            const k = killable(ec2, cw, st.afterCalls);
            void run(k.port, k.clock(clock), k.alarms);
            // Let the dying run make its calls; its transitions keep going without it.
            await drive(clock, clock.sleep(1000));
            break;
          }
          case 'trigger': {
            const before = settledHolder();
            check(await drive(clock, run(ec2, clock, cw, st.deadlineSeconds)), before, st.deadlineSeconds >= 300);
            break;
          }
          case 'concurrent': {
            const before = settledHolder();
            const second = clock.sleep(st.gapMs).then(() => run());
            check(await drive(clock, run(), second), before);
            break;
          }
        }
      }
    }), { numRuns: 200, seed: 20261129 });
  });
});
