#!/usr/bin/env node
/**
 * Executable entry of `eni-failover` (bundled into a single file for the package `bin`).
 * See `cli.ts` for the commands and exit codes.
 */
import { run } from './cli';

/** Runs the CLI on the process arguments and sets the exit code. */
export function main(): void {
  run(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`eni-failover: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) {
  main();
}
