import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { drive, StrictCloudWatch, StrictEc2, VirtualClock } from './harness';
import { SdkAlarmPortOptions } from '../../src/engine/alarm-port';
import { EXIT_CODES, run, USAGE } from '../../src/engine/cli';
import { SdkEc2PortOptions } from '../../src/engine/ec2-port';

const ENI = 'eni-0123456789abcdef0';
const PRIMARY = 'i-0000000000000000a';
const STANDBY = 'i-0000000000000000b';

function setup() {
  const clock = new VirtualClock();
  const ec2 = new StrictEc2(clock)
    .addInstance(PRIMARY, 'us-east-1a')
    .addInstance(STANDBY, 'us-east-1a')
    .addEni(ENI, 'us-east-1a', { instanceId: PRIMARY, deviceIndex: 1 });
  const cw = new StrictCloudWatch(clock);
  const portOptions: SdkEc2PortOptions[] = [];
  const alarmPortOptions: SdkAlarmPortOptions[] = [];
  const cli = async (...argv: string[]) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const [code] = await drive(clock, run(argv, {
      stdout: (l) => stdout.push(l),
      stderr: (l) => stderr.push(l),
      clock,
      makePort: (o) => { portOptions.push(o); return ec2; },
      makeAlarmPort: (o) => { alarmPortOptions.push(o); return cw; },
    }));
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  };
  return { clock, ec2, cw, cli, portOptions, alarmPortOptions };
}

