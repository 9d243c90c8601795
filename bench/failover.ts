/**
 * Failover benchmark: what each trigger costs from failure to "ENI attached on the standby".
 *
 * - Engine: the real reconcile engine against the strict EC2 harness with AWS-like latencies
 *   (virtual time, so the figures are deterministic): EC2 API calls, polls and time per scenario,
 *   plus the engine's own CPU time measured in real time while the virtual waits cost nothing.
 * - Detection: how long each trigger takes to notice the failure, from AWS documentation.
 * - Lambda: bundle size and cold initialisation (module load in a fresh Node.js process).
 *
 * Run: npx ts-node --project bench/tsconfig.json bench/failover.ts  (or `npx projen bench`)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { reconcile } from '../src/engine/engine';
import { drive, MemoryLogger, StrictCloudWatch, StrictEc2, VirtualClock } from '../test/engine/harness';

const ENI = 'eni-0123456789abcdef0';
const PRIMARY = 'i-0000000000000000a';
const STANDBY = 'i-0000000000000000b';

/**
 * AWS-like latencies. EC2 API calls take 100-300 ms; attaching and detaching an ENI usually completes
 * in a few seconds (a force detach from a stopped instance is faster than a graceful one).
 */
const LATENCY = { latencyMs: 150, attachMs: 3000, detachMs: 5000, forceDetachMs: 2000 };

interface Scenario {
  readonly name: string;
  /** How the trigger notices the failure, and in how long. */
  readonly detection: string;
  readonly detectionSeconds: [number, number];
  readonly fail: (ec2: StrictEc2, cw: StrictCloudWatch) => void;
  /** Read the candidates' probe alarms (HEALTH_ALARMS) in the run. */
  readonly healthAlarms?: boolean;
}

const HEALTH_ALARMS = { [PRIMARY]: ['primary-probe'], [STANDBY]: ['standby-probe'] };

const SCENARIOS: Scenario[] = [
  {
    name: 'EC2 state-change event (primary stopped)',
    detection: 'EventBridge delivers the state change (seconds)',
    detectionSeconds: [1, 10],
    fail: (ec2) => ec2.stop(PRIMARY),
  },
  {
    name: 'status-check alarm -> SNS (primary impaired)',
    detection: 'status checks every 60 s, alarm 2 x 60 s periods, SNS delivery',
    detectionSeconds: [120, 180],
    fail: (ec2) => ec2.impair(PRIMARY),
  },
  {
    name: 'health probe alarm (application hung)',
    detection: 'probe every 60 s, alarm 2 x 60 s periods',
    detectionSeconds: [120, 180],
    fail: (_ec2, cw) => cw.setAlarm('primary-probe', 'ALARM'),
    healthAlarms: true,
  },
  {
    name: 'schedule (anything missed, e.g. terminated)',
    detection: 'next scheduled run (rate 5 minutes)',
    detectionSeconds: [0, 300],
    fail: (ec2) => ec2.terminate(PRIMARY),
  },
];

interface EngineFigures {
  /**
   * The least time any engine could take: one round trip per call besides polls, the attach/detach
   * transitions, and one poll round trip to see each transition end.
   */
  readonly ec2Seconds: number;
  readonly calls: number;
  readonly polls: number;
  readonly engineSeconds: number;
  readonly cpuMs: number;
  readonly outcome: string;
}

