/**
 * The pure decision, case by case: builders with overrides, one behaviour per test.
 */
import { Action, decide, InstanceView, ManagedInterfaceView, Observation } from '../../src/engine/management-interfaces/decide';

const NOW = Date.UTC(2026, 0, 1, 12);
const SUBNETS = { 'eu-west-1a': 'subnet-a', 'eu-west-1b': 'subnet-b' };

function instance(overrides: Partial<InstanceView> = {}): InstanceView {
  return { instanceId: 'i-00000001', lifecycleState: 'InService', state: 'running', availabilityZone: 'eu-west-1a', groupTag: 'web', interfacesByDeviceIndex: { 0: 'eni-primary' }, ...overrides };
}

function eni(overrides: Partial<ManagedInterfaceView> = {}): ManagedInterfaceView {
  return { interfaceId: 'eni-0001', subnetId: 'subnet-a', forInstance: 'i-00000001', status: 'available', createdAt: NOW - 60_000, hasPublicIp: false, ...overrides };
}

function attached(overrides: Partial<ManagedInterfaceView> = {}, attachment: Partial<NonNullable<ManagedInterfaceView['attachment']>> = {}): ManagedInterfaceView {
  return eni({ status: 'in-use', attachment: { attachmentId: 'att-1', instanceId: 'i-00000001', deviceIndex: 1, status: 'attached', deleteOnTermination: true, ...attachment }, ...overrides });
}

function obs(overrides: Partial<Observation> = {}): Observation {
  return { now: NOW, groupName: 'web', deviceIndex: 1, subnetsByAz: SUBNETS, orphanGraceMs: 900_000, instances: [instance()], interfaces: [], ...overrides };
}

const kinds = (actions: readonly Action[]) => actions.map((a) => a.kind);

