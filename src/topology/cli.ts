#!/usr/bin/env node
import * as fs from 'fs';
import { FindingSeverity } from './model';
import { Topology } from './topology';

const USAGE = `Usage: cdk-eni-topology [options] [cdk.out]

Reads a synthesized CDK app (a cloud assembly directory, default ./cdk.out) and prints, for every
network interface, its subnet, instance and device index, security groups, inbound ports with
their sources, and addresses; then the ways in, the failover pairs and security findings.

Options:
  --mermaid <file>   also write the topology as a mermaid diagram to <file> ('-' prints it)
  --counts           start with every stack and its resources by type
  --strict           exit with status 2 when there is a high-severity finding
  -h, --help         show this help`;

/** Runs the command with the given arguments; returns the exit status. Not exported from the package. */
export function main(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): number {
  let directory: string | undefined;
  let mermaid: string | undefined;
  let counts = false;
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      write(`${USAGE}\n`);
      return 0;
    } else if (arg === '--mermaid') {
      mermaid = argv[++i];
      if (mermaid === undefined) throw new UsageError('--mermaid needs a file name (or - for standard output)');
    } else if (arg === '--counts') {
      counts = true;
    } else if (arg === '--strict') {
      strict = true;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option '${arg}'`);
    } else if (directory === undefined) {
      directory = arg;
    } else {
      throw new UsageError(`only one cloud assembly directory can be read (got '${directory}' and '${arg}')`);
    }
  }

  const topology = Topology.fromAssemblyDirectory(directory ?? 'cdk.out');
  write(topology.toTable({ resourceCounts: counts }));
  if (mermaid === '-') {
    write(`\n${topology.toMermaid()}`);
  } else if (mermaid !== undefined) {
    fs.writeFileSync(mermaid, topology.toMermaid());
    write(`\nMermaid diagram written to ${mermaid}\n`);
  }
  return strict && topology.findings.some((f) => f.severity === FindingSeverity.HIGH) ? 2 : 0;
}

/** A mistake in the command line. */
export class UsageError extends Error {}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`cdk-eni-topology: ${(e as Error).message}\n${e instanceof UsageError ? `\n${USAGE}\n` : ''}`);
    process.exitCode = 1;
  }
}
