import { AwsError, drive, HarnessOptions, MemoryLogger, StrictCloudWatch, StrictEc2, VirtualClock } from './harness';
import { createHandler, HandlerDeps, Notifier } from '../../src/engine/reconcile.lambda';
import { settingsFromEnv } from '../../src/engine/settings';
import { parseTrigger } from '../../src/engine/triggers';

const ENI = 'eni-0123456789abcdef0';
const PRIMARY = 'i-0000000000000000a';
const STANDBY = 'i-0000000000000000b';
const ENV = { ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: `${PRIMARY},${STANDBY}`, DEADLINE_SECONDS: '60' };

class FakeMetrics {
  public readonly published: Record<string, number>[] = [];
  private current: Record<string, number> = {};
  public readonly dimensions: Record<string, string> = {};
  addDimension(name: string, value: string) { this.dimensions[name] = value; }
  addMetric(name: string, _unit: string, value: number) { this.current[name] = value; }
  publishStoredMetrics() { this.published.push(this.current); this.current = {}; }
}

class FakeNotifier implements Notifier {
  public readonly notices: { subject: string; message: string }[] = [];
  public fail = false;
  async publish(subject: string, message: string) {
    if (this.fail) throw new Error('sns down');
    this.notices.push({ subject, message });
  }
}

function setup(env: Record<string, string> = ENV, withNotifier = true, options: HarnessOptions = {}) {
  const clock = new VirtualClock();
  const ec2 = new StrictEc2(clock, options)
    .addInstance(PRIMARY, 'us-east-1a')
    .addInstance(STANDBY, 'us-east-1a')
    .addEni(ENI, 'us-east-1a', { instanceId: PRIMARY, deviceIndex: 1 });
  const logger = Object.assign(new MemoryLogger(), {
    error(this: MemoryLogger, message: string, fields: Record<string, unknown>) { this.lines.push({ level: 'error', message, fields }); },
  });
  const metrics = new FakeMetrics();
  const notifier = new FakeNotifier();
  const cw = new StrictCloudWatch(clock);
  const deps: HandlerDeps = {
    settings: settingsFromEnv(env), port: ec2, alarms: cw, clock, logger, metrics, notifier: withNotifier ? notifier : undefined,
  };
  const handler = createHandler(() => deps);
  const invoke = async (event: unknown) => (await drive(clock, handler(event)))[0];
  return { clock, ec2, cw, logger, metrics, notifier, invoke };
}

const snsAlarm = (instanceId: string, state = 'ALARM', alarmName = 'primary-status', at = '2025-01-01T00:00:00.000+0000') => ({
  Records: [{
    EventSource: 'aws:sns',
    Sns: {
      Type: 'Notification',
      Subject: `ALARM: "${alarmName}" in US East (N. Virginia)`,
      Message: JSON.stringify({
        AlarmName: alarmName,
        NewStateValue: state,
        OldStateValue: 'OK',
        StateChangeTime: at,
        Trigger: { MetricName: 'StatusCheckFailed', Namespace: 'AWS/EC2', Dimensions: [{ value: instanceId, name: 'InstanceId' }] },
      }),
    },
  }],
});
const stateChange = (instanceId: string, state: string) => ({
  'version': '0',
  'id': 'e1',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'detail': { 'instance-id': instanceId, state },
});
const alarmEvent = (instanceId: string, value: string) => ({
  'detail-type': 'CloudWatch Alarm State Change',
  'source': 'aws.cloudwatch',
  'detail': {
    alarmName: 'probe',
    state: { value, timestamp: '2025-01-01T00:00:30.000+0000' },
    configuration: { metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/EC2', name: 'StatusCheckFailed', dimensions: { InstanceId: instanceId } } } }] },
  },
});
const scheduled = { 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'resources': ['arn:aws:events:us-east-1:123456789012:rule/tick'], 'detail': {} };
const customResource = (
  RequestType: 'Create' | 'Update' | 'Delete', PhysicalResourceId?: string,
  ResourceProperties: Record<string, unknown> = {}, OldResourceProperties?: Record<string, unknown>,
) => ({
  RequestType,
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: 'https://example.invalid',
  StackId: 'stack',
  RequestId: 'r1',
  LogicalResourceId: 'Placement',
  ResourceType: 'Custom::EniPlacement',
  ResourceProperties,
  ...(OldResourceProperties ? { OldResourceProperties } : {}),
  ...(PhysicalResourceId ? { PhysicalResourceId } : {}),
});
/** What EniFailover passes to the placement custom resource (CloudFormation turns numbers into strings). */
const placementProps = (eni = ENI, deviceIndex = '1') => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  NetworkInterfaceId: eni,
  CandidateInstanceIds: [PRIMARY, STANDBY],
  DeviceIndex: deviceIndex,
});

