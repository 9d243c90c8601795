/**
 * Management-interface benchmark for DualHomedAutoScalingGroup: time from "Auto Scaling launched the
 * instance" to "its management interface is attached at device index 1" (and the launch hook
 * completed), with the real decision and loop against the strict harness on virtual time, so the
 * figures are deterministic and measure the design, not this machine.
 *
 * Modelled latencies (virtual):
 * - EventBridge delivers the lifecycle event 1 s after the launch (events usually arrive within
 *   seconds), and the Lambda invocation adds 0.5 s (a cold start of the bundle);
 * - every EC2 / Auto Scaling API call takes 150 ms (typical 100-300 ms);
 * - an instance is `pending` for 20 s before EC2 accepts an attachment (typical 10-30 s);
 * - an attachment is `attaching` for 3 s; reads are stale by 1 s (eventual consistency) unless stated;
 * - the scheduled repair runs every 5 minutes: a lost event waits for it, 150 s on average.
 *
 * Run: npx ts-node --project bench/tsconfig.json bench/management-interfaces.ts
 */
import { reconcileGroup } from '../src/engine/management-interfaces/reconcile';
import { drive, GROUP, MemoryLogger, SETTINGS, StrictCloud, StrictCloudOptions, SUBNETS, VirtualClock } from '../test/management-interfaces/harness';

const DELIVERY_MS = 1_000 + 500;
const BASE: Partial<StrictCloudOptions> = { callMs: 150, bootMs: 20_000, attachMs: 3_000, lagMs: 1_000 };

interface Row { name: string; launches: number; meanS: number; maxS: number; calls: number; creates: number }

async function scenario(name: string, launches: number, options: Partial<StrictCloudOptions>, mode: 'event' | 'lost' = 'event'): Promise<Row> {
  const clock = new VirtualClock();
  const cloud = new StrictCloud(clock, { groupName: GROUP, subnetsByAz: { ...SUBNETS }, ...BASE, ...options });
  const start = clock.now();
  const azs = Object.keys(SUBNETS);
  const ids = Array.from({ length: launches }, (_, i) => cloud.launch(azs[i % azs.length]));
  const readyAt = new Map<string, number>();
  const logger = new MemoryLogger();
  const runFor = async (id: string) => {
    await clock.sleep(DELIVERY_MS);
    await reconcileGroup(cloud, SETTINGS, clock, logger, { hint: { instanceId: id, transition: 'launch', eventTime: start } });
    readyAt.set(id, clock.now());
  };
  if (mode === 'event') {
    await drive(clock, ...ids.map(runFor));
  } else {
    // The event is lost: the next scheduled run (150 s later on average) repairs the instance.
    await drive(clock, (async () => { await clock.sleep(150_000); await reconcileGroup(cloud, SETTINGS, clock, logger, {}); })());
    for (const id of ids) readyAt.set(id, clock.now());
  }
  const times = ids.map((id) => (readyAt.get(id)! - start) / 1000);
  const calls = Object.values(cloud.calls).reduce((a, b) => a + b, 0);
  return {
    name,
    launches,
    meanS: times.reduce((a, b) => a + b, 0) / times.length,
    maxS: Math.max(...times),
    calls,
    creates: cloud.mutations.filter((m) => m.startsWith('create')).length,
  };
}

async function main(): Promise<void> {
  const rows = [
    await scenario('one launch, event delivered', 1, {}),
    await scenario('one launch, reads 5 s stale', 1, { lagMs: 5_000 }),
    await scenario('one launch, event delivered twice', 1, {}).then(async () => scenarioTwice()),
    await scenario('storm: 12 launches at once', 12, {}),
    await scenario('storm: 12 launches, 10% throttled calls', 12, { throttle: 0.1, random: lcg(42) }),
    await scenario('one launch, event lost (scheduled repair)', 1, {}, 'lost'),
  ];
  console.log('| Scenario | Launches | Launch to interface ready, mean (s) | max (s) | API calls | Interfaces created |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.launches} | ${r.meanS.toFixed(1)} | ${r.maxS.toFixed(1)} | ${r.calls} | ${r.creates} |`);
  }
}

/** Two deliveries of one event, run concurrently, with client tokens ignored (worst case). */
async function scenarioTwice(): Promise<Row> {
  const clock = new VirtualClock();
  const cloud = new StrictCloud(clock, { groupName: GROUP, subnetsByAz: { ...SUBNETS }, ...BASE, honourClientToken: false });
  const start = clock.now();
  const id = cloud.launch('eu-west-1a');
  const run = async () => {
    await clock.sleep(DELIVERY_MS);
    return reconcileGroup(cloud, SETTINGS, clock, new MemoryLogger(), { hint: { instanceId: id, transition: 'launch', eventTime: start } });
  };
  await drive(clock, run(), run());
  const calls = Object.values(cloud.calls).reduce((a, b) => a + b, 0);
  const s = (clock.now() - start) / 1000;
  return { name: 'one launch, event delivered twice, client tokens ignored', launches: 1, meanS: s, maxS: s, calls, creates: cloud.mutations.filter((m) => m.startsWith('create')).length };
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 48271) % 2147483647) / 2147483647);
}

main().catch((e) => { console.error(e); process.exit(1); });