describe('eni-failover CLI', () => {
  test('reconcile after the primary stopped prints a progress line per decision and a summary, exit 0', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY);
    const r = await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`);
    expect(r.code).toBe(EXIT_CODES.ok);
    const progress = r.stderr.split('\n');
    expect(progress[0]).toBe(`[  0.0s] move ${PRIMARY} -> ${STANDBY} (force detach): holder ${PRIMARY} is unhealthy (state stopped, status checks not-applicable; forced detach: it has failed); ${STANDBY} is the first healthy candidate`);
    // One line per change of state, not one per poll.
    expect(progress.filter((l) => l.includes(`wait: attachment to ${PRIMARY} is detaching`))).toHaveLength(1);
    expect(progress.filter((l) => l.includes(`wait: attachment to ${STANDBY} is attaching`))).toHaveLength(1);
    expect(r.stdout).toContain(`Outcome: converged (move ${PRIMARY} -> ${STANDBY})`);
    expect(r.stdout).toContain(`${t.ec2.totalCalls} EC2 calls`);
    expect(t.ec2.holder(ENI)).toBe(STANDBY);
  });

  test('a detach that hangs exits 4 at the deadline', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY);
    t.ec2.detachHangs = true;
    const r = await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`, '--deadline', '30');
    expect(r.code).toBe(EXIT_CODES.deadline);
    expect(r.stdout).toContain('Outcome: deadline-exceeded');
  });

  test('a run that only waited for another run\'s attach exits 0 and says it waited, not that it converged', async () => {
    const t = setup();
    // A killed run detached the ENI and sent the attach to the standby: this run only waits for it.
    await t.ec2.detach(t.ec2.attachment(ENI)!.attachmentId, true);
    t.clock.advance(1_000);
    await t.ec2.attach(ENI, STANDBY, 1);
    const r = await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`);
    expect(r.code).toBe(EXIT_CODES.ok);
    expect(r.stdout).toContain('Outcome: waited');
  });

  test('an attach every healthy candidate refuses exits 1 with the refusal on stderr and in the summary', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY).blockIndex(STANDBY, 1);
    const r = await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`);
    expect(r.code).toBe(EXIT_CODES.error);
    expect(r.stderr).toContain(`attach to ${STANDBY} refused (InvalidParameterValue: Instance '${STANDBY}' already has an interface attached at device index '1'.); trying the next healthy candidate`);
    expect(r.stdout).toContain(`Outcome: error (move ${PRIMARY} -> ${STANDBY}): attach refused by ${STANDBY}`);
  });

  // Changed on purpose: --force-detach-after is gone. A slow detach from a running holder with
  // passing status checks is never forced (AWS: force is a last resort for a failed instance).
  test('a move whose graceful detach hangs on a healthy holder is not forced: exit 4 at the deadline, one progress line for the wait', async () => {
    const t = setup();
    const ec2 = new StrictEc2(t.clock, { detachMs: Infinity }).addInstance(PRIMARY, 'us-east-1a').addInstance(STANDBY, 'us-east-1a')
      .addEni(ENI, 'us-east-1a', { instanceId: PRIMARY, deviceIndex: 1 });
    const stderr: string[] = [];
    const [code] = await drive(t.clock, run(['move', `--eni=${ENI}`, `--to=${STANDBY}`, '--deadline=20'], {
      stdout: () => undefined, stderr: (l) => stderr.push(l), clock: t.clock, makePort: () => ec2,
    }));
    expect(code).toBe(EXIT_CODES.deadline);
    expect(stderr.filter((l) => l.includes('forcing'))).toEqual([]);
    expect(stderr.filter((l) => l.includes('wait: attachment to'))).toHaveLength(1);
    expect(ec2.forcedFromHealthy).toEqual([]);
  });

  test('move pins the target: the next failback run (as the Lambda would run it) keeps the ENI there; unpin lifts it and reconcile fails back', async () => {
    const t = setup();
    const moved = await t.cli('move', '--eni', ENI, '--to', STANDBY, '--for', '2h');
    expect(moved.code).toBe(EXIT_CODES.ok);
    expect(moved.stdout).toContain(`Pinned to ${STANDBY} until ${new Date(t.clock.now() + 7_200_000).toISOString().slice(0, 16)}`);
    expect(t.ec2.tags(ENI)['eni-failover:pin']).toMatch(new RegExp(`^${STANDBY}@`));
    const lambdaLike = await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`, '--failback', '--failback-after', '0');
    expect(lambdaLike.code).toBe(EXIT_CODES.ok);
    expect(t.ec2.holder(ENI)).toBe(STANDBY);
    const unpinned = await t.cli('unpin', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`, '--failback', '--failback-after', '0');
    expect(unpinned.code).toBe(EXIT_CODES.ok);
    expect(unpinned.stderr).toContain(`lifted the pin of ${ENI} on ${STANDBY}`);
    expect(t.ec2.tags(ENI)).toEqual({});
    expect(t.ec2.holder(ENI)).toBe(PRIMARY);
  });

  test('--function loads the deployed settings: reconcile decides like the Lambda (failback on, its health alarms)', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY);
    await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`);
    t.ec2.start(PRIMARY).pass(PRIMARY);
    t.cw.setAlarm('primary-probe', 'OK');
    const names: string[] = [];
    const env = { ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: `${PRIMARY},${STANDBY}`, FAILBACK: 'true', FAILBACK_AFTER_SECONDS: '0', HEALTH_ALARMS: `{"${PRIMARY}":["primary-probe"]}` };
    const [code] = await drive(t.clock, run(['reconcile', '--function', 'failover-fn', '--json'], {
      stdout: (l) => names.push(l),
      stderr: () => undefined,
      clock: t.clock,
      makePort: () => t.ec2,
      makeAlarmPort: () => t.cw,
      makeFunctionReader: () => async (name) => { names.push(name); return env; },
    }));
    expect(code).toBe(EXIT_CODES.ok);
    expect(names[0]).toBe('failover-fn');
    expect(JSON.parse(names[1])).toMatchObject({ eniId: ENI, outcome: 'converged', from: STANDBY, to: PRIMARY, alarmCalls: 1 });
  });

  test('a missing Region is reported as such, with the flag and variable that fix it, exit 1', async () => {
    const t = setup();
    const stderr: string[] = [];
    const code = await run(['status', '--eni', ENI], {
      stdout: () => undefined,
      stderr: (l) => stderr.push(l),
      clock: t.clock,
      env: {},
      makePort: () => ({ ...t.ec2, describeNetworkInterface: async () => { throw new Error('Region is missing'); } }) as never,
    });
    expect(code).toBe(EXIT_CODES.error);
    expect(stderr.join('\n')).toContain('no AWS Region: give --region or set AWS_REGION');
  });

  test('an unreachable endpoint is reported as such, naming --endpoint, exit 1', async () => {
    const t = setup();
    const stderr: string[] = [];
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const code = await run(['status', '--eni', ENI, '--endpoint', 'http://127.0.0.1:1'], {
      stdout: () => undefined,
      stderr: (l) => stderr.push(l),
      clock: t.clock,
      makePort: () => ({ ...t.ec2, describeNetworkInterface: async () => { throw refused; } }) as never,
    });
    expect(code).toBe(EXIT_CODES.error);
    expect(stderr.join('\n')).toContain('cannot reach the endpoint http://127.0.0.1:1 (--endpoint): ECONNREFUSED');
  });

  test('nothing healthy exits 3, also for status', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY).stop(STANDBY);
    expect((await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`)).code).toBe(EXIT_CODES.noHealthy);
    expect((await t.cli('status', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`)).code).toBe(EXIT_CODES.noHealthy);
    expect(t.ec2.mutations).toEqual([]);
  });

  test('move to an impaired instance is refused without --force and done with it', async () => {
    const t = setup();
    t.ec2.impair(STANDBY);
    const refused = await t.cli('move', '--eni', ENI, '--to', STANDBY);
    expect(refused.code).toBe(EXIT_CODES.error);
    expect(refused.stdout).toContain('it is not healthy (state running, status checks impaired); use force to move anyway');
    expect(t.ec2.mutations).toEqual([]);
    const forced = await t.cli('move', '--eni', ENI, '--to', STANDBY, '--force', '--json');
    expect(forced.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(forced.stdout)).toMatchObject({ eniId: ENI, outcome: 'converged', to: STANDBY });
  });

  test('status of a free ENI without candidates says so', async () => {
    const t = setup();
    t.ec2.addEni('eni-0aaaaaaaaaaaaaaaa', 'us-east-1a');
    const r = await t.cli('status', '--eni', 'eni-0aaaaaaaaaaaaaaaa');
    expect(r).toMatchObject({ code: 0, stdout: 'ENI eni-0aaaaaaaaaaaaaaaa (us-east-1a) is available and attached to nothing; give --candidates to see what reconcile would do' });
  });

  test('region, profile and endpoint are passed to the EC2 client', async () => {
    const t = setup();
    await t.cli('status', '--eni', ENI, '--region', 'eu-west-1', '--profile', 'ops', '--endpoint', 'http://127.0.0.1:5000');
    expect(t.portOptions).toEqual([{ region: 'eu-west-1', profile: 'ops', endpoint: 'http://127.0.0.1:5000' }]);
  });

  test('--health-alarms: reconcile moves off a primary whose probe alarm is in ALARM and reports the CloudWatch call', async () => {
    const t = setup();
    t.cw.setAlarm('primary-probe', 'ALARM').setAlarm('standby-probe', 'OK');
    const r = await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`,
      '--health-alarms', `${PRIMARY}=primary-probe,${STANDBY}=standby-probe`, '--endpoint', 'http://127.0.0.1:5000');
    expect(r.code).toBe(EXIT_CODES.ok);
    expect(r.stderr.split('\n')[0]).toBe(`[  0.0s] move ${PRIMARY} -> ${STANDBY}: holder ${PRIMARY} is unhealthy (state running, status checks ok, alarm ALARM; graceful detach: it still runs with passing status checks); ${STANDBY} is the first healthy candidate`);
    expect(r.stdout).toContain(`${t.ec2.totalCalls} EC2 calls (`);
    expect(r.stdout).toMatch(/ EC2 calls \(\d+ polls\), 1 CloudWatch call$/m);
    expect(t.alarmPortOptions).toEqual([{ region: undefined, profile: undefined, endpoint: 'http://127.0.0.1:5000' }]);
  });

  test('status lists each health alarm with its state; a missing one is flagged', async () => {
    const t = setup();
    t.cw.setAlarm('primary-probe', 'OK');
    const r = await t.cli('status', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`, '--health-alarms', `{"${PRIMARY}":["primary-probe"],"${STANDBY}":["gone"]}`);
    expect(r.code).toBe(EXIT_CODES.ok);
    expect(r.stdout).toContain(`1. ${PRIMARY}  us-east-1a  running, checks ok, alarms primary-probe=OK: healthy  <- holder`);
    expect(r.stdout).toContain(`2. ${STANDBY}  us-east-1a  running, checks ok, alarms gone=INSUFFICIENT_DATA (missing): healthy`);
    expect(r.stderr).toContain('health alarm(s) gone not found: counted as INSUFFICIENT_DATA');
  });

  test('without --health-alarms no CloudWatch client is made', async () => {
    const t = setup();
    await t.cli('reconcile', '--eni', ENI, '--candidates', `${PRIMARY},${STANDBY}`);
    expect(t.alarmPortOptions).toEqual([]);
    expect(t.cw.calls).toBe(0);
  });

  test('--help prints the usage, exit 0', async () => {
    const t = setup();
    expect(await t.cli('--help')).toMatchObject({ code: 0, stdout: USAGE });
  });

  test.each([
    [[], 'expected one command (status, reconcile, move, unpin), got none'],
    [['swap', '--eni', ENI], "unknown command 'swap': use status, reconcile, move, unpin"],
    [['move', '--eni', ENI, '--to', STANDBY, '--for', 'soon'], "--for 'soon' is not a duration"],
    [['reconcile', '--eni', ENI, '--candidates', PRIMARY, '--for', '1h'], '--for only applies to move, not reconcile'],
    [['status'], '--eni is required'],
    [['reconcile', '--eni', ENI], 'reconcile needs --candidates, the primary first'],
    [['move', '--eni', ENI], 'move needs --to <instance-id>'],
    [['status', '--eni', ENI, '--to', STANDBY], '--to only applies to move, not status'],
    [['reconcile', '--eni', ENI, '--candidates', PRIMARY, '--force'], '--force only applies to move, not reconcile'],
    [['status', '--eni', 'eni-1'], "--eni 'eni-1' is not a network interface id: expected eni- followed by 8 or 17 hex digits"],
    [['move', '--eni', ENI, '--to', 'web1'], "--to 'web1' is not an instance id"],
    [['move', '--eni', ENI, '--candidates', PRIMARY, '--to', STANDBY],
      `--to ${STANDBY} is not a candidate (${PRIMARY}): the failover function ignores a pin on it, so its next run would move the ENI away again. Add it to the candidates, or give --for 0 to move without a pin`],
    [['reconcile', '--eni', ENI, '--candidates', PRIMARY, '--device-index', 'x'], "--device-index 'x' is not an integer from 1 to 31"],
    [['status', '--eni', ENI, '--bogus'], "Unknown option '--bogus'"],
    [['reconcile', '--eni', ENI, '--candidates', PRIMARY, '--health-alarms', 'probe'], "--health-alarms entry 'probe' is not instance=alarms: expected i-...=alarmA|alarmB,i-...=alarmC or the JSON"],
    [['reconcile', '--eni', ENI, '--candidates', PRIMARY, '--health-alarms', `${STANDBY}=probe`],
      `--health-alarms has alarms for ${STANDBY}, which is not in --candidates or --to (${PRIMARY}): health alarms belong to candidates`],
    [['reconcile', '--eni', ENI, '--candidates', PRIMARY, '--health-alarms', '{"i-1":'], '--health-alarms \'{"i-1":\' is not valid JSON ('],
  ])('%j is a usage error, exit 2', async (argv, message) => {
    const t = setup();
    const r = await t.cli(...argv);
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain(message);
    expect(t.ec2.totalCalls).toBe(0);
  });
});

describe('eni-failover CLI with the real AWS SDK and no server', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' }));
  afterAll(() => { process.env = saved; });

  test('a closed port on 127.0.0.1 is reported as an unreachable endpoint, exit 1', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    const stderr: string[] = [];
    const code = await run(['status', '--eni', ENI, '--region', 'us-east-1', '--endpoint', `http://127.0.0.1:${port}`], {
      stdout: () => undefined, stderr: (l) => stderr.push(l),
    });
    expect(code).toBe(EXIT_CODES.error);
    expect(stderr.join('\n')).toContain(`cannot reach the endpoint http://127.0.0.1:${port} (--endpoint): ECONNREFUSED`);
  });

  test.each([
    ['status', '--candidates', `${PRIMARY},${STANDBY}`, '--json'],
    ['reconcile', '--candidates', `${PRIMARY},${STANDBY}`, '--json'],
    ['move', '--to', STANDBY, '--json'],
  ])('%s %s %s: an unreachable endpoint inside the engine loop is explained at once, and --json still prints JSON', async (...args) => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    const stderr: string[] = [];
    const stdout: string[] = [];
    const code = await run([args[0], '--eni', ENI, ...args.slice(1), '--region', 'us-east-1', '--endpoint', `http://127.0.0.1:${port}`], {
      stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l),
    });
    expect(code).toBe(EXIT_CODES.error);
    const explained = `cannot reach the endpoint http://127.0.0.1:${port} (--endpoint): ECONNREFUSED`;
    expect(stderr.join('\n')).toContain(explained);
    expect(stderr.join('\n')).not.toContain('observing again');
    const json = JSON.parse(stdout.join('\n'));
    expect(json).toMatchObject({ eniId: ENI, outcome: 'error' });
    expect(json.message).toContain(explained);
  });

  test('no Region anywhere is reported with the flag and the variable that fix it, exit 1', async () => {
    const stderr: string[] = [];
    const env = { ...process.env };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent';
    try {
      const code = await run(['status', '--eni', ENI], { stdout: () => undefined, stderr: (l) => stderr.push(l) });
      expect(code).toBe(EXIT_CODES.error);
      expect(stderr.join('\n')).toContain('no AWS Region: give --region or set AWS_REGION');
    } finally {
      process.env = env;
    }
  });
});

