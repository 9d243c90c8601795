/**
 * Failover benchmark: what each trigger costs from failure to "ENI attached on the standby".
 *
 * - Engine: the real reconcile engine against the strict EC2 harness with AWS-like latencies
 *   (virtual time, so the figures are deterministic): EC2 API calls, polls and time per scenario,
 *   plus the engine's own CPU time measured in real time while the virtual waits cost nothing.
 * - Detection: how long each trigger takes to notice the failure, from AWS documentation.
 * - Faults: the same failover under each fault EC2 and Lambda document (stale reads, slow detaches,
 *   throttling, forgotten instances, concurrent runs, blocked device indexes, redelivered notices):
 *   time to converge, EC2 calls, moves and flaps (must be 0).
 * - Lambda: cold initialisation (module load in a fresh Node.js process), AWS SDK external versus bundled.
 *
 * Run: npx ts-node --project bench/tsconfig.json bench/failover.ts  (or `npx projen bench`)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { reconcile } from '../src/engine/engine';
import { AlarmNotice } from '../src/engine/health-alarms';
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
  const moves = ec2.mutations.filter((m) => m.op === 'attach' || m.op === 'detach');
  const transitionsMs = moves.reduce((sum, m) =>
    sum + (m.op === 'attach' ? LATENCY.attachMs : m.detail.endsWith('(force)') ? LATENCY.forceDetachMs : LATENCY.detachMs), 0);
  return {
    ec2Seconds: (transitionsMs + (result.apiCalls - result.polls + moves.length) * LATENCY.latencyMs) / 1000,
    calls: result.apiCalls - result.polls,
    polls: result.polls,
    engineSeconds: result.durationMs / 1000,
    cpuMs,
    outcome: result.outcome,
  };
}

/** A fault of EC2 or Lambda as documented, applied to a failover scenario (primary stopped unless said). */
interface Fault {
  readonly name: string;
  readonly options?: ConstructorParameters<typeof StrictEc2>[1];
  readonly setUp?: (ec2: StrictEc2, clock: VirtualClock) => void;
  /** Runs started at once (concurrent triggers). @default 1 */
  readonly runs?: number;
  readonly notices?: (clock: VirtualClock) => AlarmNotice[];
  /** Where the ENI must end. @default STANDBY */
  readonly expect?: string;
  /** Failback runs after the failover (a scheduled run every 5 minutes, 3 times). */
  readonly failbackRuns?: number;
}

const FAULTS: Fault[] = [
  { name: 'none (primary stopped)' },
  { name: 'stale reads after writes (4 s)', options: { readLagMs: 4000 } },
  {
    // A graceful detach (application alarm, instance running with passing checks) is never forced.
    name: 'graceful detach takes 2 minutes (application alarm)',
    options: { detachMs: 120_000 },
    setUp: (ec2) => ec2.start(PRIMARY).pass(PRIMARY),
    notices: (clock) => [{ alarmName: 'primary-app', state: 'ALARM', instanceIds: [PRIMARY], changedAt: clock.now() }],
  },
  { name: 'throttling (3 x RequestLimitExceeded)', setUp: (ec2) => ec2.throttle(3) },
  { name: 'primary terminated and forgotten (NotFound)', setUp: (ec2, clock) => { ec2.terminate(PRIMARY); clock.advance(3_700_000); } },
  { name: 'two concurrent runs', runs: 2 },
  { name: 'primary impaired; forced detach blocks its index; then 3 failback runs', setUp: (ec2) => ec2.impair(PRIMARY), options: { forceDetachBlocksIndex: true }, failbackRuns: 3 },
  {
    name: 'redelivered ALARM notice 3 h old, primary healthy',
    setUp: (ec2) => ec2.start(PRIMARY).pass(PRIMARY),
    notices: (clock) => [{ alarmName: 'primary-status', state: 'ALARM', instanceIds: [PRIMARY], changedAt: clock.now() - 3 * 3_600_000 }],
    expect: PRIMARY,
  },
];

interface FaultFigures {
  readonly seconds: number;
  readonly calls: number;
  readonly moves: number;
  readonly flaps: number;
  readonly outcome: string;
}

