/**
 * The engine and the CLI against moto_server: real HTTP, the real AWS SDK with its retries and
 * XML (EC2) and JSON (CloudWatch) parsing. moto is lax (it would attach an ENI that is in use, or across AZs), so these tests
 * never rely on it refusing anything; the strict rules live in the harness tests.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand, StateValue } from '@aws-sdk/client-cloudwatch';
import {
  CreateNetworkInterfaceCommand, CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, DescribeNetworkInterfacesCommand,
  EC2Client, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { MemoryLogger } from './harness';
import { Moto, startMoto } from './moto';
import { SdkAlarmPort } from '../../src/engine/alarm-port';
import { run } from '../../src/engine/cli';
import { SdkEc2Port } from '../../src/engine/ec2-port';
import { reconcile, ReconcileConfig, release, systemClock } from '../../src/engine/engine';

const REGION = 'us-east-1';
const CREDENTIAL_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };

let moto: Moto;
let ec2: EC2Client;
let cloudwatch: CloudWatchClient;
let eniId: string;
let primary: string;
let standby: string;
let otherAz: string;
const savedEnv: Record<string, string | undefined> = {};

async function holder(): Promise<{ instanceId?: string; deviceIndex?: number }> {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
  const a = out.NetworkInterfaces?.[0].Attachment;
  return { instanceId: a?.InstanceId, deviceIndex: a?.DeviceIndex };
}

function engineRun(overrides: Partial<ReconcileConfig> = {}) {
  const port = SdkEc2Port.create({ endpoint: moto.endpoint, region: REGION });
  const config: ReconcileConfig = {
    eniId,
    candidates: [primary, standby],
    deviceIndex: 1,
    policy: { failback: false, failbackAfterSeconds: 0 },
    deadlineSeconds: 30,
    pollInitialMs: 50,
    pollMaxMs: 200,
    ...overrides,
  };
  const alarms = SdkAlarmPort.create({ endpoint: moto.endpoint, region: REGION });
  return reconcile(config, port, { clock: systemClock, logger: new MemoryLogger(), alarms });
}

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...argv, '--region', REGION, '--endpoint', moto.endpoint, '--deadline', '30'], {
    stdout: (l) => out.push(l), stderr: (l) => err.push(l),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

beforeAll(async () => {
  for (const [k, v] of Object.entries(CREDENTIAL_ENV)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  moto = await startMoto();
  ec2 = new EC2Client({ endpoint: moto.endpoint, region: REGION });
  cloudwatch = new CloudWatchClient({ endpoint: moto.endpoint, region: REGION });
  const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const subnetA = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const subnetB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
  const launch = async (subnet: string) => (await ec2.send(new RunInstancesCommand({
    ImageId: image, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet,
  }))).Instances![0].InstanceId!;
  primary = await launch(subnetA);
  standby = await launch(subnetA);
  otherAz = await launch(subnetB);
  eniId = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Description: 'floating' }))).NetworkInterface!.NetworkInterfaceId!;
}, 60_000);

afterAll(async () => {
  ec2?.destroy();
  cloudwatch?.destroy();
  await moto?.stop();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('engine against moto_server', () => {
  test('initial placement attaches the free ENI to the primary at device index 1', async () => {
    const result = await engineRun();
    expect(result).toMatchObject({ outcome: 'converged', action: 'attach', to: primary, holder: primary });
    expect(await holder()).toEqual({ instanceId: primary, deviceIndex: 1 });
  });

  test('StopInstances on the primary: reconcile moves the ENI to the standby in four calls besides polls', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [primary] }));
    const result = await engineRun();
    expect(result).toMatchObject({ outcome: 'converged', action: 'move', from: primary, to: standby, holder: standby });
    expect(result.apiCalls - result.polls).toBe(4);
    expect(result.lastDecision?.kind).toBe('noop');
    expect(await holder()).toEqual({ instanceId: standby, deviceIndex: 1 });
  });

  test('failback off keeps the standby when the primary runs again; failback on moves the ENI back', async () => {
    await ec2.send(new StartInstancesCommand({ InstanceIds: [primary] }));
    expect(await engineRun()).toMatchObject({ outcome: 'noop', holder: standby });
    const back = await engineRun({ policy: { failback: true, failbackAfterSeconds: 0 } });
    expect(back).toMatchObject({ outcome: 'converged', from: standby, to: primary });
    expect(await holder()).toEqual({ instanceId: primary, deviceIndex: 1 });
  });

  test('a candidate EC2 does not know (terminated over an hour ago) is described as terminated, not an error that blocks every run', async () => {
    const port = SdkEc2Port.create({ endpoint: moto.endpoint, region: REGION });
    const seen = await port.describeCandidates(['i-0123456789abcdef0', primary]);
    expect(seen[0]).toEqual({ instanceId: 'i-0123456789abcdef0', availabilityZone: 'unknown', state: 'terminated', statusChecks: 'not-applicable' });
    expect(seen[1]).toMatchObject({ instanceId: primary, availabilityZone: 'us-east-1a' });
    const result = await engineRun({ candidates: ['i-0123456789abcdef0', primary, standby] });
    expect(['noop', 'converged']).toContain(result.outcome);
  });

  test('a repeated run changes nothing', async () => {
    expect(await engineRun()).toMatchObject({ outcome: 'noop', action: 'none', apiCalls: 2 });
    expect((await holder()).instanceId).toBe(primary);
  });
});

describe('health alarms against moto_server', () => {
  // Names with the characters the compact HEALTH_ALARMS form cannot carry: the JSON form can.
  const primaryProbe = 'primary probe, port 443 | web';
  const standbyProbe = 'standby-probe';

  async function putProbeAlarm(name: string, instanceId: string) {
    await cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'EniFailover',
      MetricName: 'ProbeSuccess',
      Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    }));
  }
  const setState = (alarmName: string, state: StateValue) =>
    cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: 'test' }));

  test('a probe alarm set to ALARM with SetAlarmState is read by the engine: the ENI leaves the running primary', async () => {
    await putProbeAlarm(primaryProbe, primary);
    await putProbeAlarm(standbyProbe, standby);
    await setState(primaryProbe, 'ALARM');
    await setState(standbyProbe, 'OK');
    const healthAlarms = { [primary]: [primaryProbe], [standby]: [standbyProbe] };

    const result = await engineRun({ healthAlarms });
    expect(result).toMatchObject({ outcome: 'converged', action: 'move', from: primary, to: standby, alarmCalls: 1 });
    expect(result.candidates?.[0]).toMatchObject({ alarm: 'ALARM', health: 'unhealthy', alarms: [{ alarmName: primaryProbe, state: 'ALARM', source: 'described' }] });
    expect(result.apiCalls - result.polls).toBe(4);
    expect((await holder()).instanceId).toBe(standby);

    // The alarm clears: failback (immediate here) brings the ENI back to the primary.
    await setState(primaryProbe, 'OK');
    const back = await engineRun({ healthAlarms, policy: { failback: true, failbackAfterSeconds: 0 } });
    expect(back).toMatchObject({ outcome: 'converged', from: standby, to: primary });
    expect((await holder()).instanceId).toBe(primary);
  });

  test('the CLI reads --health-alarms in the JSON form and shows each state; an alarm that does not exist is flagged', async () => {
    const alarms = JSON.stringify({ [primary]: [primaryProbe], [standby]: ['no-such-alarm'] });
    const r = await cli('status', '--eni', eniId, '--candidates', `${primary},${standby}`, '--health-alarms', alarms);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`1. ${primary}  us-east-1a  running, checks ok, alarms ${primaryProbe}=OK: healthy  <- holder`);
    expect(r.stdout).toContain(`2. ${standby}  us-east-1a  running, checks ok, alarms no-such-alarm=INSUFFICIENT_DATA (missing): healthy`);
    expect(r.stderr).toContain('health alarm(s) no-such-alarm not found');
  });
});

describe('CLI against moto_server', () => {
  test('status --json reports the holder and every candidate, exit 0', async () => {
    const r = await cli('status', '--eni', eniId, '--candidates', `${primary},${standby}`, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ eniId, holder: primary, outcome: 'noop', dryRun: true, availabilityZone: 'us-east-1a' });
    expect(json.candidates.map((c: { instanceId: string; health: string }) => [c.instanceId, c.health])).toEqual([[primary, 'healthy'], [standby, 'healthy']]);
  });

  test('status without candidates describes the holder', async () => {
    const r = await cli('status', '--eni', eniId);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ENI ${eniId} (us-east-1a) in-use, attached to ${primary}`);
    expect(r.stdout).toContain(`1. ${primary}  us-east-1a  running, checks ok: healthy  <- holder`);
  });

  test('move --to the standby moves the ENI and prints progress, exit 0', async () => {
    const r = await cli('move', '--eni', eniId, '--candidates', `${primary},${standby}`, '--to', standby);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`move ${primary} -> ${standby}`);
    expect(r.stdout).toContain(`Outcome: converged (move ${primary} -> ${standby})`);
    expect((await holder()).instanceId).toBe(standby);
  });

  test('the pin that move left holds against failback; after unpin, reconcile --dry-run --failback says what it would do and changes nothing', async () => {
    const pinned = await cli('reconcile', '--eni', eniId, '--candidates', `${primary},${standby}`, '--failback', '--failback-after', '0', '--dry-run');
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain(`Would noop: ${standby} is pinned (maintenance mode) and holds the ENI`);
    const unpin = await cli('unpin', '--eni', eniId, '--candidates', `${primary},${standby}`);
    expect(unpin).toMatchObject({ code: 0 });
    expect(unpin.stderr).toContain(`lifted the pin of ${eniId} on ${standby}`);
    const r = await cli('reconcile', '--eni', eniId, '--candidates', `${primary},${standby}`, '--failback', '--failback-after', '0', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Would move (to ${primary})`);
    expect((await holder()).instanceId).toBe(standby);
  });

  test('move to an instance in another AZ is refused, exit 1, nothing changes', async () => {
    const r = await cli('move', '--eni', eniId, '--to', otherAz, '--force');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`refusing to move ${eniId} to ${otherAz}: in us-east-1b, the ENI is in us-east-1a`);
    expect((await holder()).instanceId).toBe(standby);
  });

  test('an unknown ENI is refused with a clear message, exit 1', async () => {
    const r = await cli('reconcile', '--eni', 'eni-0123456789abcdef0', '--candidates', primary, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'error', message: "refusing to act: The networkInterface ID 'eni-0123456789abcdef0' does not exist" });
  });

  test('an unknown instance typed on the command line is refused, exit 1, nothing changes', async () => {
    const r = await cli('reconcile', '--eni', eniId, '--candidates', `i-0123456789abcdef0,${primary}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('refusing to act: EC2 does not know i-0123456789abcdef0 (a typo, or terminated more than about an hour ago)');
    expect((await holder()).instanceId).toBe(standby);
  });

  test('with both instances stopped reconcile exits 3 and leaves the ENI on its holder', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [primary, standby] }));
    const r = await cli('reconcile', '--eni', eniId, '--candidates', `${primary},${standby}`);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Outcome: no-healthy');
    expect((await holder()).instanceId).toBe(standby);
  });

  test('a usage error exits 2 and changes nothing', async () => {
    const r = await cli('move', '--eni', eniId);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('move needs --to <instance-id>');
  });
});

describe('release (the placement custom resource Delete) against moto_server', () => {
  const releaseRun = (id: string) => release({ eniId: id, deadlineSeconds: 30, pollInitialMs: 50, pollMaxMs: 200 },
    SdkEc2Port.create({ endpoint: moto.endpoint, region: REGION }), { clock: systemClock, logger: new MemoryLogger() });

  test('detaches the ENI from its stopped holder with a forced detach, so DeleteNetworkInterface can succeed', async () => {
    expect((await holder()).instanceId).toBe(standby);
    const result = await releaseRun(eniId);
    expect(result).toMatchObject({ outcome: 'released', from: standby, forced: true });
    expect(await holder()).toEqual({ instanceId: undefined, deviceIndex: undefined });
  });

  test('a free ENI is already released, and an ENI that no longer exists is gone: neither fails a stack deletion', async () => {
    expect(await releaseRun(eniId)).toMatchObject({ outcome: 'already-free', forced: false });
    expect(await releaseRun('eni-0123456789abcdef0')).toMatchObject({ outcome: 'gone' });
  });
});