describe('decide', () => {
  test('an InService instance without an interface gets one created in its zone\'s management subnet', () => {
    expect(decide(obs()).actions).toEqual([{ kind: 'create', instanceId: 'i-00000001', subnetId: 'subnet-a' }]);
  });

  test('an available interface of the instance is attached at the device index', () => {
    expect(decide(obs({ interfaces: [eni()] })).actions).toEqual([{ kind: 'attach', interfaceId: 'eni-0001', instanceId: 'i-00000001', deviceIndex: 1 }]);
  });

  test('a pending instance is waited for: EC2 refuses attachments to it', () => {
    const d = decide(obs({ instances: [instance({ state: 'pending', lifecycleState: 'Pending:Wait' })], interfaces: [eni()] }));
    expect(d.actions).toEqual([]);
    expect(d.waiting).toEqual(['i-00000001 is pending']);
  });

  test('an attached interface on a waiting launch completes the hook; without the flag it is marked delete-on-termination first', () => {
    const d = decide(obs({ instances: [instance({ lifecycleState: 'Pending:Wait' })], interfaces: [attached({}, { deleteOnTermination: false })] }));
    expect(kinds(d.actions)).toEqual(['delete-on-termination', 'complete-launch']);
    expect(d.ready).toEqual(['i-00000001']);
  });

  test('a warm-pool instance waiting in the launch hook gets the hook completed too', () => {
    const d = decide(obs({ instances: [instance({ lifecycleState: 'Warmed:Pending:Wait' })], interfaces: [attached()] }));
    expect(d.actions).toEqual([{ kind: 'complete-launch', instanceId: 'i-00000001' }]);
  });

  test('when the instance completes its launch hook itself (after its setup), the handler does not', () => {
    for (const lifecycleState of ['Pending:Wait', 'Warmed:Pending:Wait']) {
      const d = decide(obs({ handlerCompletesLaunch: false, instances: [instance({ lifecycleState })], interfaces: [attached()] }));
      expect(d).toMatchObject({ actions: [], waiting: [], ready: ['i-00000001'] });
    }
  });

  test('a stopped (Standby) instance gets its interface attached: EC2 attaches to stopped instances', () => {
    const d = decide(obs({ instances: [instance({ state: 'stopped', lifecycleState: 'Standby' })], interfaces: [eni()] }));
    expect(d.actions).toEqual([{ kind: 'attach', interfaceId: 'eni-0001', instanceId: 'i-00000001', deviceIndex: 1 }]);
  });

  test('a converged instance needs nothing', () => {
    const d = decide(obs({ interfaces: [attached()] }));
    expect(d).toMatchObject({ actions: [], waiting: [], problems: [], ready: ['i-00000001'], missing: [] });
  });

  test('two available interfaces for one instance: every run picks the lowest id', () => {
    const d = decide(obs({ interfaces: [eni({ interfaceId: 'eni-0009' }), eni({ interfaceId: 'eni-0002' })] }));
    expect(d.actions).toEqual([{ kind: 'attach', interfaceId: 'eni-0002', instanceId: 'i-00000001', deviceIndex: 1 }]);
  });

  test('once one is attached, the duplicate is deleted', () => {
    const d = decide(obs({ interfaces: [attached({ interfaceId: 'eni-0009' }), eni({ interfaceId: 'eni-0002' })] }));
    expect(d.actions).toEqual([{ kind: 'delete', interfaceId: 'eni-0002', why: 'duplicate' }]);
  });

  test('an attaching interface is waited for, not attached again', () => {
    const d = decide(obs({ interfaces: [attached({ status: 'attaching' }, { status: 'attaching' })] }));
    expect(d.actions).toEqual([]);
    expect(d.missing).toEqual(['i-00000001']);
  });

  test('a terminating instance: attached interface detached, then deleted, then the hook completed', () => {
    const terminating = instance({ lifecycleState: 'Terminating:Wait' });
    expect(decide(obs({ instances: [terminating], interfaces: [attached()] })).actions).toEqual([{ kind: 'detach', interfaceId: 'eni-0001', attachmentId: 'att-1' }]);
    expect(decide(obs({ instances: [terminating], interfaces: [eni()] })).actions).toEqual([{ kind: 'delete', interfaceId: 'eni-0001', why: 'terminating' }]);
    expect(decide(obs({ instances: [terminating], interfaces: [] })).actions).toEqual([{ kind: 'complete-terminate', instanceId: 'i-00000001' }]);
  });

  test('an interface with a public address is never kept', () => {
    const d = decide(obs({ interfaces: [eni({ hasPublicIp: true })] }));
    expect(d.actions).toEqual([{ kind: 'delete', interfaceId: 'eni-0001', why: 'public-ip' }]);
    expect(d.waiting).toEqual(['i-00000001: an unfit interface goes first']);
  });

  test('an interface in another zone\'s subnet is replaced', () => {
    const d = decide(obs({ interfaces: [attached({ subnetId: 'subnet-b' })] }));
    expect(d.actions).toEqual([{ kind: 'detach', interfaceId: 'eni-0001', attachmentId: 'att-1' }]);
  });

  test('a foreign interface at the device index is reported and nothing is done', () => {
    const d = decide(obs({ instances: [instance({ interfacesByDeviceIndex: { 0: 'eni-primary', 1: 'eni-foreign' } })] }));
    expect(d.actions).toEqual([]);
    expect(d.problems).toEqual([expect.objectContaining({ reason: 'device-index-taken', interfaceId: 'eni-foreign' })]);
  });

  test('a zone without a management subnet is reported', () => {
    const d = decide(obs({ instances: [instance({ availabilityZone: 'eu-west-1c' })] }));
    expect(d.problems).toEqual([expect.objectContaining({ reason: 'no-management-subnet' })]);
  });

  test.each([
    ['a terminated instance', instance({ lifecycleState: undefined, state: 'terminated' }), NOW - 60_000, ['delete']],
    ['a gone instance, interface older than the grace period', instance({ lifecycleState: undefined, state: 'gone' }), NOW - 3_600_000, ['delete']],
    ['a gone instance, young interface (maybe not visible yet)', instance({ lifecycleState: undefined, state: 'gone' }), NOW - 60_000, []],
  ])('an unattached interface of %s', (_name, inst, createdAt, expected) => {
    expect(kinds(decide(obs({ instances: [inst], interfaces: [eni({ createdAt })] })).actions)).toEqual(expected);
  });

  test('a recent launch event for an instance EC2 does not report yet is waited for', () => {
    const d = decide(obs({ instances: [instance({ lifecycleState: undefined, state: 'gone' })], hint: { instanceId: 'i-00000001', transition: 'launch', eventTime: NOW - 5_000 }, scope: 'i-00000001' }));
    expect(d.actions).toEqual([]);
    expect(d.waiting).toEqual(['i-00000001 is not visible yet']);
  });

  test('an old launch event for an instance EC2 has forgotten creates nothing', () => {
    const d = decide(obs({ instances: [instance({ lifecycleState: undefined, state: 'gone' })], hint: { instanceId: 'i-00000001', transition: 'launch', eventTime: NOW - 7_200_000 }, scope: 'i-00000001' }));
    expect(d).toMatchObject({ actions: [], waiting: [] });
  });

  test('a scoped run leaves other instances alone', () => {
    const other = instance({ instanceId: 'i-00000002' });
    const d = decide(obs({ instances: [instance(), other], scope: 'i-00000001', hint: { instanceId: 'i-00000001', transition: 'launch' } }));
    expect(d.actions).toEqual([{ kind: 'create', instanceId: 'i-00000001', subnetId: 'subnet-a' }]);
  });

  test('an interface of ours attached to an instance outside the group is reported, not touched', () => {
    const d = decide(obs({ instances: [], interfaces: [attached({ forInstance: 'i-00000009' }, { instanceId: 'i-00000009' })] }));
    expect(d.actions).toEqual([]);
    expect(d.problems).toEqual([expect.objectContaining({ reason: 'attached-outside-group' })]);
  });
});
