/**
 * `eni-failover`: the failover engine from a terminal. The same reconcile as the Lambda, so a
 * manual move converges with (and is safe against) triggers firing at the same time.
 * Exit codes: 0 converged, waited for another run's transition, or nothing to do; 1 error (an
 * attach EC2 refused for every healthy candidate included); 2 usage; 3 no healthy candidate;
 * 4 deadline exceeded.
 */
import { parseArgs } from 'node:util';
import { AlarmPort, SdkAlarmPort, SdkAlarmPortOptions } from './alarm-port';
import { Ec2Port, SdkEc2Port, SdkEc2PortOptions } from './ec2-port';
import { Clock, EngineLogger, Outcome, reconcile, ReconcileResult, systemClock } from './engine';
import { checkEniId, checkHealthAlarmInstances, checkInstanceId, parseHealthAlarms, parseInstanceIds, parseInteger } from './settings';

/** Where the CLI writes and what it talks to; injectable for tests. */
export interface CliIo {
  /** @default - real time */
  readonly clock?: Clock;
  stdout(line: string): void;
  stderr(line: string): void;
  /** @default - `SdkEc2Port.create(options)` */
  makePort?(options: SdkEc2PortOptions): Ec2Port;
  /** Called only with `--health-alarms`. @default - `SdkAlarmPort.create(options)` */
  makeAlarmPort?(options: SdkAlarmPortOptions): AlarmPort;
}

/** Process exit codes. */
export const EXIT_CODES = { ok: 0, error: 1, usage: 2, noHealthy: 3, deadline: 4 } as const;

const OUTCOME_EXIT: Record<Outcome, number> = {
  'converged': EXIT_CODES.ok,
  'waited': EXIT_CODES.ok,
  'noop': EXIT_CODES.ok,
  'error': EXIT_CODES.error,
  'no-healthy': EXIT_CODES.noHealthy,
  'deadline-exceeded': EXIT_CODES.deadline,
  'not-answering': EXIT_CODES.error,
};

export const USAGE = `Usage: eni-failover <status|reconcile|move> --eni <eni-id> [options]

Commands:
  status                 show where the ENI is, how each candidate is doing, and what reconcile would do
  reconcile              put the ENI on the first healthy candidate (or keep it where it is)
  move --to <i-id>       put the ENI on <i-id>; refuses an unhealthy target unless --force

Options:
  --eni <eni-id>         the floating ENI (required)
  --candidates <ids>     candidate instance ids, primary first, comma-separated (required for reconcile)
  --to <i-id>            target of move
  --device-index <n>     device index to attach at (default 1)
  --failback             reconcile: move back to a preferred candidate that is healthy again
  --failback-after <s>   seconds a preferred candidate must be healthy before failback (default 300)
  --health-alarms <map>  CloudWatch alarms that watch each candidate's health, read on every run:
                         i-...=alarmA|alarmB,i-...=alarmC or JSON {"i-...":["alarmA"]}; a candidate
                         with one in ALARM is unhealthy (needs cloudwatch:DescribeAlarms)
  --deadline <s>         start no detach after this many seconds (default 120); a move already
                         started still finishes, for at most 45 s more
  --force-detach-after <s>
                         force a detach still detaching after this many seconds (default 30)
  --force                move: accept a target that is not healthy (never across AZs)
  --dry-run              observe and decide, change nothing
  --json                 print the result as JSON
  --region <r>           AWS region (default: AWS_REGION / shared config)
  --profile <p>          shared config profile (default: AWS_PROFILE / default)
  --endpoint <url>       EC2 and CloudWatch endpoint, e.g. a local emulator
  -h, --help             show this help

Exit codes: 0 converged, waited for another run, or nothing to do; 1 error; 2 usage;
3 no healthy candidate; 4 deadline exceeded.`;

