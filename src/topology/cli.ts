#!/usr/bin/env node
import * as fs from 'fs';
import { parseArgs } from 'util';
import { FindingSeverity } from './model';
import { count } from './table';
import { Topology } from './topology';

/** Exit statuses of `cdk-eni-topology`: the same scheme as `eni-failover`. */
export const EXIT = {
  /** Read and printed; no finding at or above `--fail-on`. */
  OK: 0,
  /** A finding at or above `--fail-on`, or the assembly could not be read. */
  FINDINGS_OR_ERROR: 1,
  /** A mistake in the command line. */
  USAGE: 2,
} as const;

const USAGE = `Usage: cdk-eni-topology [options] [cdk.out]

Reads a synthesized CDK app (a cloud assembly directory, default ./cdk.out; the stacks of nested
stages and NestedStacks included) and prints, for every
network interface, its subnet, instance and device index, security groups, inbound ports with
their sources, and addresses; then the ways in, the failover pairs and security findings.

Options:
  --mermaid <file>     also write the topology as a mermaid diagram to <file> ('-' prints it)
  --json               print the topology (every list of the Topology API, findings included) as JSON
  --counts             start the table with every stack and its resources by type
  --column-width <n>   wrap table cells longer than n characters onto continuation lines, at word
                       boundaries (default 20, at least 10); 0 never wraps
  --fail-on <level>    exit 1 when there is a finding of this severity or higher: high, medium or
                       none (default none)
  --strict             the same as --fail-on high
  -h, --help           show this help

Exit status: 0 ok, 1 a finding at or above --fail-on (or an error), 2 a command-line mistake.
Progress goes to standard error; standard output carries only the table, JSON or diagram.`;

/** The table's cells wrap at this many characters unless `--column-width` says otherwise: as in the example. */
const DEFAULT_COLUMN_WIDTH = 20;

const SEVERITY_RANK: Record<FindingSeverity, number> = { [FindingSeverity.HIGH]: 2, [FindingSeverity.MEDIUM]: 1 };
const FAIL_ON: ReadonlyMap<string, number> = new Map([['high', 2], ['medium', 1], ['none', Infinity]]);

/** Where the command writes: standard output (results) and standard error (progress). */
export interface CliOutput {
  /** Results: the table, the JSON, the diagram. */
  readonly out: (text: string) => void;
  /** Progress and notes. */
  readonly err: (text: string) => void;
}

const STDIO: CliOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs the command with the given arguments; returns the exit status. Not exported from the package. */
export function main(argv: string[], io: CliOutput = STDIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'mermaid': { type: 'string' },
        'json': { type: 'boolean', default: false },
        'counts': { type: 'boolean', default: false },
        'column-width': { type: 'string', default: String(DEFAULT_COLUMN_WIDTH) },
        'fail-on': { type: 'string' },
        'strict': { type: 'boolean', default: false },
        'help': { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 1) {
    throw new UsageError(`only one cloud assembly directory can be read (got ${positionals.map((p) => `'${p}'`).join(', ')})`);
  }
  if (values.mermaid === '') throw new UsageError('--mermaid needs a file name (or - for standard output)');
  const columnWidthText = values['column-width'];
  const columnWidth = /^\d+$/.test(columnWidthText) ? Number(columnWidthText) : NaN;
  if (!(columnWidth === 0 || columnWidth >= 10)) {
    throw new UsageError(`--column-width must be 0 (never wrap) or a whole number of at least 10 (got '${columnWidthText}')`);
  }
  const failOnText = values['fail-on'] ?? (values.strict ? 'high' : 'none');
  if (!FAIL_ON.has(failOnText)) {
    throw new UsageError(`--fail-on must be high, medium or none (got '${failOnText}')`);
  }
  if (values.strict && values['fail-on'] !== undefined && values['fail-on'] !== 'high') {
    throw new UsageError(`--strict means --fail-on high; it cannot be combined with --fail-on ${values['fail-on']}`);
  }
  if (values.json && values.mermaid === '-') {
    throw new UsageError('--json and --mermaid - both print to standard output: write the diagram to a file');
  }

  const directory = positionals[0] ?? 'cdk.out';
  const started = Date.now();
  io.err(`cdk-eni-topology: reading the cloud assembly in ${directory}\n`);
  const topology = Topology.fromAssemblyDirectory(directory);
  io.err(`cdk-eni-topology: read ${count(topology.stacks.length, 'stack')}, ${count(topology.networkInterfaces.length, 'network interface')}, ${count(topology.findings.length, 'finding')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  if (values.json) {
    io.out(`${JSON.stringify(toJson(topology), undefined, 2)}\n`);
  } else {
    io.out(topology.toTable({ resourceCounts: values.counts, maxColumnWidth: columnWidth === 0 ? undefined : columnWidth }));
  }
  if (values.mermaid === '-') {
    io.out(`\n${topology.toMermaid()}`);
  } else if (values.mermaid !== undefined) {
    fs.writeFileSync(values.mermaid, topology.toMermaid());
    io.err(`cdk-eni-topology: mermaid diagram written to ${values.mermaid}\n`);
  }
  const threshold = FAIL_ON.get(failOnText)!;
  return topology.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? EXIT.FINDINGS_OR_ERROR : EXIT.OK;
}

/** Every list of the Topology API, as plain data. */
function toJson(topology: Topology): Record<string, unknown> {
  return {
    stacks: topology.stacks,
    vpcs: topology.vpcs,
    subnets: topology.subnets,
    routeTables: topology.routeTables,
    instances: topology.instances,
    networkInterfaces: topology.networkInterfaces,
    attachments: topology.attachments,
    securityGroups: topology.securityGroups,
    entryPoints: topology.entryPoints,
    failovers: topology.failovers,
    findings: topology.findings,
  };
}

/** A mistake in the command line. */
export class UsageError extends Error {}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    const usage = e instanceof UsageError;
    process.stderr.write(`cdk-eni-topology: ${(e as Error).message}\n${usage ? '\nRun cdk-eni-topology --help for the options.\n' : ''}`);
    process.exitCode = usage ? EXIT.USAGE : EXIT.FINDINGS_OR_ERROR;
  }
}
