/**
 * The OS harness as a benchmark (needs root or passwordless sudo and scripts/test-setup.sh):
 *
 * 1. 50 fresh boots per flavour of a DualHomedInstance, each running the user data the construct
 *    renders and the reply-path and sshd checks; a failed boot is counted and the loop goes on.
 * 2. Time from a floating interface appearing on a candidate to the first answer on its Elastic
 *    IP, for attach, failover and failback, with instance metadata listing the interface at once
 *    and one second late (EC2 may lag behind an attachment).
 *
 * Prints markdown tables. Usage: `npx projen bench:os` (OS_BENCH_BOOTS and OS_BENCH_MOVES change
 * the counts).
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { dualHomedUserData, failoverCandidateUserData, FLAVOURS } from '../test/os/rendered-user-data';

const RUN = join(__dirname, '..', 'test', 'os', 'harness', 'run.sh');
const BOOTS = Number(process.env.OS_BENCH_BOOTS ?? 50);
const MOVES = Number(process.env.OS_BENCH_MOVES ?? 5);

function harness(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const root = process.getuid?.() === 0 ? [] : ['sudo', '-n', '--preserve-env=PATH,EOS_KEEP_GOING,EOS_IMDS_LAG'];
  const cmd = [...root, 'bash', RUN, ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'eos-bench-'));
  try {
    console.log(`## Dual-homed user data: ${BOOTS} fresh boots per flavour\n`);
    console.log('| Flavour | Boots | Failed | Setup time median (ms) | p90 (ms) | max (ms) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const flavour of Object.keys(FLAVOURS)) {
      const file = join(dir, `dual-homed-${flavour}.sh`);
      writeFileSync(file, dualHomedUserData(flavour), { mode: 0o755 });
      const { output } = harness(['dual-homed', flavour, file, String(BOOTS)], { EOS_KEEP_GOING: '1' });
      // What failed, on stderr, so a failure can be told from a slow machine.
      for (const line of output.split('\n').filter((l) => /FAIL|failed/.test(l))) {
        console.error(`  ${flavour}: ${line}`);
      }
      const boots = [...output.matchAll(/^BOOT \S+ \d+ exit=(\d+) setup_ms=(\d+)$/gm)];
      const times = boots.map((m) => Number(m[2]));
      const failed = output.match(/failures=(\d+)/)?.[1] ?? (boots.length === BOOTS ? '0' : `${BOOTS - boots.length} (aborted)`);
      console.log(`| ${flavour} | ${boots.length} | ${failed} | ${percentile(times, 50)} | ${percentile(times, 90)} | ${Math.max(...times)} |`);
    }

    console.log(`\n## Floating interface: appearance to first answer on its Elastic IP (${MOVES} runs of attach, failover, failback)\n`);
    console.log('| Flavour | Metadata lag | Attach median (ms) | Failover median (ms) | Failback median (ms) | max (ms) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const flavour of Object.keys(FLAVOURS)) {
      const file = join(dir, `candidate-${flavour}.sh`);
      writeFileSync(file, failoverCandidateUserData(flavour), { mode: 0o755 });
      for (const lag of ['0', '1']) {
        const by: Record<string, number[]> = { attach: [], failover: [], failback: [] };
        for (let i = 0; i < MOVES; i++) {
          const { status, output } = harness(['floating', flavour, file], { EOS_IMDS_LAG: lag });
          if (status !== 0) {
            console.error(output);
            throw new Error(`floating ${flavour} failed`);
          }
          for (const m of output.matchAll(/^TIMING \S+ (attach|failover|failback)\S* .* (\d+)$/gm)) {
            by[m[1]].push(Number(m[2]));
          }
        }
        const all = [...by.attach, ...by.failover, ...by.failback];
        console.log(`| ${flavour} | ${lag} s | ${percentile(by.attach, 50)} | ${percentile(by.failover, 50)} | ${percentile(by.failback, 50)} | ${Math.max(...all)} |`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