class UsageError extends Error {}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`eni-failover: ${(err as Error).message}`);
    io.stderr('Run eni-failover --help for usage.');
    return EXIT_CODES.usage;
  }
  if (parsed === 'help') {
    io.stdout(USAGE);
    return EXIT_CODES.ok;
  }

  const clock = io.clock ?? systemClock;
  const started = clock.now();
  const logger = progressLogger(io, () => clock.now() - started);
  try {
    const port = (io.makePort ?? ((o) => SdkEc2Port.create(o)))(parsed.aws);
    const alarms = Object.keys(parsed.healthAlarms).length > 0
      ? (io.makeAlarmPort ?? ((o) => SdkAlarmPort.create(o)))(parsed.aws)
      : undefined;
    let candidates = parsed.candidates;
    if (parsed.command === 'status' && candidates.length === 0) {
      const eni = await port.describeNetworkInterface(parsed.eni);
      candidates = eni.attachment ? [eni.attachment.instanceId] : [];
      if (candidates.length === 0) {
        io.stdout(parsed.json ? JSON.stringify({ eniId: eni.eniId, availabilityZone: eni.availabilityZone, eniStatus: eni.status })
          : `ENI ${eni.eniId} (${eni.availabilityZone}) is ${eni.status} and attached to nothing; give --candidates to see what reconcile would do`);
        return EXIT_CODES.ok;
      }
    }
    const result = await reconcile({
      eniId: parsed.eni,
      candidates,
      deviceIndex: parsed.deviceIndex,
      policy: { failback: parsed.failback, failbackAfterSeconds: parsed.failbackAfter },
      deadlineSeconds: parsed.deadline,
      forceDetachAfterSeconds: parsed.forceDetachAfter,
      dryRun: parsed.command === 'status' || parsed.dryRun,
      target: parsed.to,
      force: parsed.force,
      healthAlarms: parsed.healthAlarms,
      rejectUnknownCandidates: true,
      trigger: `cli ${parsed.command}`,
    }, port, { clock, logger, alarms });
    io.stdout(parsed.json ? JSON.stringify({ eniId: parsed.eni, ...result }, undefined, 2) : render(parsed.eni, result));
    return OUTCOME_EXIT[result.outcome];
  } catch (err) {
    io.stderr(`eni-failover: ${(err as Error).message ?? String(err)}`);
    return EXIT_CODES.error;
  }
}

interface Parsed {
  command: 'status' | 'reconcile' | 'move';
  eni: string;
  candidates: string[];
  to?: string;
  deviceIndex: number;
  failback: boolean;
  failbackAfter: number;
  healthAlarms: Record<string, string[]>;
  deadline: number;
  forceDetachAfter: number;
  force: boolean;
  dryRun: boolean;
  json: boolean;
  aws: SdkEc2PortOptions;
}

function parse(argv: readonly string[]): Parsed | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'eni': { type: 'string' },
      'candidates': { type: 'string' },
      'to': { type: 'string' },
      'device-index': { type: 'string' },
      'failback': { type: 'boolean', default: false },
      'failback-after': { type: 'string' },
      'health-alarms': { type: 'string' },
      'deadline': { type: 'string' },
      'force-detach-after': { type: 'string' },
      'force': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      'json': { type: 'boolean', default: false },
      'region': { type: 'string' },
      'profile': { type: 'string' },
      'endpoint': { type: 'string' },
      'help': { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(`expected one command (status, reconcile or move), got ${positionals.length === 0 ? 'none' : `'${positionals.join(' ')}'`}`);
  const command = positionals[0];
  if (command !== 'status' && command !== 'reconcile' && command !== 'move') {
    throw new UsageError(`unknown command '${command}': use status, reconcile or move`);
  }
  if (!values.eni) throw new UsageError('--eni is required');
  if (command === 'reconcile' && !values.candidates) throw new UsageError('reconcile needs --candidates, the primary first');
  if (command === 'move' && !values.to) throw new UsageError('move needs --to <instance-id>');
  if (command !== 'move' && values.to) throw new UsageError(`--to only applies to move, not ${command}`);
  if (command !== 'move' && values.force) throw new UsageError(`--force only applies to move, not ${command}`);
  const candidates = values.candidates ? parseInstanceIds(values.candidates, '--candidates') : [];
  const to = values.to ? checkInstanceId(values.to, '--to') : undefined;
  const healthAlarms = parseHealthAlarms(values['health-alarms'], '--health-alarms');
  if (candidates.length > 0) {
    checkHealthAlarmInstances(healthAlarms, [...candidates, ...(to && !candidates.includes(to) ? [to] : [])], '--health-alarms', '--candidates or --to');
  }
  return {
    command,
    eni: checkEniId(values.eni, '--eni'),
    candidates,
    to,
    deviceIndex: parseInteger(values['device-index'], '--device-index', 1, 31, 1),
    failback: values.failback ?? false,
    failbackAfter: parseInteger(values['failback-after'], '--failback-after', 0, 86_400, 300),
    healthAlarms,
    deadline: parseInteger(values.deadline, '--deadline', 1, 3600, 120),
    forceDetachAfter: parseInteger(values['force-detach-after'], '--force-detach-after', 1, 600, 30),
    force: values.force ?? false,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    aws: { region: values.region, profile: values.profile, endpoint: values.endpoint },
  };
}

