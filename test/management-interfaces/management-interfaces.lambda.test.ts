import { drive, GROUP, MemoryLogger, SETTINGS, StrictCloud, SUBNETS, VirtualClock } from './harness';
import { settingsFromEnv, MGMT_ENV } from '../../src/engine/management-interfaces/contract';
import { createHandler, parseEvent } from '../../src/engine/management-interfaces/management-interfaces.lambda';

const launchEvent = (instanceId: string, group = GROUP) => ({
  'detail-type': 'EC2 Instance-launch Lifecycle Action',
  'source': 'aws.autoscaling',
  'time': '2026-01-01T00:00:00Z',
  'detail': { AutoScalingGroupName: group, EC2InstanceId: instanceId, LifecycleHookName: 'management-interface-launch', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' },
});

describe('the handler entry point', () => {
  test.each([
    ['a launch lifecycle action', launchEvent('i-0abc12345'), { kind: 'run', request: { hint: { instanceId: 'i-0abc12345', transition: 'launch', eventTime: Date.UTC(2026, 0, 1) } } }],
    ['a scheduled event', { 'detail-type': 'Scheduled Event', 'source': 'aws.events' }, { kind: 'run', request: {} }],
    ['another group\'s action', launchEvent('i-0abc12345', 'other'), { kind: 'ignore' }],
    ['an action without a valid instance id', launchEvent('not-an-id'), { kind: 'ignore' }],
    ['an action of another hook of the group (not this construct\'s)', { ...launchEvent('i-0abc12345'), detail: { ...launchEvent('i-0abc12345').detail, LifecycleHookName: 'someone-elses-hook' } }, { kind: 'ignore' }],
    ['a terminate action of the launch hook\'s name', { ...launchEvent('i-0abc12345'), 'detail-type': 'EC2 Instance-terminate Lifecycle Action' }, { kind: 'ignore' }],
  ])('%s', (_name, event, expected) => {
    expect(parseEvent(event, SETTINGS)).toMatchObject(expected);
  });

  test('settings are read from the environment, and bad values are named', () => {
    const env = { [MGMT_ENV.GROUP_NAME]: 'web', [MGMT_ENV.SUBNETS]: 'eu-west-1a=subnet-0a', [MGMT_ENV.SECURITY_GROUPS]: 'sg-01' };
    expect(settingsFromEnv(env)).toMatchObject({ groupName: 'web', subnetsByAz: { 'eu-west-1a': 'subnet-0a' }, deviceIndex: 1, deadlineMs: 90_000 });
    expect(() => settingsFromEnv({ ...env, [MGMT_ENV.SUBNETS]: 'eu-west-1a:subnet-0a' })).toThrow("MGMT_SUBNETS entry 'eu-west-1a:subnet-0a' is not '<availability-zone>=subnet-<hex>'");
    expect(() => settingsFromEnv({ ...env, [MGMT_ENV.SECURITY_GROUPS]: 'default' })).toThrow("MGMT_SECURITY_GROUPS entry 'default' is not a security group id (sg-<hex>)");
    expect(() => settingsFromEnv({ ...env, [MGMT_ENV.DEADLINE_SECONDS]: '0' })).toThrow("MGMT_DEADLINE_SECONDS '0' is not allowed: use a whole number of 1 or more");
  });

  test('a run that misses its deadline throws, so Lambda retries it and finally dead-letters it', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const cloud = new StrictCloud(clock, { groupName: GROUP, subnetsByAz: { ...SUBNETS }, attachMs: 600_000 });
    const id = cloud.launch('eu-west-1a');
    const metrics: string[] = [];
    const handler = createHandler(() => ({
      settings: SETTINGS,
      port: cloud,
      clock,
      logger: new MemoryLogger(),
      metrics: { addDimension: () => undefined, addMetric: (n: string, _u: unknown, v: number) => metrics.push(`${n}=${v}`), publishStoredMetrics: () => undefined },
    }));
    await expect(drive(clock, handler(launchEvent(id)))).rejects.toThrow(`management interfaces of ${GROUP} (launch of ${id}): deadline-exceeded`);
    expect(metrics).toContain('InterfacesCreated=1');
  });

  test('a run that only waits for a slow-booting (pending) instance ends as success: a normal launch raises no Errors alarm', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const cloud = new StrictCloud(clock, { groupName: GROUP, subnetsByAz: { ...SUBNETS }, bootMs: 300_000 });
    const id = cloud.launch('eu-west-1a');
    const handler = createHandler(() => ({
      settings: SETTINGS,
      port: cloud,
      clock,
      logger: new MemoryLogger(),
      metrics: { addDimension: () => undefined, addMetric: () => undefined, publishStoredMetrics: () => undefined },
    }));
    const [result] = await drive(clock, handler(launchEvent(id)));
    expect(result).toMatchObject({ outcome: 'waiting-for-boot', missing: [id] });
  });
});
