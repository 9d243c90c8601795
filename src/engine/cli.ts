/**
 * `eni-failover`: the failover engine from a terminal. The same reconcile as the Lambda, so a
 * manual move converges with (and is safe against) triggers firing at the same time.
 * Exit codes: 0 converged, waited for another run's transition, or nothing to do; 1 error (an
 * attach EC2 refused for every healthy candidate included, a floating address that does not
 * answer); 2 usage; 3 no healthy candidate; 4 deadline exceeded.
 */
import { parseArgs } from 'node:util';
import { AlarmPort, SdkAlarmPort, SdkAlarmPortOptions } from './alarm-port';
import { DEFAULTS, FailoverSettings, TAGS } from './contract';
import { Ec2Port, errorCode, isSetupError, SdkEc2Port, SdkEc2PortOptions } from './ec2-port';
import { Clock, EngineLogger, Outcome, reconcile, ReconcileConfig, ReconcileResult, systemClock } from './engine';
import { FunctionEnvironmentReader, sdkFunctionEnvironmentReader } from './function-settings';
import {
  checkEniId, checkHealthAlarmInstances, checkInstanceId, parseHealthAlarms, parseInstanceIds, parseInteger, settingsFromEnv,
} from './settings';
import { pinOf } from './tags';

/** Where the CLI writes and what it talks to; injectable for tests. */
export interface CliIo {
  /** @default - real time */
  readonly clock?: Clock;
  /** Environment variables (AWS_REGION). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  stdout(line: string): void;
  stderr(line: string): void;
  /** @default - `SdkEc2Port.create(options)` */
  makePort?(options: SdkEc2PortOptions): Ec2Port;
  /** Called only with health alarms. @default - `SdkAlarmPort.create(options)` */
  makeAlarmPort?(options: SdkAlarmPortOptions): AlarmPort;
  /** Called only with `--function`. @default - lambda:GetFunctionConfiguration */
  makeFunctionReader?(options: SdkEc2PortOptions): FunctionEnvironmentReader;
}

/** Process exit codes. */
export const EXIT_CODES = { ok: 0, error: 1, usage: 2, noHealthy: 3, deadline: 4 } as const;

const OUTCOME_EXIT: Record<Outcome, number> = {
  'converged': EXIT_CODES.ok,
  'waited': EXIT_CODES.ok,
  'noop': EXIT_CODES.ok,
  'error': EXIT_CODES.error,
  'not-answering': EXIT_CODES.error,
  'no-healthy': EXIT_CODES.noHealthy,
  'deadline-exceeded': EXIT_CODES.deadline,
};

export const USAGE = `Usage: eni-failover <status|reconcile|move|unpin> (--eni <eni-id> | --function <name>) [options]

Commands:
  status                 show where the ENI is, how each candidate is doing, and what reconcile would do
  reconcile              put the ENI on the first healthy candidate (or keep it where it is)
  move --to <i-id>       put the ENI on <i-id> and pin it there for --for (maintenance mode: the
                         Lambda keeps it there, no failover or failback, until the pin expires or
                         is lifted); refuses an unhealthy target unless --force
  unpin                  lift the pin, then reconcile

Options:
  --function <name|arn>  load the deployed failover's settings (ENI, candidates, failback, health
                         alarms, ...) from its reconcile function (needs lambda:GetFunctionConfiguration);
                         options given here override them
  --eni <eni-id>         the floating ENI (required without --function)
  --candidates <ids>     candidate instance ids, primary first, comma-separated (required for
                         reconcile and unpin without --function)
  --to <i-id>            target of move
  --for <duration>       how long move pins the target: 90s, 30m, 2h, 1d; 0 for no pin (default 1h)
  --device-index <n>     device index to attach at (default 1)
  --failback             move back to a preferred candidate that is healthy again
  --failback-after <s>   seconds a preferred candidate must be healthy before failback (default 300)
  --health-alarms <map>  CloudWatch alarms that watch each candidate's health, read on every run:
                         i-...=alarmA|alarmB,i-...=alarmC or JSON {"i-...":["alarmA"]}; a candidate
                         with one in ALARM is unhealthy (needs cloudwatch:DescribeAlarms)
  --deadline <s>         start no detach after this many seconds (default 120); a move already
                         started still finishes, for at most 45 s more
  --force                move: accept a target that is not healthy (never across AZs)
  --fence                stop a still-running instance after a forced detach from it
  --dry-run              observe and decide, change nothing
  --json                 print the result as JSON
  --region <r>           AWS Region (default: AWS_REGION / shared config)
  --profile <p>          shared config profile (default: AWS_PROFILE / default)
  --endpoint <url>       EC2, CloudWatch and Lambda endpoint, e.g. a local emulator
  -h, --help             show this help

A detach is forced only when the holder is not running or its EC2 status checks are impaired.
Exit codes: 0 converged, waited for another run, or nothing to do; 1 error; 2 usage;
3 no healthy candidate; 4 deadline exceeded.`;