describe('every event shape runs reconcile', () => {
  test.each([
    ['an SNS-wrapped CloudWatch alarm', snsAlarm(STANDBY, 'OK'), 'alarm'],
    ['an EC2 state-change event', stateChange(PRIMARY, 'stopped'), 'state-change'],
    ['an EventBridge alarm state change', alarmEvent(STANDBY, 'OK'), 'alarm'],
    ['a scheduled event', scheduled, 'schedule'],
    ['a direct invoke with no payload', {}, 'direct'],
    ['a direct reconcile', { action: 'reconcile' }, 'direct'],
    ['an event nobody expected', { hello: 'world' }, 'unknown'],
  ])('%s triggers a move off a stopped primary', async (_name, event, kind) => {
    const t = setup();
    t.ec2.stop(PRIMARY);
    const result = await t.invoke(event);
    expect(result).toMatchObject({ outcome: 'converged', from: PRIMARY, to: STANDBY });
    expect(t.ec2.holder(ENI)).toBe(STANDBY);
    expect(t.logger.lines[0]).toMatchObject({ message: 'failover trigger', fields: { trigger: kind } });
  });

  test('the trigger is not trusted: a state-change event claiming the primary stopped changes nothing while it runs', async () => {
    const t = setup();
    const result = await t.invoke(stateChange(PRIMARY, 'stopped'));
    expect(result).toMatchObject({ outcome: 'noop', holder: PRIMARY });
    expect(t.ec2.mutations).toEqual([]);
  });

  // Changed on purpose: an alarm used to force the detach; a running primary with passing status
  // checks now gets a graceful one (AWS: force is a last resort for a failed instance).
  test('an SNS alarm in ALARM for the running primary moves the ENI with a graceful detach', async () => {
    const t = setup();
    const result = await t.invoke(snsAlarm(PRIMARY));
    expect(result).toMatchObject({ outcome: 'converged', to: STANDBY });
    expect(t.ec2.mutations[0].detail).not.toContain('(force)');
  });

  test('a redelivered SNS alarm notice from 3 hours ago (Lambda async retries) moves nothing off a primary that recovered', async () => {
    const t = setup();
    t.clock.advance(3 * 3_600_000);
    const result = await t.invoke(snsAlarm(PRIMARY));
    expect(result).toMatchObject({ outcome: 'noop', holder: PRIMARY });
    expect(t.ec2.mutations).toEqual([]);
  });

  test('a fresh SNS status alarm notice that CloudWatch contradicts (OK since) moves nothing', async () => {
    const t = setup();
    t.clock.advance(120_000);
    t.cw.setAlarm('primary-status', 'OK');
    const result = await t.invoke(snsAlarm(PRIMARY));
    expect(result).toMatchObject({ outcome: 'noop', holder: PRIMARY });
    expect(t.ec2.mutations).toEqual([]);
  });

  test('an EventBridge alarm in ALARM for the primary counts as unhealthy', async () => {
    const t = setup();
    expect(await t.invoke(alarmEvent(PRIMARY, 'ALARM'))).toMatchObject({ outcome: 'converged', to: STANDBY });
  });

  test('status is a dry run and never throws, even with nothing healthy', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY).stop(STANDBY);
    const result = await t.invoke({ action: 'status' });
    expect(result).toMatchObject({ outcome: 'no-healthy', dryRun: true });
    expect(t.ec2.mutations).toEqual([]);
    expect(t.notifier.notices).toEqual([]);
    expect(t.metrics.published).toEqual([]);
  });

  test('move with to puts the ENI on that instance', async () => {
    const t = setup();
    expect(await t.invoke({ action: 'move', to: STANDBY })).toMatchObject({ outcome: 'converged', from: PRIMARY, to: STANDBY });
  });

  test('move to an impaired instance fails loudly unless force is set', async () => {
    const t = setup();
    t.ec2.impair(STANDBY);
    await expect(t.invoke({ action: 'move', to: STANDBY })).rejects.toThrow(`refusing to move ${ENI} to ${STANDBY}: it is not healthy`);
    expect(t.ec2.mutations).toEqual([]);
    expect(await t.invoke({ action: 'move', to: STANDBY, force: true })).toMatchObject({ outcome: 'converged' });
  });

  test('move with a malformed instance id is rejected', async () => {
    const t = setup();
    await expect(t.invoke({ action: 'move', to: 'web-1' })).rejects.toThrow("to 'web-1' is not an instance id: expected i- followed by 8 or 17 hex digits");
  });
});

