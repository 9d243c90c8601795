/**
 * Property runs: storms of launches and terminations, with lifecycle events that are lost,
 * redelivered and run concurrently, on a cloud with stale reads, throttling and slow attachments.
 * After a scheduled run, whatever happened before:
 * - every InService instance has exactly one management interface, attached at device index 1,
 *   in the management subnet of its own zone;
 * - no interface of ours is left that is not attached to an InService instance (no orphans);
 * - nothing the construct did not tag was ever touched (the harness enforces the IAM policy, and
 *   refuses with UnauthorizedOperation, which would fail the run).
 */
import * as fc from 'fast-check';
import { drive, GROUP, liveInterfaces, MemoryLogger, SETTINGS, StrictCloud, SUBNETS, VirtualClock } from './harness';
import { MGMT_TAGS } from '../../src/engine/management-interfaces/contract';
import { reconcileGroup, RunRequest } from '../../src/engine/management-interfaces/reconcile';

type Step =
  | { kind: 'launch'; az: string; lost: boolean; copies: number }
  | { kind: 'terminate'; pick: number; lost: boolean; copies: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'schedule' };

const AZS = Object.keys(SUBNETS);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('launch' as const), az: fc.constantFrom(...AZS), lost: fc.integer({ min: 0, max: 3 }).map((n) => n === 0), copies: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('terminate' as const), pick: fc.nat(), lost: fc.boolean(), copies: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1_000, max: 400_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('schedule' as const) }) },
);

const cloudOptions = fc.record({
  lagMs: fc.integer({ min: 0, max: 6_000 }),
  throttle: fc.constantFrom(0, 0.05, 0.15),
  honourClientToken: fc.boolean(),
  attachMs: fc.integer({ min: 500, max: 20_000 }),
  detachMs: fc.integer({ min: 500, max: 30_000 }),
  bootMs: fc.integer({ min: 5_000, max: 60_000 }),
  seed: fc.integer({ min: 1, max: 2_000_000 }),
});

describe('management interfaces: property runs', () => {
  test('storms of launches and terminations with lost, redelivered and concurrent events converge after a scheduled run', async () => {
    await fc.assert(fc.asyncProperty(cloudOptions, fc.array(step, { minLength: 1, maxLength: 14 }), async (o, steps) => {
      let seed = o.seed;
      const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      const clock = new VirtualClock();
      const cloud = new StrictCloud(clock, { groupName: GROUP, subnetsByAz: { ...SUBNETS }, ...o, random });
      const logger = new MemoryLogger();
      const foreign = [cloud.foreignInterface('subnet-0a'), cloud.foreignInterface('subnet-0b', { [MGMT_TAGS.GROUP]: 'other-group' })];
      const run = (request: RunRequest) => reconcileGroup(cloud, SETTINGS, clock, logger, request);

      for (const s of steps) {
        const runs: Promise<unknown>[] = [];
        if (s.kind === 'launch') {
          const id = cloud.launch(s.az);
          if (!s.lost) for (let c = 0; c < s.copies; c++) runs.push(run({ hint: { instanceId: id, transition: 'launch', eventTime: clock.now() } }));
        } else if (s.kind === 'terminate') {
          const candidates = cloud.inService();
          if (candidates.length === 0) continue;
          const id = candidates[s.pick % candidates.length];
          cloud.beginTermination(id);
          if (!s.lost) for (let c = 0; c < s.copies; c++) runs.push(run({ hint: { instanceId: id, transition: 'terminate', eventTime: clock.now() } }));
        } else if (s.kind === 'advance') {
          clock.advance(s.ms);
          cloud.tick();
        } else {
          runs.push(run({}));
        }
        // Runs of one step overlap; a run that hits its deadline is retried later by Lambda or the schedule.
        await drive(clock, ...runs);
      }

      // Every hook times out, every orphan ages past the grace period; then the schedule runs.
      clock.advance(20 * 60_000);
      cloud.tick();
      let last;
      for (let i = 0; i < 4; i++) {
        [last] = await drive(clock, run({}));
        if (last.outcome === 'converged' && last.performed.length === 0) break;
        clock.advance(60_000);
      }
      const truth = cloud.truth();
      const ours = liveInterfaces(cloud);
      for (const id of cloud.inService()) {
        const attached = ours.filter((n) => n.attachment?.instanceId === id);
        expect(attached).toHaveLength(1);
        expect(attached[0].attachment).toMatchObject({ deviceIndex: 1, status: 'attached' });
        expect(attached[0].subnetId).toEqual(SUBNETS[truth.instances[id].az as keyof typeof SUBNETS]);
      }
      const inService = new Set(cloud.inService());
      expect(ours.filter((n) => !n.attachment || !inService.has(n.attachment.instanceId)).map((n) => n.id)).toEqual([]);
      for (const f of foreign) {
        expect(cloud.mutations.join('\n')).not.toContain(f);
        expect(truth.enis[f].deleted).toBe(false);
      }
    }), { numRuns: 60 });
  });
});