describe('the documented CLI examples', () => {
  /**
   * The `eni-failover` commands of every sh block in the README and the CLI manual (docs/eni-failover.md),
   * in that order, continuation lines joined, split into words.
   */
  function examples(): string[][] {
    const root = path.join(__dirname, '..', '..');
    const text = ['README.md', 'docs/eni-failover.md'].map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.startsWith('eni-failover ')))
      .map((l) => [...l.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(1));
  }

  test('every example runs as written against a world with its ids, exit 0', async () => {
    const list = examples();
    expect(list.length).toBeGreaterThanOrEqual(5);
    const clock = new VirtualClock();
    const ec2 = new StrictEc2(clock)
      .addInstance('i-0aaaaaaaaaaaaaaaa', 'eu-west-1a')
      .addInstance('i-0bbbbbbbbbbbbbbbb', 'eu-west-1a')
      .addEni('eni-0123456789abcdef0', 'eu-west-1a', { instanceId: 'i-0aaaaaaaaaaaaaaaa', deviceIndex: 1 });
    const cw = new StrictCloudWatch(clock).setAlarm('web-primary-probe', 'OK').setAlarm('web-standby-probe', 'OK');
    const env = { ENI_ID: 'eni-0123456789abcdef0', CANDIDATE_INSTANCE_IDS: 'i-0aaaaaaaaaaaaaaaa,i-0bbbbbbbbbbbbbbbb', FAILBACK: 'true' };
    for (const argv of list) {
      const stderr: string[] = [];
      const [code] = await drive(clock, run(argv, {
        stdout: () => undefined,
        stderr: (l) => stderr.push(l),
        clock,
        makePort: () => ec2,
        makeAlarmPort: () => cw,
        makeFunctionReader: () => async () => env,
      }));
      expect({ argv, code, stderr }).toMatchObject({ argv, code: EXIT_CODES.ok });
    }
    // The pin example kept the ENI on the standby until unpin; failback (deployed setting) then moved it back.
    expect(ec2.holder('eni-0123456789abcdef0')).toBe('i-0aaaaaaaaaaaaaaaa');
  });
});