describe('custom resource (Provider onEvent)', () => {
  test('Create places a free ENI, waiting for freshly launched instances, and returns the ENI as physical id', async () => {
    // A second ENI at device index 2: the first one already sits at index 1 of the primary.
    const t = setup({ ...ENV, ENI_ID: 'eni-0aaaaaaaaaaaaaaaa', DEVICE_INDEX: '2' });
    t.ec2.addEni('eni-0aaaaaaaaaaaaaaaa', 'us-east-1a').start(PRIMARY).start(STANDBY);
    void t.clock.sleep(120_000).then(() => t.ec2.pass(PRIMARY));
    const result = await t.invoke(customResource('Create'));
    expect(result).toEqual({ PhysicalResourceId: 'eni-0aaaaaaaaaaaaaaaa', Data: { InstanceId: PRIMARY, Outcome: 'converged', Action: 'attach' } });
    expect(t.ec2.holder('eni-0aaaaaaaaaaaaaaaa')).toBe(PRIMARY);
  });

  test('Update re-runs placement and reports where the ENI is', async () => {
    const t = setup();
    const result = await t.invoke(customResource('Update', ENI));
    expect(result).toEqual({ PhysicalResourceId: ENI, Data: { InstanceId: PRIMARY, Outcome: 'noop', Action: 'none' } });
  });

  // Rewritten: Delete used to do nothing, so CloudFormation deleted an ENI that was still attached
  // (DeleteNetworkInterface: InvalidNetworkInterface.InUse, DELETE_FAILED), and removing the
  // failover alone left the ENI attached for good.
  test('Delete detaches the ENI named in ResourceProperties gracefully from a healthy holder, so the stack deletion can delete it', async () => {
    const t = setup({ ...ENV, ENI_ID: 'eni-0ffffffffffffffff' });
    const result = await t.invoke(customResource('Delete', ENI, placementProps()));
    expect(result).toEqual({ PhysicalResourceId: ENI });
    expect(t.ec2.mutations.map((m) => m.detail)).toEqual([`${ENI} from ${PRIMARY}`]);
    expect(t.ec2.attachment(ENI)).toBeUndefined();
  });

  test.each([
    ['stopped', (ec2: StrictEc2) => ec2.stop(PRIMARY)],
    ['impaired', (ec2: StrictEc2) => ec2.impair(PRIMARY)],
  ])('Delete force-detaches from a %s holder (a graceful detach from it can hang)', async (_how, fail) => {
    const t = setup();
    fail(t.ec2);
    await t.invoke(customResource('Delete', ENI, placementProps()));
    expect(t.ec2.mutations.map((m) => m.detail)).toEqual([`${ENI} from ${PRIMARY} (force)`]);
    expect(t.ec2.attachment(ENI)).toBeUndefined();
  });

  // Changed on purpose: release() forces a hung detach only from a holder without passing status
  // checks (the rule of failover runs); a holder with passing checks is never forced.
  test('Delete forces a graceful detach that hangs for 30 s on a holder whose status checks have no data', async () => {
    const t = setup(ENV, true, { detachMs: Infinity });
    t.ec2.set(PRIMARY, { statusChecks: 'insufficient-data' });
    await t.invoke(customResource('Delete', ENI, placementProps()));
    expect(t.ec2.mutations.map((m) => [m.detail, m.at - t.ec2.mutations[0].at])).toEqual([[`${ENI} from ${PRIMARY}`, 0], [`${ENI} from ${PRIMARY} (force)`, 30_000]]);
    expect(t.ec2.attachment(ENI)).toBeUndefined();
  });

  test.each([
    ['an ENI that is already deleted', 'eni-0eeeeeeeeeeeeeeee', () => undefined],
    ['a free ENI', 'eni-0aaaaaaaaaaaaaaaa', (ec2: StrictEc2) => ec2.addEni('eni-0aaaaaaaaaaaaaaaa', 'us-east-1a')],
  ])('Delete of %s succeeds without a detach and never fails the stack deletion', async (_what, eni, prepare) => {
    const t = setup();
    prepare(t.ec2);
    expect(await t.invoke(customResource('Delete', eni, placementProps(eni)))).toEqual({ PhysicalResourceId: eni });
    expect(t.ec2.mutations).toEqual([]);
    expect(t.notifier.notices).toEqual([]);
  });

  test('Delete tolerates a detach that finds the attachment gone (another run detached it in between)', async () => {
    const t = setup();
    const detach = t.ec2.detach.bind(t.ec2);
    t.ec2.detach = async (attachmentId) => {
      await detach(attachmentId, true);
      t.clock.advance(1_000);
      throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${attachmentId}' does not exist`);
    };
    expect(await t.invoke(customResource('Delete', ENI, placementProps()))).toEqual({ PhysicalResourceId: ENI });
    expect(t.ec2.attachment(ENI)).toBeUndefined();
  });

  test('Delete leaves the primary interface of an instance alone: it goes with its instance', async () => {
    const t = setup();
    t.ec2.addEni('eni-0ccccccccccccccc0', 'us-east-1a', { instanceId: STANDBY, deviceIndex: 0 });
    expect(await t.invoke(customResource('Delete', 'eni-0ccccccccccccccc0', placementProps('eni-0ccccccccccccccc0')))).toEqual({ PhysicalResourceId: 'eni-0ccccccccccccccc0' });
    expect(t.ec2.mutations).toEqual([]);
  });

  test('Delete fails loudly when the ENI is still attached at the placement deadline', async () => {
    const t = setup({ ...ENV, PLACEMENT_DEADLINE_SECONDS: '120' });
    t.ec2.detachHangs = true;
    await expect(t.invoke(customResource('Delete', ENI, placementProps()))).rejects.toThrow(
      `ENI failover of ${ENI} (CloudFormation Delete Placement): deadline-exceeded: could not detach ${ENI}: ${ENI} is still detaching on ${PRIMARY} after 120s`);
    expect(t.notifier.notices).toHaveLength(1);
  });

  test('Update that names another ENI detaches the old one first (it holds the device index on the holder), then places the new one there', async () => {
    const NEW = 'eni-0bbbbbbbbbbbbbbbb';
    const t = setup();
    t.ec2.addEni(NEW, 'us-east-1a');
    const result = await t.invoke(customResource('Update', ENI, placementProps(NEW), placementProps(ENI)));
    expect(result).toEqual({ PhysicalResourceId: NEW, Data: { InstanceId: PRIMARY, Outcome: 'converged', Action: 'attach' } });
    expect(t.ec2.attachment(ENI)).toBeUndefined();
    expect(t.ec2.holder(NEW)).toBe(PRIMARY);
    expect(t.ec2.mutations.map((m) => m.detail)).toEqual([`${ENI} from ${PRIMARY}`, `${NEW} -> ${PRIMARY}`]);
  });

  test('Update with the same ENI never detaches it', async () => {
    const t = setup();
    const result = await t.invoke(customResource('Update', ENI, placementProps(), placementProps()));
    expect(result).toEqual({ PhysicalResourceId: ENI, Data: { InstanceId: PRIMARY, Outcome: 'noop', Action: 'none' } });
    expect(t.ec2.mutations).toEqual([]);
  });

  test('Create takes the ENI, candidates and device index from ResourceProperties rather than the environment', async () => {
    const NEW = 'eni-0bbbbbbbbbbbbbbbb';
    const t = setup();
    t.ec2.addEni(NEW, 'us-east-1a');
    const result = await t.invoke(customResource('Create', undefined, { ...placementProps(NEW, '2'), CandidateInstanceIds: [STANDBY, PRIMARY] }));
    expect(result).toMatchObject({ PhysicalResourceId: NEW, Data: { InstanceId: STANDBY, Action: 'attach' } });
    expect(t.ec2.attachment(NEW)).toMatchObject({ instanceId: STANDBY, deviceIndex: 2, state: 'attached' });
  });

  test.each([
    [{ NetworkInterfaceId: 'eni-xyz' }, "ResourceProperties.NetworkInterfaceId 'eni-xyz' is not a network interface id"],
    [{ CandidateInstanceIds: 'i-0000000000000000a' }, 'ResourceProperties.CandidateInstanceIds "i-0000000000000000a" is not a list of instance ids'],
    [{ CandidateInstanceIds: ['web'] }, "ResourceProperties.CandidateInstanceIds 'web' is not an instance id"],
    [{ DeviceIndex: '0' }, "ResourceProperties.DeviceIndex '0' is not an integer from 1 to 31"],
  ])('custom resource properties %j are rejected', async (props, message) => {
    const t = setup();
    await expect(t.invoke(customResource('Create', undefined, props))).rejects.toThrow(message);
  });

  test('Create fails the deployment when no candidate becomes healthy before the placement deadline', async () => {
    const t = setup({ ...ENV, ENI_ID: 'eni-0aaaaaaaaaaaaaaaa', DEVICE_INDEX: '2', PLACEMENT_DEADLINE_SECONDS: '300' });
    t.ec2.addEni('eni-0aaaaaaaaaaaaaaaa', 'us-east-1a').start(PRIMARY).start(STANDBY);
    await expect(t.invoke(customResource('Create'))).rejects.toThrow('deadline-exceeded: deadline of 300s passed while waiting for a candidate to become healthy');
  });
});