class UsageError extends Error {}

type Command = 'status' | 'reconcile' | 'move' | 'unpin';
const COMMANDS: readonly Command[] = ['status', 'reconcile', 'move', 'unpin'];

/** What the command line says, before deployed settings are merged in. */
interface Parsed {
  command: Command;
  functionName?: string;
  eni?: string;
  candidates?: string[];
  to?: string;
  pinForSeconds: number;
  deviceIndex?: number;
  failback?: boolean;
  failbackAfter?: number;
  healthAlarms?: Record<string, string[]>;
  deadline?: number;
  force: boolean;
  fence?: boolean;
  dryRun: boolean;
  json: boolean;
  aws: SdkEc2PortOptions;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: Parsed | 'help';
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
  try {
    const settings = await loadSettings(parsed, io);
    if (typeof settings === 'string') {
      io.stderr(`eni-failover: ${settings}`);
      io.stderr('Run eni-failover --help for usage.');
      return EXIT_CODES.usage;
    }
    return await execute(parsed, settings, io, clock);
  } catch (err) {
    const message = explain(err, parsed.aws, io.env ?? process.env);
    io.stderr(`eni-failover: ${message}`);
    if (parsed.json) io.stdout(JSON.stringify({ eniId: parsed.eni, outcome: 'error', message }, undefined, 2));
    return EXIT_CODES.error;
  }
}

/** The port with every error it throws recorded in `errors`, so a setup error the engine gave up on can be explained. */
function recording<T extends object>(port: T, errors: unknown[]): T {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => Promise.resolve(value.apply(target, args)).catch((err: unknown) => {
        errors.push(err);
        throw err;
      });
    },
  });
}

/** The settings of this run: the deployed function's, overridden by the command line. */
async function loadSettings(p: Parsed, io: CliIo): Promise<FailoverSettings | string> {
  const deployed = p.functionName
    ? settingsFromEnv(await (io.makeFunctionReader ?? sdkFunctionEnvironmentReader)(p.aws)(p.functionName))
    : undefined;
  const eniId = p.eni ?? deployed?.eniId;
  if (!eniId) return '--eni is required (or --function to load it from the deployed failover)';
  const candidates = p.candidates ?? deployed?.candidates ?? [];
  if ((p.command === 'reconcile' || p.command === 'unpin') && candidates.length === 0) {
    return `${p.command} needs --candidates, the primary first (or --function to load them)`;
  }
  if (p.command === 'move' && p.to && p.pinForSeconds > 0 && candidates.length > 0 && !candidates.includes(p.to)) {
    // The Lambda ignores a pin on an instance that is not one of its candidates.
    return `--to ${p.to} is not a candidate (${candidates.join(', ')}): the failover function ignores a pin on it, so `
      + 'its next run would move the ENI away again. Add it to the candidates, or give --for 0 to move without a pin';
  }
  const healthAlarms = p.healthAlarms ?? deployed?.healthAlarms ?? {};
  try {
    if (candidates.length > 0) {
      checkHealthAlarmInstances(healthAlarms, [...candidates, ...(p.to && !candidates.includes(p.to) ? [p.to] : [])], '--health-alarms', '--candidates or --to');
    }
  } catch (err) {
    return (err as Error).message;
  }
  return {
    eniId,
    candidates,
    deviceIndex: p.deviceIndex ?? deployed?.deviceIndex ?? DEFAULTS.deviceIndex,
    policy: {
      failback: p.failback ?? deployed?.policy.failback ?? DEFAULTS.failback,
      failbackAfterSeconds: p.failbackAfter ?? deployed?.policy.failbackAfterSeconds ?? DEFAULTS.failbackAfterSeconds,
    },
    deadlineSeconds: p.deadline ?? deployed?.deadlineSeconds ?? DEFAULTS.deadlineSeconds,
    placementDeadlineSeconds: deployed?.placementDeadlineSeconds ?? DEFAULTS.placementDeadlineSeconds,
    forceDetachAfterSeconds: deployed?.forceDetachAfterSeconds ?? DEFAULTS.forceDetachAfterSeconds,
    healthAlarms,
    maxNoticeAgeSeconds: deployed?.maxNoticeAgeSeconds ?? DEFAULTS.maxNoticeAgeSeconds,
    fence: p.fence ?? deployed?.fence ?? DEFAULTS.fence,
    floatingProbeTimeoutMs: DEFAULTS.floatingProbeTimeoutMs,
  };
}