async function runScenario(s: Scenario): Promise<EngineFigures> {
  const clock = new VirtualClock();
  const ec2 = new StrictEc2(clock, LATENCY)
    .addInstance(PRIMARY, 'eu-west-1a')
    .addInstance(STANDBY, 'eu-west-1a')
    .addEni(ENI, 'eu-west-1a', { instanceId: PRIMARY, deviceIndex: 1 });
  const cw = new StrictCloudWatch(clock, LATENCY.latencyMs).setAlarm('primary-probe', 'OK').setAlarm('standby-probe', 'OK');
  s.fail(ec2, cw);
  const started = process.hrtime.bigint();
  const [result] = await drive(clock, reconcile({
    eniId: ENI,
    candidates: [PRIMARY, STANDBY],
    deviceIndex: 1,
    policy: { failback: false, failbackAfterSeconds: 300 },
    deadlineSeconds: 120,
    healthAlarms: s.healthAlarms ? HEALTH_ALARMS : undefined,
    trigger: s.name,
  }, ec2, { clock, logger: new MemoryLogger(), alarms: cw }));
  const cpuMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (ec2.holder(ENI) !== STANDBY) {
    throw new Error(`${s.name}: the ENI ended on ${ec2.holder(ENI) ?? 'nothing'}, not the standby`);
  }
  const transitionsMs = ec2.mutations.reduce((sum, m) =>
    sum + (m.op === 'attach' ? LATENCY.attachMs : m.detail.endsWith('(force)') ? LATENCY.forceDetachMs : LATENCY.detachMs), 0);
  return {
    ec2Seconds: (transitionsMs + (result.apiCalls - result.polls + ec2.mutations.length) * LATENCY.latencyMs) / 1000,
    calls: result.apiCalls - result.polls,
    polls: result.polls,
    engineSeconds: result.durationMs / 1000,
    cpuMs,
    outcome: result.outcome,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Module load time of the bundled handler in fresh Node.js processes, minus an empty process. */
function coldInitMs(bundle: string, runs = 7): number {
  const time = (code: string) => {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', code], { cwd: path.dirname(bundle), stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const load = `require(${JSON.stringify(bundle)})`;
  const base = median(Array.from({ length: runs }, () => time('')));
  const withHandler = median(Array.from({ length: runs }, () => time(load)));
  return withHandler - base;
}

export async function failoverTables(): Promise<string> {
  const lines: string[] = [];
  lines.push('### Failover: trigger to ENI attached on the standby');
  lines.push('');
  lines.push(`Engine against the strict EC2 harness with AWS-like latencies (API ${LATENCY.latencyMs} ms, ` +
    `attach ${LATENCY.attachMs / 1000} s, graceful detach ${LATENCY.detachMs / 1000} s, force detach ${LATENCY.forceDetachMs / 1000} s).`);
  lines.push('');
  lines.push('"EC2 time" is the least any engine could take: a round trip per call, the attach/detach transitions, and one');
  lines.push('poll to see each transition end. "Engine adds" is the rest: polls that overshoot a transition, plus engine CPU.');
  lines.push('');
  lines.push('| trigger | detection | EC2 calls (besides polls) | polls | engine time | EC2 time | engine adds | engine CPU | detection + engine |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of SCENARIOS) {
    // Warm up once so the CPU figure is not JIT start-up.
    await runScenario(s);
    const runs = await Promise.all([0, 1, 2, 3, 4].map(() => runScenario(s)));
    const f = runs[0];
    const cpu = median(runs.map((r) => r.cpuMs));
    const [lo, hi] = s.detectionSeconds;
    const adds = f.engineSeconds - f.ec2Seconds + cpu / 1000;
    lines.push(`| ${s.name} | ${s.detection} | ${f.calls} | ${f.polls} | ${f.engineSeconds.toFixed(2)} s | ${f.ec2Seconds.toFixed(2)} s | ` +
      `${adds.toFixed(2)} s | ${cpu.toFixed(1)} ms | ` +
      `${(lo + f.engineSeconds).toFixed(0)}-${(hi + f.engineSeconds).toFixed(0)} s |`);
  }

  const bundle = path.join(__dirname, '..', 'assets', 'failover', 'reconcile.lambda', 'index.js');
  lines.push('');
  lines.push('### Failover Lambda');
  lines.push('');
  if (fs.existsSync(bundle)) {
    const bytes = fs.statSync(bundle).size;
    lines.push('| bundle | size | cold init (module load, median of 7) |');
    lines.push('| --- | ---: | ---: |');
    lines.push(`| reconcile.lambda (AWS SDK from the runtime) | ${(bytes / 1024).toFixed(0)} KiB | ${coldInitMs(bundle).toFixed(0)} ms |`);
  } else {
    lines.push('(bundle missing: run `npx projen bundle` first)');
  }
  return lines.join('\n');
}

if (require.main === module) {
  failoverTables().then((t) => console.log(t), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