describe('failures are loud', () => {
  test('no healthy candidate: the invocation throws, a notice is published and NoHealthyCandidate is 1', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY).stop(STANDBY);
    // Rewritten to a state-change run: a scheduled run no longer throws for no-healthy (see below).
    await expect(t.invoke(stateChange(STANDBY, 'stopped'))).rejects.toThrow(`ENI failover of ${ENI} (EC2 ${STANDBY} is stopped): no-healthy`);
    expect(t.notifier.notices).toHaveLength(1);
    expect(t.notifier.notices[0].subject).toBe(`ENI failover no-healthy: ${ENI}`);
    expect(t.notifier.notices[0].message).toContain('"outcome": "no-healthy"');
    expect(t.metrics.published).toEqual([{ Moves: 0, NoHealthyCandidate: 1, DeadlineExceeded: 0 }]);
    expect(t.ec2.holder(ENI)).toBe(PRIMARY);
  });

  test('a scheduled run with no healthy candidate neither throws nor notifies (no retries, dead letters or a notice every 5 minutes), but counts NoHealthyCandidate', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY).stop(STANDBY);
    const result = await t.invoke(scheduled);
    expect(result).toMatchObject({ outcome: 'no-healthy', holder: PRIMARY });
    expect(t.notifier.notices).toEqual([]);
    expect(t.metrics.published).toEqual([{ Moves: 0, NoHealthyCandidate: 1, DeadlineExceeded: 0 }]);
    expect(t.logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'failover no healthy candidate: scheduled run, not failing again' }));
  });

  test('a scheduled run that detached and then found every target refusing the attach still fails loudly', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY).blockIndex(STANDBY, 1);
    await expect(t.invoke(scheduled)).rejects.toThrow(`error: attach refused by ${STANDBY}`);
    expect(t.notifier.notices).toHaveLength(1);
  });

  test('a move that succeeded after EC2 refused an attach is reported with a notice, without failing the invocation', async () => {
    const t = setup({ ...ENV, CANDIDATE_INSTANCE_IDS: `${PRIMARY},${STANDBY},i-0000000000000000d` });
    t.ec2.addInstance('i-0000000000000000d', 'us-east-1a').stop(PRIMARY).blockIndex(STANDBY, 1);
    const result = await t.invoke(scheduled);
    expect(result).toMatchObject({ outcome: 'converged', holder: 'i-0000000000000000d' });
    expect(t.notifier.notices).toEqual([expect.objectContaining({ subject: `ENI failover attach refused: ${ENI}` })]);
    expect(t.notifier.notices[0].message).toContain(`EC2 refused the attach to ${STANDBY} (InvalidParameterValue:`);
  });

  test('a detach that hangs past the deadline throws and counts DeadlineExceeded', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY);
    t.ec2.detachHangs = true;
    await expect(t.invoke({})).rejects.toThrow('deadline-exceeded: deadline of 60s passed while the ENI was detaching');
    expect(t.metrics.published).toEqual([{ Moves: 0, NoHealthyCandidate: 0, DeadlineExceeded: 1 }]);
    expect(t.notifier.notices).toHaveLength(1);
  });

  test('a notice that cannot be sent is logged and the original error still surfaces', async () => {
    const t = setup();
    t.notifier.fail = true;
    t.ec2.stop(PRIMARY).stop(STANDBY);
    await expect(t.invoke({})).rejects.toThrow('no-healthy');
    expect(t.logger.lines.some((l) => l.level === 'error' && l.message === 'failure notice not sent')).toBe(true);
  });

  test('without a topic the failure still throws', async () => {
    const t = setup(ENV, false);
    t.ec2.stop(PRIMARY).stop(STANDBY);
    await expect(t.invoke({})).rejects.toThrow('no-healthy');
  });

  test('a move emits Moves 1 and its duration', async () => {
    const t = setup();
    t.ec2.stop(PRIMARY);
    await t.invoke({});
    expect(t.metrics.published).toEqual([{ Moves: 1, MoveDurationMs: expect.any(Number), NoHealthyCandidate: 0, DeadlineExceeded: 0 }]);
    expect(t.metrics.dimensions).toEqual({ NetworkInterfaceId: ENI });
  });
});

