/**
 * The management-interface loop against the strict harness: the documented EC2 faults one by one.
 */
import { drive, GROUP, liveInterfaces, MemoryLogger, SETTINGS, StrictCloud, StrictCloudOptions, SUBNETS, VirtualClock } from './harness';
import { MGMT_TAGS } from '../../src/engine/management-interfaces/contract';
import { reconcileGroup, RunRequest, RunResult } from '../../src/engine/management-interfaces/reconcile';

function setup(options: Partial<StrictCloudOptions> = {}) {
  const clock = new VirtualClock();
  const cloud = new StrictCloud(clock, { groupName: GROUP, subnetsByAz: { ...SUBNETS }, ...options });
  const logger = new MemoryLogger();
  const run = (request: RunRequest = {}, settings = SETTINGS): Promise<RunResult> => reconcileGroup(cloud, settings, clock, logger, request);
  return { clock, cloud, logger, run };
}

const launch = (instanceId: string): RunRequest => ({ hint: { instanceId, transition: 'launch' } });
const terminate = (instanceId: string): RunRequest => ({ hint: { instanceId, transition: 'terminate' } });

/** The interfaces of ours attached to an instance. */
function attachedTo(cloud: StrictCloud, instanceId: string) {
  return liveInterfaces(cloud).filter((n) => n.attachment?.instanceId === instanceId);
}

