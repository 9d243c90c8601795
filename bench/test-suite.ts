/**
 * Test-suite timing: how long the type check and the jest suite take on this machine, so that
 * regressions show. Runs the suite once (no coverage) and prints a markdown table.
 *
 *   npx ts-node --project bench/tsconfig.json bench/test-suite.ts [jest path patterns...]
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

interface Step {
  readonly name: string;
  readonly seconds: number;
  readonly status: number;
  readonly detail: string;
}

function run(name: string, command: string, args: string[], detail: (output: string) => string): Step {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  return { name, seconds, status: result.status ?? 1, detail: detail(output) };
}

function main(): void {
  const patterns = process.argv.slice(2);
  const steps = [
    run('Type check (tsc -p test)', 'npx', ['tsc', '--noEmit', '-p', 'test/tsconfig.json'], () => ''),
    run(`jest${patterns.length ? ` ${patterns.join(' ')}` : ''}`, 'npx', ['jest', '--coverage=false', '--ci', ...patterns], (output) => {
      const suites = /Test Suites:\s*(.+)/.exec(output)?.[1]?.trim() ?? '?';
      const tests = /Tests:\s*(.+)/.exec(output)?.[1]?.trim() ?? '?';
      return `suites: ${suites}; tests: ${tests}`;
    }),
  ];
  console.log(`Test suite on ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}.`);
  console.log('');
  console.log('| Step | Wall time (s) | Result |');
  console.log('| --- | ---: | --- |');
  for (const step of steps) {
    console.log(`| ${step.name} | ${step.seconds.toFixed(1)} | ${step.status === 0 ? 'ok' : `failed (exit ${step.status})`}${step.detail ? `; ${step.detail}` : ''} |`);
  }
  if (steps.some((s) => s.status !== 0)) process.exitCode = 1;
}

main();