describe('settings from the environment', () => {
  test('defaults', () => {
    expect(settingsFromEnv({ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: `${PRIMARY}, ${STANDBY}` })).toEqual({
      eniId: ENI,
      candidates: [PRIMARY, STANDBY],
      deviceIndex: 1,
      policy: { failback: false, failbackAfterSeconds: 300 },
      deadlineSeconds: 120,
      placementDeadlineSeconds: 600,
      forceDetachAfterSeconds: 30,
      notifyTopicArn: undefined,
      healthAlarms: {},
      maxNoticeAgeSeconds: 600,
      fence: false,
      floatingProbePort: undefined,
      floatingProbeTimeoutMs: 2000,
    });
  });

  test('every variable is read', () => {
    expect(settingsFromEnv({
      ENI_ID: ENI,
      CANDIDATE_INSTANCE_IDS: PRIMARY,
      DEVICE_INDEX: '2',
      FAILBACK: 'true',
      FAILBACK_AFTER_SECONDS: '60',
      DEADLINE_SECONDS: '90',
      PLACEMENT_DEADLINE_SECONDS: '800',
      FORCE_DETACH_AFTER_SECONDS: '12',
      NOTIFY_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:failover',
      HEALTH_ALARMS: `{"${PRIMARY}":["probe, primary","app|checks"]}`,
      MAX_NOTICE_AGE_SECONDS: '300',
      FENCE: 'true',
      FLOATING_PROBE_PORT: '443',
      FLOATING_PROBE_TIMEOUT_MS: '500',
    })).toEqual({
      eniId: ENI,
      candidates: [PRIMARY],
      deviceIndex: 2,
      policy: { failback: true, failbackAfterSeconds: 60 },
      deadlineSeconds: 90,
      placementDeadlineSeconds: 800,
      forceDetachAfterSeconds: 12,
      notifyTopicArn: 'arn:aws:sns:us-east-1:123456789012:failover',
      healthAlarms: { [PRIMARY]: ['probe, primary', 'app|checks'] },
      maxNoticeAgeSeconds: 300,
      fence: true,
      floatingProbePort: 443,
      floatingProbeTimeoutMs: 500,
    });
  });

  test.each([
    ['the compact form', `${PRIMARY}=probe-a|app-a, ${STANDBY}=probe-b`],
    ['JSON', `{"${PRIMARY}":["probe-a","app-a"],"${STANDBY}":["probe-b"]}`],
  ])('HEALTH_ALARMS in %s', (_form, value) => {
    expect(settingsFromEnv({ ...ENV, HEALTH_ALARMS: value }).healthAlarms).toEqual({ [PRIMARY]: ['probe-a', 'app-a'], [STANDBY]: ['probe-b'] });
  });

  test('an empty HEALTH_ALARMS means none', () => {
    expect(settingsFromEnv({ ...ENV, HEALTH_ALARMS: ' ' }).healthAlarms).toEqual({});
  });

  const FORMAT = 'expected i-...=alarmA|alarmB,i-...=alarmC or the JSON {"i-...":["alarmA","alarmB"]}';
  test.each([
    [`${PRIMARY}:probe`, `HEALTH_ALARMS entry '${PRIMARY}:probe' is not instance=alarms: ${FORMAT}`],
    ['web=probe', "HEALTH_ALARMS contains 'web', which is not an instance id: expected i- followed by 8 or 17 hex digits"],
    [`${PRIMARY}=`, `HEALTH_ALARMS alarm name "" for ${PRIMARY} is not allowed: use 1 to 255 characters without control characters`],
    [`${PRIMARY}=a||b`, `HEALTH_ALARMS alarm name "" for ${PRIMARY} is not allowed: use 1 to 255 characters without control characters`],
    [`${PRIMARY}=${'x'.repeat(256)}`, `HEALTH_ALARMS alarm name "${'x'.repeat(256)}" for ${PRIMARY} is not allowed: use 1 to 255 characters without control characters`],
    [`${PRIMARY}=a,${PRIMARY}=b`, `HEALTH_ALARMS lists '${PRIMARY}' twice: give all of its alarms in one entry, separated by |`],
    [`${PRIMARY}=a|a`, `HEALTH_ALARMS lists alarm 'a' twice for ${PRIMARY}`],
    ['i-0000000000000000f=a', 'HEALTH_ALARMS has alarms for i-0000000000000000f, which is not in CANDIDATE_INSTANCE_IDS (i-0000000000000000a,i-0000000000000000b): health alarms belong to candidates'],
    [`{"${PRIMARY}":"probe"}`, `HEALTH_ALARMS gives no alarm names for ${PRIMARY} ("probe"): list one or more alarm names`],
    [`{"${PRIMARY}":[]}`, `HEALTH_ALARMS gives no alarm names for ${PRIMARY} ([]): list one or more alarm names`],
    [`{"${PRIMARY}":[7]}`, `HEALTH_ALARMS alarm name 7 for ${PRIMARY} is not allowed: use 1 to 255 characters without control characters`],
    [`{"${PRIMARY}":["a\\u0007b"]}`, `HEALTH_ALARMS alarm name "a\\u0007b" for ${PRIMARY} is not allowed: use 1 to 255 characters without control characters`],
    ['{"i-0000000000000000a":["a"]', 'HEALTH_ALARMS \'{"i-0000000000000000a":["a"]\' is not valid JSON ('],
    ['{}x', "HEALTH_ALARMS '{}x' is not valid JSON ("],
    ['[]', "HEALTH_ALARMS entry '[]' is not instance=alarms"],
    [`{"${PRIMARY}":${JSON.stringify(Array.from({ length: 101 }, (_, n) => `a${n}`))}}`, 'HEALTH_ALARMS names 101 alarms: at most 100 (one DescribeAlarms request per run)'],
  ])('HEALTH_ALARMS %j is rejected', (value, message) => {
    expect(() => settingsFromEnv({ ...ENV, HEALTH_ALARMS: value })).toThrow(message);
  });

  test.each([
    [{ CANDIDATE_INSTANCE_IDS: PRIMARY }, 'ENI_ID is not set: give the id of the ENI to keep attached'],
    [{ ENI_ID: ENI }, 'CANDIDATE_INSTANCE_IDS is not set: give the candidate instance ids, the primary first'],
    [{ ENI_ID: 'eni-xyz', CANDIDATE_INSTANCE_IDS: PRIMARY }, "ENI_ID 'eni-xyz' is not a network interface id: expected eni- followed by 8 or 17 hex digits"],
    [{ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: `${PRIMARY},web` }, "CANDIDATE_INSTANCE_IDS contains 'web', which is not an instance id: expected i- followed by 8 or 17 hex digits"],
    [{ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: ' , ' }, "CANDIDATE_INSTANCE_IDS ' , ' is empty: give one or more instance ids, the primary first, separated by commas"],
    [{ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: `${PRIMARY},${PRIMARY}` }, `CANDIDATE_INSTANCE_IDS lists '${PRIMARY}' twice: each candidate appears once, in preference order`],
    [{ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: PRIMARY, DEVICE_INDEX: '0' }, "DEVICE_INDEX '0' is not an integer from 1 to 31"],
    [{ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: PRIMARY, FAILBACK: 'maybe' }, "FAILBACK 'maybe' is not a boolean: use true or false"],
    [{ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: PRIMARY, DEADLINE_SECONDS: '1.5' }, "DEADLINE_SECONDS '1.5' is not an integer from 5 to 900"],
    [{ ENI_ID: ENI, CANDIDATE_INSTANCE_IDS: PRIMARY, NOTIFY_TOPIC_ARN: 'my-topic' }, "NOTIFY_TOPIC_ARN 'my-topic' is not an SNS topic ARN"],
  ])('%j is rejected', (env, message) => {
    expect(() => settingsFromEnv(env)).toThrow(message);
  });
});

