/**
 * Synthesis benchmark: stacks of N dual-homed instances built with this library against the same
 * topology written by hand with L1 resources, measured in the same run. Each (variant, N) runs in
 * one process per size with the variants alternated (timing), and in a process of its own per
 * variant and size (memory), so that neither figure is polluted by the other runs.
 *
 *   npx ts-node --project bench/tsconfig.json bench/synth.ts [--sizes 1,10,50,100,200] [--runs 5]
 *
 * Prints markdown tables. Timings depend on the machine: compare the ratio, not the milliseconds. On a
 * shared machine the CPU-time ratio is steadier than the wall-clock one (other processes stretch
 * wall-clock time, not CPU time).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { VARIANTS, VariantName, buildBenchApp } from './dual-homed';

/** CloudFormation's limit of resources per stack. */
const CFN_RESOURCE_LIMIT = 500;

interface Timing {
  readonly count: number;
  /** Wall-clock milliseconds per run. */
  readonly timesMs: Record<VariantName, number[]>;
  /** CPU milliseconds (user + system, all threads of the process) per run: less sensitive to other load. */
  readonly cpuMs: Record<VariantName, number[]>;
}

interface Footprint {
  readonly variant: VariantName;
  readonly count: number;
  readonly peakRssMb: number;
  readonly liveHeapMb: number;
  readonly templateBytes: number;
  readonly resources: number;
  readonly baseResources: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function gc(): void {
  (global as { gc?: () => void }).gc?.();
}

function cpuNowMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Builds and synthesizes one app; returns the assembly and the elapsed wall-clock and CPU
 * milliseconds (construct + synth).
 */
function synthOnce(variant: VariantName, count: number) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const cpuStart = cpuNowMs();
  const start = process.hrtime.bigint();
  const app = buildBenchApp(variant, count, outdir);
  const assembly = app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = cpuNowMs() - cpuStart;
  return { app, assembly, ms, cpuMs, outdir };
}

function discard(result: { outdir: string }): void {
  fs.rmSync(result.outdir, { recursive: true, force: true });
}

/**
 * Child process: times both variants at one size, alternating them run by run so that load from
 * other processes on a shared machine falls on both alike.
 */
function timeChild(count: number, runs: number): Timing {
  const variants = Object.keys(VARIANTS) as VariantName[];
  // Load every module and let the JIT settle at this size before measuring: a warm-up smaller than
  // the measured stack leaves optimisation work (on background threads too) to the measured runs.
  for (const variant of variants) discard(synthOnce(variant, Math.min(count, 10)));
  for (const variant of variants) discard(synthOnce(variant, count));
  const timesMs = { 'library': [], 'hand-written': [] } as Record<VariantName, number[]>;
  const cpuMs = { 'library': [], 'hand-written': [] } as Record<VariantName, number[]>;
  for (let run = 0; run < runs; run++) {
    for (const variant of run % 2 ? [...variants].reverse() : variants) {
      gc();
      const result = synthOnce(variant, count);
      timesMs[variant].push(result.ms);
      cpuMs[variant].push(result.cpuMs);
      discard(result);
    }
  }
  return { count, timesMs, cpuMs };
}

/** Child process: memory and template size of one variant at one size, alone in its process. */
function footprintChild(variant: VariantName, count: number): Footprint {
  discard(synthOnce(variant, 1));
  const base = synthOnce(variant, 0);
  const baseResources = Object.keys(base.assembly.getStackByName('Bench').template.Resources).length;
  discard(base);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const result = synthOnce(variant, count);
  // Memory the construct tree and the assembly hold while the app is alive.
  gc();
  const liveHeapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const stack = result.assembly.getStackByName('Bench');
  const footprint: Footprint = {
    variant,
    count,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    liveHeapMb,
    templateBytes: fs.statSync(stack.templateFullPath).size,
    resources: Object.keys(stack.template.Resources).length,
    baseResources,
  };
  discard(result);
  return footprint;
}