async function runFault(f: Fault): Promise<FaultFigures> {
  const clock = new VirtualClock();
  const ec2 = new StrictEc2(clock, { ...LATENCY, ...f.options })
    .addInstance(PRIMARY, 'eu-west-1a')
    .addInstance(STANDBY, 'eu-west-1a')
    .addEni(ENI, 'eu-west-1a', { instanceId: PRIMARY, deviceIndex: 1 });
  ec2.stop(PRIMARY);
  f.setUp?.(ec2, clock);
  const cw = new StrictCloudWatch(clock, LATENCY.latencyMs);
  const config = (failback: boolean) => ({
    eniId: ENI,
    candidates: [PRIMARY, STANDBY],
    deviceIndex: 1,
    policy: { failback, failbackAfterSeconds: 0 },
    deadlineSeconds: 300,
    alarmNotices: f.notices?.(clock),
    trigger: f.name,
  });
  const start = clock.now();
  const failover = () => reconcile(config(false), ec2, { clock, logger: new MemoryLogger(), alarms: cw });
  const results = await drive(clock, ...Array.from({ length: f.runs ?? 1 }, failover));
  const seconds = (clock.now() - start) / 1000;
  const attachesAfterFailover = ec2.mutations.filter((m) => m.op === 'attach').length;
  if (f.failbackRuns) {
    ec2.pass(PRIMARY);
    for (let i = 0; i < f.failbackRuns; i++) {
      clock.advance(300_000);
      await drive(clock, reconcile(config(true), ec2, { clock, logger: new MemoryLogger(), alarms: cw }));
    }
  }
  if (ec2.holder(ENI) !== (f.expect ?? STANDBY)) throw new Error(`${f.name}: the ENI ended on ${ec2.holder(ENI) ?? 'nothing'}`);
  const attaches = ec2.mutations.filter((m) => m.op === 'attach').length;
  return {
    seconds,
    calls: ec2.totalCalls,
    moves: attaches,
    // A flap: a move beyond the one the change of health asks for.
    flaps: Math.max(0, attachesAfterFailover - (f.expect === PRIMARY ? 0 : 1)) + (attaches - attachesAfterFailover),
    outcome: results.map((r) => r.outcome).join(', '),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Module load time of a bundle, measured inside a fresh Node.js process (so process start-up is not counted). */
function loadMs(bundle: string): number {
  const code = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  return Number(execFileSync(process.execPath, ['-e', code], { cwd: path.dirname(bundle), encoding: 'utf8' }));
}

/**
 * The reconcile handler packaged two ways, built here with the project's esbuild: the AWS SDK left
 * external (as the Lambda Node.js runtime provides it, loaded from node_modules) and bundled (ESM
 * entry points, tree-shaken, minified). Loads alternate so machine load hits both alike.
 */
function coldInit(runs = 9): { name: string; bytes: number; ms: number }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eni-failover-cold-'));
  const entry = path.join(__dirname, '..', 'src', 'engine', 'reconcile.lambda.ts');
  const variants = [
    { name: 'AWS SDK external (the runtime\'s)', file: path.join(__dirname, '..', 'node_modules', '.cold-external.js'), args: ['--external:@aws-sdk/*'] },
    { name: 'AWS SDK bundled, tree-shaken, minified', file: path.join(dir, 'bundled.js'), args: ['--main-fields=module,main', '--minify'] },
  ];
  for (const v of variants) {
    execFileSync(require.resolve('esbuild/bin/esbuild'), ['--bundle', entry, '--platform=node', '--target=node22', '--format=cjs',
      `--outfile=${v.file}`, '--log-level=warning', ...v.args]);
  }
  const times: number[][] = variants.map(() => []);
  for (let i = 0; i < runs; i++) variants.forEach((v, n) => times[n].push(loadMs(v.file)));
  const out = variants.map((v, n) => ({ name: v.name, bytes: fs.statSync(v.file).size, ms: median(times[n]) }));
  fs.rmSync(variants[0].file);
  fs.rmSync(dir, { recursive: true });
  return out;
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

  lines.push('');
  lines.push('### Failover under the faults EC2 and Lambda document');
  lines.push('');
  lines.push('Primary stopped (unless said), ENI on it, failback off for the failover run; virtual time, so the figures are exact.');
  lines.push('"Moves" counts accepted attaches; "flaps" counts moves beyond the one the change of health asks for (must be 0).');
  lines.push('');
  lines.push('| fault | time to converge | EC2 calls (all, incl. polls and tags) | moves | flaps | outcome |');
  lines.push('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const f of FAULTS) {
    const r = await runFault(f);
    lines.push(`| ${f.name} | ${r.seconds.toFixed(1)} s | ${r.calls} | ${r.moves} | ${r.flaps} | ${r.outcome} |`);
  }

  lines.push('');
  lines.push('### Failover Lambda: cold init (module load in a fresh Node.js process, median of 9, this machine)');
  lines.push('');
  lines.push('| packaging | size | module load |');
  lines.push('| --- | ---: | ---: |');
  for (const v of coldInit()) lines.push(`| ${v.name} | ${(v.bytes / 1024).toFixed(0)} KiB | ${v.ms.toFixed(0)} ms |`);
  return lines.join('\n');
}

if (require.main === module) {
  failoverTables().then((t) => console.log(t), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