describe('health alarms in the Lambda', () => {
  const HEALTH = { ...ENV, HEALTH_ALARMS: `${PRIMARY}=primary-probe,${STANDBY}=standby-probe`, FAILBACK: 'true', FAILBACK_AFTER_SECONDS: '300' };

  test('a scheduled run reads HEALTH_ALARMS and moves the ENI off a primary whose probe alarm is in ALARM', async () => {
    const t = setup(HEALTH);
    t.cw.setAlarm('primary-probe', 'ALARM').setAlarm('standby-probe', 'OK');
    const result = await t.invoke(scheduled);
    expect(result).toMatchObject({ outcome: 'converged', from: PRIMARY, to: STANDBY, alarmCalls: 1 });
    expect(t.cw.requests).toEqual([['primary-probe', 'standby-probe']]);
  });

  test('an SNS notice older than the described state does not override it: a stale OK keeps a primary in ALARM unhealthy', async () => {
    const t = setup(HEALTH);
    t.cw.setAlarm('primary-probe', 'ALARM').setAlarm('standby-probe', 'OK');
    // The notice's StateChangeTime (2024) is older than the alarm's last change (the virtual now, 2025).
    const result = await t.invoke(snsAlarm(PRIMARY, 'OK', 'primary-probe', '2024-12-31T23:00:00.000+0000'));
    expect(result).toMatchObject({ outcome: 'converged', to: STANDBY });
  });

  test('the status check alarm (not a configured health alarm) still counts from its SNS notice', async () => {
    const t = setup(HEALTH);
    t.cw.setAlarm('primary-probe', 'OK').setAlarm('standby-probe', 'OK');
    const result = await t.invoke(snsAlarm(PRIMARY));
    expect(result).toMatchObject({ outcome: 'converged', to: STANDBY });
    expect(t.ec2.mutations[0].detail).not.toContain('(force)');
  });

  test('AccessDenied on DescribeAlarms fails the invocation and sends a failure notice', async () => {
    const t = setup(HEALTH);
    t.cw.denied = true;
    await expect(t.invoke(scheduled)).rejects.toThrow(/^ENI failover of eni-0123456789abcdef0 \(schedule arn:aws:events:us-east-1:123456789012:rule\/tick\): error: AccessDenied: /);
    expect(t.notifier.notices[0].subject).toBe(`ENI failover error: ${ENI}`);
  });
});