describe('management interfaces against the strict harness', () => {
  test('a launch gets one interface in its zone\'s management subnet at device index 1, delete-on-termination, and the hook is completed', async () => {
    const { clock, cloud, run } = setup();
    const id = cloud.launch('eu-west-1b');
    const [result] = await drive(clock, run(launch(id)));
    expect(result.outcome).toEqual('converged');
    const [eni] = attachedTo(cloud, id);
    expect(liveInterfaces(cloud)).toHaveLength(1);
    expect(eni.subnetId).toEqual('subnet-0b');
    expect(eni.attachment).toMatchObject({ deviceIndex: 1, status: 'attached', deleteOnTermination: true });
    expect(eni.tags[MGMT_TAGS.INSTANCE]).toEqual(id);
    expect(cloud.completions).toEqual([{ instanceId: id, hook: 'management-interface-launch', result: 'CONTINUE' }]);
    expect(cloud.inService()).toEqual([id]);
  });

  test('the handler never attaches to a pending instance: it waits for running (EC2 would answer IncorrectInstanceState)', async () => {
    const { clock, cloud, run, logger } = setup({ bootMs: 40_000 });
    const id = cloud.launch('eu-west-1a');
    await drive(clock, run(launch(id)));
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields.code)).not.toContain('IncorrectInstanceState');
    expect(attachedTo(cloud, id)).toHaveLength(1);
  });

  test('a stopped instance in Standby gets its interface: EC2 attaches to stopped instances, so the scheduled run converges', async () => {
    const { clock, cloud, run, logger } = setup();
    const id = cloud.stoppedInStandby('eu-west-1a');
    const [result] = await drive(clock, run());
    expect(result.outcome).toEqual('converged');
    expect(attachedTo(cloud, id)).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields.code)).not.toContain('IncorrectInstanceState');
  });

  test('a redelivered launch event changes nothing', async () => {
    const { clock, cloud, run } = setup();
    const id = cloud.launch('eu-west-1a');
    await drive(clock, run(launch(id)));
    const before = [...cloud.mutations];
    const [again] = await drive(clock, run(launch(id)));
    expect(again.outcome).toEqual('converged');
    expect(cloud.mutations).toEqual(before);
  });

  test('two concurrent runs for one instance, with client tokens ignored, converge to one interface', async () => {
    // Client tokens make EC2 return the same interface; without them both runs create one, and the
    // lowest id wins the device index while the other is deleted.
    const { clock, cloud, run } = setup({ honourClientToken: false, lagMs: 2_000 });
    const id = cloud.launch('eu-west-1a');
    const results = await drive(clock, run(launch(id)), run(launch(id)), run({}));
    expect(results.map((r) => r.outcome)).toEqual(['converged', 'converged', 'converged']);
    expect(cloud.mutations.filter((m) => m.startsWith('create')).length).toBeGreaterThanOrEqual(2);
    expect(liveInterfaces(cloud)).toHaveLength(1);
    expect(attachedTo(cloud, id)).toHaveLength(1);
  });

  test('a run retrying its create later in the token window sends identical parameters (no IdempotentParameterMismatch)', async () => {
    const { clock, cloud, run, logger } = setup({ lagMs: 20_000 });
    const id = cloud.launch('eu-west-1a');
    // The second run starts 15 s later and, seeing the first create only after the lag, creates again.
    const first = run(launch(id));
    await drive(clock, new Promise<void>((resolve) => { void clock.sleep(15_000).then(resolve); }));
    const results = await drive(clock, first, run(launch(id)));
    expect(logger.lines.map((l) => l.fields.code)).not.toContain('IdempotentParameterMismatch');
    expect(results.map((r) => r.outcome)).toEqual(['converged', 'converged']);
    expect(liveInterfaces(cloud)).toHaveLength(1);
  });

  test('with honoured client tokens, concurrent runs create a single interface', async () => {
    const { clock, cloud, run } = setup({ lagMs: 2_000 });
    const id = cloud.launch('eu-west-1c');
    await drive(clock, run(launch(id)), run(launch(id)));
    expect(cloud.mutations.filter((m) => m.startsWith('create'))).toHaveLength(1);
    expect(liveInterfaces(cloud)).toHaveLength(1);
  });

  test('eventually consistent reads (5 s stale) neither duplicate nor lose the interface', async () => {
    const { clock, cloud, run } = setup({ lagMs: 5_000 });
    const id = cloud.launch('eu-west-1a');
    const [result] = await drive(clock, run(launch(id)));
    expect(result.outcome).toEqual('converged');
    expect(liveInterfaces(cloud)).toHaveLength(1);
    expect(attachedTo(cloud, id)[0].attachment?.status).toEqual('attached');
  });

  test('throttling on 20% of calls (with no SDK retries in between) only slows the run down', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const { clock, cloud, run } = setup({ throttle: 0.2, random });
    const ids = [cloud.launch('eu-west-1a'), cloud.launch('eu-west-1b')];
    const results = await drive(clock, ...ids.map((id) => run(launch(id))));
    expect(results.every((r) => r.outcome === 'converged')).toBe(true);
    for (const id of ids) expect(attachedTo(cloud, id)).toHaveLength(1);
  });

  test('termination detaches and deletes the interface, then completes the terminate hook', async () => {
    const { clock, cloud, run } = setup();
    const id = cloud.launch('eu-west-1a');
    await drive(clock, run(launch(id)));
    cloud.beginTermination(id);
    const [result] = await drive(clock, run(terminate(id)));
    expect(result.outcome).toEqual('converged');
    expect(liveInterfaces(cloud)).toHaveLength(0);
    expect(cloud.mutations.slice(-2)).toEqual([expect.stringMatching(/^detach /), expect.stringMatching(/^delete /)]);
    expect(cloud.completions.at(-1)).toEqual({ instanceId: id, hook: 'management-interface-terminate', result: 'CONTINUE' });
  });

  test('a late launch event for an instance that has terminated creates nothing', async () => {
    const { clock, cloud, run } = setup();
    const id = cloud.launch('eu-west-1a');
    cloud.beginTermination(id);
    await drive(clock, run(terminate(id)));
    const [late] = await drive(clock, run(launch(id)));
    expect(late.outcome).toEqual('converged');
    expect(cloud.mutations.filter((m) => m.startsWith('create'))).toEqual([]);
  });

  test('a launch event for an instance of another group is refused and changes nothing', async () => {
    const { clock, cloud, run } = setup();
    const other = cloud.foreignInstance('eu-west-1a');
    const [result] = await drive(clock, run(launch(other)));
    expect(result.problems.map((p) => p.reason)).toEqual(['not-in-group']);
    expect(cloud.mutations).toEqual([]);
  });

  test('a scheduled run repairs an instance that missed its hook and deletes an old orphan, but not a young one nor foreign interfaces', async () => {
    const { clock, cloud, run } = setup({ launchHeartbeatMs: 60_000 });
    const missed = cloud.launch('eu-west-1a');
    clock.advance(120_000); // the hook expired with CONTINUE: the instance is InService without an interface
    expect(cloud.inService()).toEqual([missed]);
    const old = cloud.leftover('i-0dead0001', 'subnet-0b', 3_600_000);
    const young = cloud.leftover('i-0dead0002', 'subnet-0b', 60_000);
    const foreign = cloud.foreignInterface('subnet-0a');
    const taggedElsewhere = cloud.foreignInterface('subnet-0a', { [MGMT_TAGS.GROUP]: 'another-group', [MGMT_TAGS.INSTANCE]: missed });
    const [result] = await drive(clock, run({}));
    expect(result.outcome).toEqual('converged');
    expect(attachedTo(cloud, missed)).toHaveLength(1);
    const live = liveInterfaces(cloud).map((n) => n.id);
    expect(live).not.toContain(old);
    expect(live).toContain(young);
    const touched = cloud.mutations.join('\n');
    expect(touched).not.toContain(foreign);
    expect(touched).not.toContain(taggedElsewhere);
  });

  test('a device index held by an interface the group did not create is reported and left alone', async () => {
    const { clock, cloud, run } = setup();
    const id = cloud.launch('eu-west-1a');
    clock.advance(30_000);
    const foreign = cloud.foreignInterface('subnet-0a', {}, { instanceId: id, deviceIndex: 1 });
    const [result] = await drive(clock, run(launch(id)));
    expect(result.problems).toEqual([expect.objectContaining({ reason: 'device-index-taken', interfaceId: foreign })]);
    expect(cloud.mutations).toEqual([]);
    expect(cloud.completions).toEqual([]);
  });

  test('a zone without a management subnet is reported, nothing created', async () => {
    const { clock, cloud, run } = setup();
    const id = cloud.launch('eu-west-1z');
    const [result] = await drive(clock, run(launch(id)));
    expect(result.problems.map((p) => p.reason)).toEqual(['no-management-subnet']);
    expect(cloud.mutations).toEqual([]);
  });

  test('a run that cannot finish before its deadline says so (the handler then throws)', async () => {
    const { clock, cloud, run } = setup({ attachMs: 200_000 });
    const id = cloud.launch('eu-west-1a');
    const [result] = await drive(clock, run(launch(id)));
    expect(result.outcome).toEqual('deadline-exceeded');
    expect(result.missing).toEqual([id]);
    // The next run finds the attachment done and completes the hook.
    clock.advance(200_000);
    const [next] = await drive(clock, run(launch(id)));
    expect(next.outcome).toEqual('converged');
    expect(cloud.completions.map((c) => c.instanceId)).toEqual([id]);
  });
});
