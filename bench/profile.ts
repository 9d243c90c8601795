/**
 * CPU profile of the synthesis benchmark: runs one variant at one size in a child process with the
 * V8 CPU profiler (what `node --cpu-prof` records) switched on after a warm-up, so that module
 * loading and compilation stay out of it, for several runs so that the steady state dominates.
 * Prints the functions with the most self time, and the most total time among this library's own
 * functions.
 *
 *   npx ts-node --project bench/tsconfig.json bench/profile.ts [--variant library] [--count 100] [--runs 5] [--top 25]
 *
 * The raw profile is kept (its path is printed) to open as a flame graph in Chrome DevTools.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as os from 'os';
import * as path from 'path';
import { VARIANTS, VariantName, buildBenchApp } from './dual-homed';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

/** Child: builds and synthesizes the app `runs` times after a warm-up, profiling only those runs. */
function child(variant: VariantName, count: number, runs: number, file: string): void {
  const once = (n: number) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
    buildBenchApp(variant, n, outdir).synth();
    fs.rmSync(outdir, { recursive: true, force: true });
  };
  once(Math.min(count, 10));
  once(count);
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) => session.post(method, params, (err) => {
    if (err) throw err;
  });
  // The inspector answers these synchronously in the same thread.
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: 250 });
  post('Profiler.start');
  for (let i = 0; i < runs; i++) once(count);
  session.post('Profiler.stop', (err, result) => {
    if (err) throw err;
    fs.writeFileSync(file, JSON.stringify(result.profile));
  });
  session.disconnect();
}

function shortUrl(url: string): string {
  const root = path.join(__dirname, '..');
  return url.replace(/^file:\/\//, '').replace(`${root}/`, '').replace(/^.*node_modules\//, '');
}

/**
 * A function by name and file. Line numbers are left out: they are those of the generated
 * JavaScript (transpiled TypeScript, minified aws-cdk-lib), not of the sources.
 */
function label(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} (${shortUrl(frame.url) || 'native'})`;
}

/** Self and total milliseconds per function (a function's total counts each sample once). */
function summarise(profile: CpuProfile): { self: Map<string, number>; total: Map<string, number>; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalMs = 0;
  const isProfilerCall = (id: number) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (byId.get(cur)!.callFrame.url === 'node:inspector') return true;
    }
    return false;
  };
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    // Starting and stopping the profiler is not synthesis.
    if (isProfilerCall(id)) return;
    totalMs += ms;
    const node = byId.get(id)!;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!.callFrame);
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + ms);
      }
    }
  });
  return { self, total, totalMs };
}

function table(title: string, rows: Array<[string, number]>, totalMs: number): string {
  const out = [`| ${title} | ms | % |`, '| --- | ---: | ---: |'];
  for (const [name, ms] of rows) out.push(`| \`${name}\` | ${ms.toFixed(0)} | ${(100 * ms / totalMs).toFixed(1)} |`);
  return out.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1] as VariantName, Number(args[2]), Number(args[3]), args[4]);
    return;
  }
  const variant = option(args, '--variant', 'library') as VariantName;
  if (!(variant in VARIANTS)) throw new Error(`--variant ${variant}: use one of ${Object.keys(VARIANTS).join(', ')}`);
  const count = Number(option(args, '--count', '100'));
  const runs = Number(option(args, '--runs', '5'));
  const top = Number(option(args, '--top', '25'));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cpuprof-')), `${variant}-${count}.cpuprofile`);
  execFileSync(process.execPath, ['-r', 'ts-node/register', __filename, '--child', variant, String(count), String(runs), file], {
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: 'inherit',
  });
  const { self, total, totalMs } = summarise(JSON.parse(fs.readFileSync(file, 'utf8')));
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  console.log(`CPU profile of ${variant}, ${count} instances, ${runs} runs after a warm-up: ${totalMs.toFixed(0)} ms sampled. Raw profile: ${file}`);
  console.log('');
  console.log(table('Self time', sorted(self).slice(0, top), totalMs));
  console.log('');
  const phases: Array<[string, RegExp]> = [
    ['construct: the app (buildBenchApp)', /^buildBenchApp \(bench\//],
    ['construct: creation stack trace of every L1 (captureStackTrace)', /^captureStackTrace \(aws-cdk-lib\/core\/lib\/stack-trace\.js/],
    ['construct: ec2.Instance constructor (Instance2)', /^Instance2 \(aws-cdk-lib\/aws-ec2\/lib\/instance\.js/],
    ['synth: app.synth()', /^synth \(aws-cdk-lib\/core\/lib\/stage\.js/],
    ['synth: prepare (references, dependencies)', /^prepareApp \(/],
    ['synth: aspects (Tags)', /^invokeAspectsV2? \(/],
    ['synth: validations (node.addValidation)', /^validateTree \(/],
    ['synth: template (Stack._toCloudFormation)', /^_toCloudFormation \(aws-cdk-lib\/core\/lib\/stack\.js/],
    ['synth: tree.json (_synthesizeTree)', /^_synthesizeTree \(/],
    ['(garbage collector)', /^\(garbage collector\)/],
  ];
  const phaseRows = phases.map(([name, re]): [string, number] =>
    [name, [...total.entries()].filter(([k]) => re.test(k)).reduce((sum, [, ms]) => sum + ms, 0)]);
  console.log(table('Total time, by phase', phaseRows, totalMs));
  console.log('');
  console.log(table('Total time, this library (src/)', sorted(total).filter(([k]) => /\(src\//.test(k)).slice(0, top), totalMs));
}

main();