/** Prints one progress line per decision and per retried error. */
function progressLogger(io: CliIo, elapsed: () => number): EngineLogger {
  const stamp = () => `[${(elapsed() / 1000).toFixed(1).padStart(5)}s]`;
  return {
    info(message, fields) {
      if (message !== 'failover decision') return;
      const d = fields.decision;
      const what = d === 'move' ? `move ${fields.from} -> ${fields.to}${fields.force ? ' (force detach)' : ''}`
        : d === 'attach' ? `attach to ${fields.to}` : String(d);
      io.stderr(`${stamp()} ${what}: ${fields.reason}`);
    },
    warn(message, fields) {
      if (message === 'health alarms not found') {
        io.stderr(`${stamp()} health alarm(s) ${(fields.alarmNames as string[]).join(', ')} not found: counted as INSUFFICIENT_DATA`);
      } else if (message === 'forcing a detach') {
        io.stderr(`${stamp()} forcing the detach from ${fields.holder}: ${fields.reason}`);
      } else if (message === 'attach refused') {
        io.stderr(`${stamp()} attach to ${fields.instanceId} refused (${fields.code}: ${fields.error}); trying the next healthy candidate`);
      } else {
        io.stderr(`${stamp()} ${fields.code}: ${fields.error}; observing again`);
      }
    },
  };
}

function render(eniId: string, r: ReconcileResult): string {
  const lines: string[] = [];
  lines.push(`ENI ${eniId} ${r.availabilityZone ? `(${r.availabilityZone}) ` : ''}${r.eniStatus ?? 'unknown'}${r.holder ? `, attached to ${r.holder}` : ', not attached'}`);
  if (r.candidates?.length) {
    lines.push('Candidates (preference order):');
    r.candidates.forEach((c, n) => {
      const alarm = c.alarms?.length ? `, alarms ${c.alarms.map((a) => `${a.alarmName}=${a.state}${a.source === 'described' ? '' : ` (${a.source})`}`).join(' ')}`
        : c.alarm ? `, alarm ${c.alarm}` : '';
      const mark = c.instanceId === r.holder ? '  <- holder' : '';
      lines.push(`  ${n + 1}. ${c.instanceId}  ${c.availabilityZone}  ${c.state}, checks ${c.statusChecks}${alarm}: ${c.health}${mark}`);
    });
  }
  if (r.dryRun) {
    const d = r.lastDecision;
    lines.push(`Would ${d ? d.kind : 'do nothing'}${r.to ? ` (to ${r.to})` : ''}: ${d?.reason ?? r.message}`);
  } else {
    lines.push(`Outcome: ${r.outcome}${r.action !== 'none' ? ` (${r.action}${r.from ? ` ${r.from}` : ''} -> ${r.to})` : ''}: ${r.message}`);
    const cloudWatch = r.alarmCalls > 0 ? `, ${r.alarmCalls} CloudWatch call${r.alarmCalls === 1 ? '' : 's'}` : '';
    lines.push(`Took ${(r.durationMs / 1000).toFixed(1)}s, ${r.apiCalls} EC2 calls (${r.polls} polls)${cloudWatch}`);
  }
  for (const s of r.lastDecision?.skipped ?? []) lines.push(`Skipped ${s.instanceId}: ${s.reason}`);
  return lines.join('\n');
}