describe('parseTrigger', () => {
  test('an SNS alarm carries its name, state, instance and state-change time', () => {
    expect(parseTrigger(snsAlarm(PRIMARY, 'ALARM', 'primary-probe', '2025-01-01T12:00:00.000+0000')).alarms).toEqual([
      { alarmName: 'primary-probe', state: 'ALARM', instanceIds: [PRIMARY], changedAt: Date.UTC(2025, 0, 1, 12) },
    ]);
  });

  test('an EventBridge alarm state change carries its name, state, instance and time', () => {
    expect(parseTrigger(alarmEvent(STANDBY, 'OK')).alarms).toEqual([
      { alarmName: 'probe', state: 'OK', instanceIds: [STANDBY], changedAt: Date.UTC(2025, 0, 1, 0, 0, 30) },
    ]);
  });

  test('an SNS alarm without a parsable StateChangeTime has no time, and a composite alarm has no instance', () => {
    const event = { Records: [{ EventSource: 'aws:sns', Sns: { Message: JSON.stringify({ AlarmName: 'app', NewStateValue: 'OK', StateChangeTime: 'yesterday' }) } }] };
    expect(parseTrigger(event).alarms).toEqual([{ alarmName: 'app', state: 'OK', instanceIds: [], changedAt: undefined }]);
  });

  test('an SNS alarm without StateChangeTime is as old as its SNS message (Timestamp), not "now", so a redelivered one is recognised as old', () => {
    const event = {
      Records: [{
        EventSource: 'aws:sns',
        Sns: { Timestamp: '2025-01-01T10:00:00.000Z', Message: JSON.stringify({ AlarmName: 'app', NewStateValue: 'ALARM' }) },
      }],
    };
    expect(parseTrigger(event).alarms).toEqual([{ alarmName: 'app', state: 'ALARM', instanceIds: [], changedAt: Date.UTC(2025, 0, 1, 10) }]);
  });

  test('an SNS alarm for a metric-math alarm finds the instance in the metric dimensions', () => {
    const event = {
      Records: [{
        EventSource: 'aws:sns',
        Sns: {
          Message: JSON.stringify({
            AlarmName: 'm',
            NewStateValue: 'ALARM',
            Trigger: { Metrics: [{ Id: 'm1', MetricStat: { Metric: { Dimensions: [{ value: PRIMARY, name: 'InstanceId' }] } } }] },
          }),
        },
      }],
    };
    expect(parseTrigger(event)).toMatchObject({ kind: 'alarm', alarmStates: { [PRIMARY]: 'ALARM' }, summary: 'SNS alarm m=ALARM' });
  });

  test('an SNS message that is not an alarm is still a trigger, without alarm states', () => {
    expect(parseTrigger({ Records: [{ EventSource: 'aws:sns', Sns: { Message: 'hello' } }] })).toMatchObject({ kind: 'alarm', alarmStates: {}, summary: 'SNS message' });
  });

  test.each([null, undefined, 'text', 42])('%p is a direct reconcile', (event) => {
    expect(parseTrigger(event)).toMatchObject({ kind: 'direct', action: 'reconcile' });
  });
});