async function execute(p: Parsed, settings: FailoverSettings, io: CliIo, clock: Clock): Promise<number> {
  const started = clock.now();
  const errors: unknown[] = [];
  const port = recording((io.makePort ?? ((o) => SdkEc2Port.create(o)))(p.aws), errors);
  const alarms = Object.keys(settings.healthAlarms).length > 0
    ? recording((io.makeAlarmPort ?? ((o) => SdkAlarmPort.create(o)))(p.aws), errors) : undefined;
  let candidates = settings.candidates;
  if (p.command === 'status' && candidates.length === 0) {
    const eni = await port.describeNetworkInterface(settings.eniId);
    candidates = eni.attachment ? [eni.attachment.instanceId] : [];
    if (candidates.length === 0) {
      io.stdout(p.json ? JSON.stringify({ eniId: eni.eniId, availabilityZone: eni.availabilityZone, eniStatus: eni.status })
        : `ENI ${eni.eniId} (${eni.availabilityZone}) is ${eni.status} and attached to nothing; give --candidates to see what reconcile would do`);
      return EXIT_CODES.ok;
    }
  }
  if (p.command === 'unpin' && !p.dryRun) {
    const eni = await port.describeNetworkInterface(settings.eniId);
    const pin = pinOf(eni.tags);
    await port.untagNetworkInterface(settings.eniId, [TAGS.PIN]);
    io.stderr(pin ? `lifted the pin of ${settings.eniId} on ${pin.instanceId}` : `${settings.eniId} was not pinned`);
  }
  const config: ReconcileConfig = {
    eniId: settings.eniId,
    candidates,
    deviceIndex: settings.deviceIndex,
    policy: settings.policy,
    deadlineSeconds: settings.deadlineSeconds,
    dryRun: p.command === 'status' || p.dryRun,
    target: p.to,
    force: p.force,
    pinUntil: p.to && p.pinForSeconds > 0 ? clock.now() + p.pinForSeconds * 1000 : undefined,
    healthAlarms: settings.healthAlarms,
    fence: settings.fence,
    rejectUnknownCandidates: p.candidates !== undefined,
    trigger: `cli ${p.command}`,
  };
  const result = await reconcile(config, port, { clock, logger: progressLogger(io, () => clock.now() - started), alarms });
  const setup = errors.find(isSetupError);
  // No Region, no credentials, an endpoint that cannot be reached: say what fixes it, not what the ENI looked like.
  if (result.outcome === 'error' && setup !== undefined) throw setup;
  io.stdout(p.json ? JSON.stringify({ eniId: settings.eniId, ...result }, undefined, 2) : render(settings.eniId, result, config));
  return OUTCOME_EXIT[result.outcome];
}

function parse(argv: readonly string[]): Parsed | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'function': { type: 'string' },
      'eni': { type: 'string' },
      'candidates': { type: 'string' },
      'to': { type: 'string' },
      'for': { type: 'string' },
      'device-index': { type: 'string' },
      'failback': { type: 'boolean' },
      'failback-after': { type: 'string' },
      'health-alarms': { type: 'string' },
      'deadline': { type: 'string' },
      'force': { type: 'boolean', default: false },
      'fence': { type: 'boolean' },
      'dry-run': { type: 'boolean', default: false },
      'json': { type: 'boolean', default: false },
      'region': { type: 'string' },
      'profile': { type: 'string' },
      'endpoint': { type: 'string' },
      'help': { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const command = commandOf(positionals);
  if (!values.eni && !values.function) throw new UsageError('--eni is required (or --function to load it from the deployed failover)');
  if (command === 'reconcile' && !values.candidates && !values.function) throw new UsageError('reconcile needs --candidates, the primary first');
  if (command === 'move' && !values.to) throw new UsageError('move needs --to <instance-id>');
  if (command !== 'move' && values.to) throw new UsageError(`--to only applies to move, not ${command}`);
  if (command !== 'move' && values.force) throw new UsageError(`--force only applies to move, not ${command}`);
  if (command !== 'move' && values.for) throw new UsageError(`--for only applies to move, not ${command}`);
  const int = (name: 'device-index' | 'failback-after' | 'deadline', min: number, max: number) =>
    (values[name] === undefined ? undefined : parseInteger(values[name], `--${name}`, min, max, 0));
  return {
    command,
    functionName: values.function,
    eni: values.eni ? checkEniId(values.eni, '--eni') : undefined,
    candidates: values.candidates ? parseInstanceIds(values.candidates, '--candidates') : undefined,
    to: values.to ? checkInstanceId(values.to, '--to') : undefined,
    pinForSeconds: values.for === undefined ? 3600 : parseDuration(values.for, '--for'),
    deviceIndex: int('device-index', 1, 31),
    failback: values.failback,
    failbackAfter: int('failback-after', 0, 86_400),
    healthAlarms: values['health-alarms'] === undefined ? undefined : parseHealthAlarms(values['health-alarms'], '--health-alarms'),
    deadline: int('deadline', 1, 3600),
    force: values.force ?? false,
    fence: values.fence,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    aws: { region: values.region, profile: values.profile, endpoint: values.endpoint },
  };
}