function spawnChild<T>(args: string[]): T {
  const stdout = execFileSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register', __filename, ...args], {
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

function report(timings: Timing[], footprints: Footprint[], sizes: number[], runs: number, loads: number[]): string {
  const time = (variant: VariantName, count: number) => median(timings.find((t) => t.count === count)!.timesMs[variant]);
  const cpu = (variant: VariantName, count: number) => median(timings.find((t) => t.count === count)!.cpuMs[variant]);
  const foot = (variant: VariantName, count: number) => footprints.find((r) => r.variant === variant && r.count === count)!;
  const cdkVersion = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const out: string[] = [];
  out.push('Synthesis of one stack with N dual-homed instances (public ENI with Elastic IP + management ENI + instance profile + instance), library vs hand-written L1.');
  out.push(`Node ${process.version}, aws-cdk-lib ${cdkVersion}, ${os.cpus().length} x ${cpuModel}, `
    + `1-minute load average ${fmt(Math.min(...loads))} to ${fmt(Math.max(...loads))} during the run.`);
  out.push(`Time: construct + synth, median of ${runs} runs per cell, variants alternated in one process per size; `
    + 'wall clock and CPU time (user + system) of the process. Memory: each variant and size alone in its process.');
  out.push('');
  out.push('| Instances | Hand-written (ms) | Library (ms) | Ratio | Hand-written CPU (ms) | Library CPU (ms) | CPU ratio | Library CPU ms / instance |');
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of sizes) {
    const h = time('hand-written', n);
    const l = time('library', n);
    const hc = cpu('hand-written', n);
    const lc = cpu('library', n);
    out.push(`| ${n} | ${fmt(h)} | ${fmt(l)} | ${fmt(l / h, 2)} | ${fmt(hc)} | ${fmt(lc)} | ${fmt(lc / hc, 2)} | ${fmt(lc / n, 2)} |`);
  }
  out.push('');
  out.push('| Instances | Peak RSS hand / library (MB) | Live heap hand / library (MB) | Template hand / library (KB) | Resources hand / library |');
  out.push('| ---: | ---: | ---: | ---: | ---: |');
  for (const n of sizes) {
    const h = foot('hand-written', n);
    const l = foot('library', n);
    out.push(`| ${n} | ${fmt(h.peakRssMb, 0)} / ${fmt(l.peakRssMb, 0)} | ${fmt(h.liveHeapMb)} / ${fmt(l.liveHeapMb)} `
      + `| ${fmt(h.templateBytes / 1024)} / ${fmt(l.templateBytes / 1024)} | ${h.resources} / ${l.resources} |`);
  }
  out.push('');
  out.push('| Variant | Resources per instance | Template bytes per instance | Shared resources (VPC, groups, role) | Instances per stack under the 500-resource limit |');
  out.push('| --- | ---: | ---: | ---: | ---: |');
  const largest = sizes[sizes.length - 1];
  const smallest = sizes[0];
  const perInstance = (v: VariantName) => (foot(v, largest).resources - foot(v, largest).baseResources) / largest;
  for (const variant of Object.keys(VARIANTS) as VariantName[]) {
    const big = foot(variant, largest);
    const bytesPerInstance = largest > smallest ? (big.templateBytes - foot(variant, smallest).templateBytes) / (largest - smallest) : 0;
    const fit = Math.floor((CFN_RESOURCE_LIMIT - big.baseResources) / perInstance(variant));
    out.push(`| ${variant} | ${fmt(perInstance(variant), 1)} | ${fmt(bytesPerInstance, 0)} | ${big.baseResources} | ${fit} |`);
  }

  const checks: string[] = [];
  if (sizes.includes(100)) {
    checks.push(`- Time ratio at 100 instances: ${fmt(time('library', 100) / time('hand-written', 100), 2)} wall clock, `
      + `${fmt(cpu('library', 100) / cpu('hand-written', 100), 2)} CPU (target: at most 1.2)`);
  }
  if (sizes.includes(100) && sizes.includes(200)) {
    for (const variant of ['library', 'hand-written'] as VariantName[]) {
      checks.push(`- ${variant === 'library' ? 'Library' : 'Hand-written'} time 200 / 100 instances: ${fmt(time(variant, 200) / time(variant, 100), 2)} wall clock, `
        + `${fmt(cpu(variant, 200) / cpu(variant, 100), 2)} CPU (linear growth is 2.0)`);
    }
  }
  checks.push(`- Resources per instance, library vs hand-written: ${perInstance('library')} vs ${perInstance('hand-written')} (target: no more)`);
  out.push('', ...checks);
  return out.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--time') {
    process.stdout.write(`${JSON.stringify(timeChild(Number(args[1]), Number(args[2])))}\n`);
    return;
  }
  if (args[0] === '--footprint') {
    process.stdout.write(`${JSON.stringify(footprintChild(args[1] as VariantName, Number(args[2])))}\n`);
    return;
  }
  const sizes = option(args, '--sizes', '1,10,50,100,200').split(',').map(Number);
  const runs = Number(option(args, '--runs', process.env.BENCH_RUNS ?? '5'));
  const started = Date.now();
  const timings: Timing[] = [];
  const footprints: Footprint[] = [];
  const loads = [os.loadavg()[0]];
  for (const count of sizes) {
    process.stderr.write(`  ${count} instances: timing ...`);
    const t = spawnChild<Timing>(['--time', String(count), String(runs)]);
    timings.push(t);
    process.stderr.write(` hand-written ${fmt(median(t.timesMs['hand-written']))} ms, library ${fmt(median(t.timesMs.library))} ms; memory ...`);
    for (const variant of Object.keys(VARIANTS) as VariantName[]) {
      footprints.push(spawnChild<Footprint>(['--footprint', variant, String(count)]));
    }
    loads.push(os.loadavg()[0]);
    process.stderr.write(' done\n');
  }
  console.log(report(timings, footprints, sizes, runs, loads));
  process.stderr.write(`benchmark took ${fmt((Date.now() - started) / 1000)} s\n`);
}

main();