function commandOf(positionals: readonly string[]): Command {
  if (positionals.length !== 1) {
    throw new UsageError(`expected one command (${COMMANDS.join(', ')}), got ${positionals.length === 0 ? 'none' : `'${positionals.join(' ')}'`}`);
  }
  const command = positionals[0] as Command;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command '${command}': use ${COMMANDS.join(', ')}`);
  return command;
}

/** Parses `90s`, `30m`, `2h`, `1d` or plain seconds (0: none). */
export function parseDuration(value: string, name: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * { '': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'] : NaN;
  if (!Number.isInteger(seconds) || seconds > 30 * 86_400) {
    throw new UsageError(`${name} '${value}' is not a duration: use seconds or a number with s, m, h or d, at most 30d (0: no pin)`);
  }
  return seconds;
}

/** Says what went wrong in terms of the flag or variable that fixes it. */
function explain(err: unknown, aws: SdkEc2PortOptions, env: Readonly<Record<string, string | undefined>>): string {
  const message = (err as Error)?.message ?? String(err);
  const code = errorCode(err);
  if (/region is missing/i.test(message)) {
    return 'no AWS Region: give --region or set AWS_REGION (or a region in the profile\'s shared config)';
  }
  const network = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|TimeoutError)\b/;
  const cause = [(err as { cause?: { code?: string } })?.cause?.code, (err as { code?: string })?.code, code, network.exec(message)?.[1]]
    .find((c) => c !== undefined && network.test(c)) ?? '';
  if (cause) {
    const where = aws.endpoint ? `the endpoint ${aws.endpoint} (--endpoint)` : `the AWS endpoint of Region ${aws.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '(default)'}`;
    return `cannot reach ${where}: ${cause}: ${message}. Check --endpoint, --region, the network or proxy settings`;
  }
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return `no AWS credentials: ${message}. Give --profile, set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  return message;
}

/** Prints one progress line per change of state (a new decision, not every poll) and per retried error. */
function progressLogger(io: CliIo, elapsed: () => number): EngineLogger {
  const stamp = () => `[${(elapsed() / 1000).toFixed(1).padStart(5)}s]`;
  let last = '';
  return {
    info(message, fields) {
      if (message !== 'failover decision') return;
      const d = fields.decision;
      const what = d === 'move' ? `move ${fields.from} -> ${fields.to}${fields.force ? ' (force detach)' : ''}`
        : d === 'attach' ? `attach to ${fields.to}` : String(d);
      const key = `${what}|${fields.state ?? ''}|${fields.holder ?? ''}|${fields.attachmentState ?? ''}`;
      if (key === last) return;
      last = key;
      io.stderr(`${stamp()} ${what}: ${fields.reason}`);
    },
    warn(message, fields) {
      last = '';
      if (message === 'health alarms not found') {
        io.stderr(`${stamp()} health alarm(s) ${(fields.alarmNames as string[]).join(', ')} not found: counted as INSUFFICIENT_DATA`);
      } else if (message === 'forcing a detach') {
        io.stderr(`${stamp()} forcing the detach from ${fields.holder}: ${fields.reason}`);
      } else if (message === 'attach refused') {
        io.stderr(`${stamp()} attach to ${fields.instanceId} refused (${fields.code}: ${fields.error}); trying the next healthy candidate`);
      } else if (message === 'failover step failed') {
        io.stderr(`${stamp()} ${fields.code}: ${fields.error}; observing again`);
      } else {
        io.stderr(`${stamp()} ${message}: ${JSON.stringify(fields)}`);
      }
    },
  };
}

function render(eniId: string, r: ReconcileResult, config: ReconcileConfig): string {
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
    if (config.pinUntil !== undefined && r.holder === config.target) {
      lines.push(`Pinned to ${config.target} until ${new Date(config.pinUntil).toISOString()}; lift it with: eni-failover unpin --eni ${eniId} --candidates <ids>`);
    }
  }
  for (const s of r.lastDecision?.skipped ?? []) lines.push(`Skipped ${s.instanceId}: ${s.reason}`);
  return lines.join('\n');
}
