/**
 * A strict in-memory EC2 and Auto Scaling for the management-interface handler, on virtual time.
 * It enforces what AWS enforces and moto does not, and injects the documented faults:
 *
 * - eventual consistency: every Describe* answers from a snapshot `lagMs` old (AWS: "the results of
 *   an API command you run might not be immediately visible to all subsequent commands",
 *   https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html);
 * - throttling: `RequestLimitExceeded` on a chosen share of calls;
 * - an instance is `pending` for `bootMs`; attaching to it fails with `IncorrectInstanceState`;
 * - attach and detach take `attachMs` / `detachMs` (`attaching`, `detaching`);
 * - an interface in use cannot be attached again or deleted (`InvalidNetworkInterface.InUse`),
 *   a device index holds one interface, an interface attaches only in its own Availability Zone;
 * - `CompleteLifecycleAction` without a waiting action fails (`ValidationError: No active Lifecycle Action found`);
 * - client tokens can be honoured (AWS) or ignored (to force two interfaces for one instance);
 * - the IAM policy the construct writes: only interfaces carrying the group tag, only in the
 *   management subnets, only instances of the group (`UnauthorizedOperation` otherwise).
 *
 * Every mutating call is recorded, so tests can prove that nothing the construct did not tag was touched.
 */
import { MGMT_TAGS } from '../../src/engine/management-interfaces/contract';
import { Ec2InstanceState, InstanceView, ManagedInterfaceView } from '../../src/engine/management-interfaces/decide';
import { CreateInterfaceRequest, GroupMember, ManagementPort } from '../../src/engine/management-interfaces/port';
import { Clock, RunLogger } from '../../src/engine/management-interfaces/reconcile';

/** Virtual time: `sleep` resolves only when the test fires timers. */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  constructor(start = Date.UTC(2026, 0, 1)) { this.t = start; }
  now(): number { return this.t; }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve }); });
  }
  fireNext(): boolean {
    if (this.timers.length === 0) return false;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.timers.shift()!;
    this.t = Math.max(this.t, next.at);
    next.resolve();
    return true;
  }
  advance(ms: number): void { this.t += ms; }
}

/** Runs promises that wait on the virtual clock to completion, firing timers in time order. */
export async function drive<T>(clock: VirtualClock, ...runs: Promise<T>[]): Promise<T[]> {
  let settled = false;
  const all = Promise.all(runs);
  all.then(() => { settled = true; }, () => { settled = true; });
  for (let i = 0; i < 200_000; i++) {
    await new Promise((r) => setImmediate(r));
    if (settled) return all;
    if (!clock.fireNext()) {
      await new Promise((r) => setImmediate(r));
      if (settled) return all;
      throw new Error('drive: runs are blocked and no timer is pending');
    }
  }
  throw new Error('drive: too many steps');
}

/** Collects log lines. */
export class MemoryLogger implements RunLogger {
  public readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  info(message: string, fields: Record<string, unknown>): void { this.lines.push({ level: 'info', message, fields }); }
  warn(message: string, fields: Record<string, unknown>): void { this.lines.push({ level: 'warn', message, fields }); }
}

interface Eni {
  id: string;
  subnetId: string;
  az: string;
  tags: Record<string, string>;
  token?: string;
  publicIp: boolean;
  attachment?: { id: string; instanceId: string; deviceIndex: number; status: 'attaching' | 'attached' | 'detaching'; until: number; deleteOnTermination: boolean };
  deleted: boolean;
}

interface Instance {
  id: string;
  az: string;
  state: Ec2InstanceState;
  runningAt: number;
  groupTag?: string;
  lifecycle?: string;
  hookUntil?: number;
}

interface State {
  enis: Record<string, Eni>;
  instances: Record<string, Instance>;
}

class AwsError extends Error {
  constructor(public readonly name: string, message: string) { super(message); }
}

/** Options of the strict cloud. */
export interface StrictCloudOptions {
  readonly groupName: string;
  readonly subnetsByAz: Record<string, string>;
  readonly lagMs?: number;
  readonly bootMs?: number;
  readonly attachMs?: number;
  readonly detachMs?: number;
  /** Share of calls answered with RequestLimitExceeded (0..1), decided by `random`. */
  readonly throttle?: number;
  readonly random?: () => number;
  readonly honourClientToken?: boolean;
  /** Launch hook timeout and result when nobody completes it. */
  readonly launchHeartbeatMs?: number;
  readonly launchDefault?: 'CONTINUE' | 'ABANDON';
  /** Per-call latency of the API (modelled, virtual). */
  readonly callMs?: number;
}

/** The strict EC2 + Auto Scaling. */
export class StrictCloud implements ManagementPort {
  private state: State = { enis: {}, instances: {} };
  private history: { t: number; state: State }[] = [];
  private seq = 0;
  /** Every mutating call: `<operation> <resource id>`. */
  public readonly mutations: string[] = [];
  public readonly calls: Record<string, number> = {};
  public readonly completions: { instanceId: string; hook: string; result: string }[] = [];

  constructor(private readonly clock: VirtualClock, private readonly o: StrictCloudOptions) {
    this.snapshot();
  }

  // ---- test controls ----

  /** Auto Scaling launches an instance: it waits in the launch hook. */
  launch(az: string): string {
    const id = `i-${(0x10000000 + ++this.seq).toString(16)}`;
    this.state.instances[id] = {
      id,
      az,
      state: 'pending',
      runningAt: this.clock.now() + (this.o.bootMs ?? 20_000),
      groupTag: this.o.groupName,
      lifecycle: 'Pending:Wait',
      hookUntil: this.clock.now() + (this.o.launchHeartbeatMs ?? 600_000),
    };
    this.snapshot();
    return id;
  }

  /** Auto Scaling starts terminating an instance: it waits in the terminate hook. */
  beginTermination(id: string): void {
    const i = this.state.instances[id];
    if (!i || i.lifecycle === undefined || i.lifecycle.startsWith('Terminat')) return;
    i.lifecycle = 'Terminating:Wait';
    i.hookUntil = this.clock.now() + 300_000;
    this.snapshot();
  }

  /** An instance of the group that was put in Standby and stopped (EC2 state `stopped`). */
  stoppedInStandby(az: string): string {
    const id = `i-${(0x10000000 + ++this.seq).toString(16)}`;
    this.state.instances[id] = { id, az, state: 'stopped', runningAt: Number.MAX_SAFE_INTEGER, groupTag: this.o.groupName, lifecycle: 'Standby' };
    this.snapshot();
    return id;
  }

  /** An instance that is not in the group (another application's). */
  foreignInstance(az: string): string {
    const id = `i-${(0x20000000 + ++this.seq).toString(16)}`;
    this.state.instances[id] = { id, az, state: 'running', runningAt: 0, groupTag: 'someone-else' };
    this.snapshot();
    return id;
  }

  /** An interface created by someone else (optionally with arbitrary tags), optionally attached. */
  foreignInterface(subnetId: string, tags: Record<string, string> = {}, attachTo?: { instanceId: string; deviceIndex: number }): string {
    const id = `eni-f${(++this.seq).toString(16).padStart(7, '0')}`;
    const az = this.azOf(subnetId);
    this.state.enis[id] = { id, subnetId, az, tags, publicIp: false, deleted: false };
    if (attachTo) {
      this.state.enis[id].attachment = { id: `eni-attach-${id}`, instanceId: attachTo.instanceId, deviceIndex: attachTo.deviceIndex, status: 'attached', until: 0, deleteOnTermination: false };
    }
    this.snapshot();
    return id;
  }

  /** An interface of ours left behind (for example by a crashed run), created `ageMs` ago. */
  leftover(forInstance: string, subnetId: string, ageMs: number): string {
    const id = `eni-l${(++this.seq).toString(16).padStart(7, '0')}`;
    this.state.enis[id] = {
      id,
      subnetId,
      az: this.azOf(subnetId),
      publicIp: false,
      deleted: false,
      tags: {
        [MGMT_TAGS.GROUP]: this.o.groupName,
        [MGMT_TAGS.INSTANCE]: forInstance,
        [MGMT_TAGS.CREATED_AT]: new Date(this.clock.now() - ageMs).toISOString(),
      },
    };
    this.snapshot();
    return id;
  }

  /** Applies everything due by now: boots, attach/detach completions, expired hooks, terminations. */
  tick(): void {
    const now = this.clock.now();
    let changed = false;
    for (const i of Object.values(this.state.instances)) {
      if (i.state === 'pending' && now >= i.runningAt) { i.state = 'running'; changed = true; }
      if (i.hookUntil !== undefined && now >= i.hookUntil) {
        if (i.lifecycle === 'Pending:Wait') {
          this.finishLaunch(i, this.o.launchDefault ?? 'CONTINUE');
        } else if (i.lifecycle === 'Terminating:Wait') {
          this.terminate(i);
        }
        changed = true;
      }
    }
    for (const n of Object.values(this.state.enis)) {
      const a = n.attachment;
      if (a && a.status === 'attaching' && now >= a.until) { a.status = 'attached'; changed = true; }
      if (a && a.status === 'detaching' && now >= a.until) { n.attachment = undefined; changed = true; }
    }
    if (changed) this.snapshot();
  }

  /** The true (consistent) state, for assertions. */
  truth(): State {
    this.tick();
    return structuredClone(this.state);
  }

  /** Instances Auto Scaling counts as InService. */
  inService(): string[] {
    return Object.values(this.truth().instances).filter((i) => i.lifecycle === 'InService').map((i) => i.id);
  }

  // ---- ManagementPort ----

  async describeGroup(groupName: string): Promise<GroupMember[]> {
    await this.enter('DescribeAutoScalingGroups');
    if (groupName !== this.o.groupName) throw new AwsError('ValidationError', `group ${groupName} not found`);
    return Object.values(this.view().instances)
      .filter((i) => i.lifecycle !== undefined && i.lifecycle !== 'Terminated')
      .map((i) => ({ instanceId: i.id, lifecycleState: i.lifecycle!, availabilityZone: i.az }));
  }

  async describeInstances(ids: readonly string[]): Promise<InstanceView[]> {
    await this.enter('DescribeInstances');
    const v = this.view();
    return ids.map((id) => {
      const i = v.instances[id];
      if (!i) return { instanceId: id, state: 'gone' as const, interfacesByDeviceIndex: {} };
      const byIndex: Record<number, string> = {};
      for (const n of Object.values(v.enis)) {
        if (!n.deleted && n.attachment?.instanceId === id) byIndex[n.attachment.deviceIndex] = n.id;
      }
      return { instanceId: id, state: i.state, availabilityZone: i.az, groupTag: i.groupTag, interfacesByDeviceIndex: byIndex };
    });
  }

  async describeManagedInterfaces(groupName: string): Promise<ManagedInterfaceView[]> {
    await this.enter('DescribeNetworkInterfaces');
    return Object.values(this.view().enis)
      .filter((n) => !n.deleted && n.tags[MGMT_TAGS.GROUP] === groupName)
      .map((n) => {
        const created = Date.parse(n.tags[MGMT_TAGS.CREATED_AT] ?? '');
        return {
          interfaceId: n.id,
          subnetId: n.subnetId,
          forInstance: n.tags[MGMT_TAGS.INSTANCE] ?? '',
          status: n.attachment ? (n.attachment.status === 'attached' ? 'in-use' : n.attachment.status) : 'available',
          attachment: n.attachment ? {
            attachmentId: n.attachment.id,
            instanceId: n.attachment.instanceId,
            deviceIndex: n.attachment.deviceIndex,
            status: n.attachment.status,
            deleteOnTermination: n.attachment.deleteOnTermination,
          } : undefined,
          createdAt: Number.isFinite(created) ? created : undefined,
          hasPublicIp: n.publicIp,
        };
      });
  }

  async createInterface(r: CreateInterfaceRequest): Promise<string> {
    await this.enter('CreateNetworkInterface');
    if (!Object.values(this.o.subnetsByAz).includes(r.subnetId)) throw new AwsError('UnauthorizedOperation', `create in ${r.subnetId}: not a management subnet`);
    if (this.o.honourClientToken !== false) {
      const existing = Object.values(this.state.enis).find((n) => n.token === r.clientToken);
      if (existing) {
        // EC2 compares the parameters of a repeated client token, tags included.
        const same = existing.subnetId === r.subnetId && existing.tags[MGMT_TAGS.GROUP] === r.groupName
          && existing.tags[MGMT_TAGS.INSTANCE] === r.instanceId && existing.tags[MGMT_TAGS.CREATED_AT] === r.createdAt;
        if (!same) throw new AwsError('IdempotentParameterMismatch', `client token ${r.clientToken} was used with other parameters`);
        return existing.id;
      }
    }
    const id = `eni-${(0x30000000 + ++this.seq).toString(16)}`;
    this.state.enis[id] = {
      id,
      subnetId: r.subnetId,
      az: this.azOf(r.subnetId),
      token: r.clientToken,
      publicIp: false,
      deleted: false,
      tags: { [MGMT_TAGS.GROUP]: r.groupName, [MGMT_TAGS.INSTANCE]: r.instanceId, [MGMT_TAGS.CREATED_AT]: r.createdAt },
    };
    this.mutations.push(`create ${id} for ${r.instanceId}`);
    this.snapshot();
    return id;
  }

  async attach(interfaceId: string, instanceId: string, deviceIndex: number): Promise<string> {
    await this.enter('AttachNetworkInterface');
    const n = this.ownEni(interfaceId);
    const i = this.groupInstance(instanceId);
    // EC2 attaches to running and stopped instances only.
    if (i.state !== 'running' && i.state !== 'stopped') throw new AwsError('IncorrectInstanceState', `instance ${instanceId} is ${i.state}`);
    if (n.attachment) throw new AwsError('InvalidNetworkInterface.InUse', `${interfaceId} is in use`);
    if (n.az !== i.az) throw new AwsError('InvalidParameterValue', `${interfaceId} is in ${n.az}, ${instanceId} in ${i.az}`);
    const taken = Object.values(this.state.enis)
      .some((e) => !e.deleted && e.attachment?.instanceId === instanceId && e.attachment.deviceIndex === deviceIndex);
    if (taken) {
      throw new AwsError('InvalidParameterValue', `device index ${deviceIndex} of ${instanceId} is in use`);
    }
    const attachmentId = `eni-attach-${(++this.seq).toString(16)}`;
    n.attachment = { id: attachmentId, instanceId, deviceIndex, status: 'attaching', until: this.clock.now() + (this.o.attachMs ?? 3_000), deleteOnTermination: false };
    this.mutations.push(`attach ${interfaceId} to ${instanceId}`);
    this.snapshot();
    return attachmentId;
  }

  async setDeleteOnTermination(interfaceId: string, attachmentId: string): Promise<void> {
    await this.enter('ModifyNetworkInterfaceAttribute');
    const n = this.ownEni(interfaceId);
    if (n.attachment?.id !== attachmentId) throw new AwsError('InvalidAttachmentID.NotFound', `${attachmentId} not found`);
    n.attachment.deleteOnTermination = true;
    this.mutations.push(`modify ${interfaceId}`);
    this.snapshot();
  }

  async detach(attachmentId: string): Promise<void> {
    await this.enter('DetachNetworkInterface');
    const n = Object.values(this.state.enis).find((e) => !e.deleted && e.attachment?.id === attachmentId);
    if (!n) throw new AwsError('InvalidAttachmentID.NotFound', `${attachmentId} not found`);
    this.ownEni(n.id);
    this.groupInstance(n.attachment!.instanceId);
    if (n.attachment!.status === 'detaching') return;
    n.attachment!.status = 'detaching';
    n.attachment!.until = this.clock.now() + (this.o.detachMs ?? 5_000);
    this.mutations.push(`detach ${n.id}`);
    this.snapshot();
  }

  async deleteInterface(interfaceId: string): Promise<void> {
    await this.enter('DeleteNetworkInterface');
    const n = this.ownEni(interfaceId);
    if (n.attachment) throw new AwsError('InvalidNetworkInterface.InUse', `${interfaceId} is in use`);
    n.deleted = true;
    this.mutations.push(`delete ${interfaceId}`);
    this.snapshot();
  }

  async completeLifecycleAction(groupName: string, hookName: string, instanceId: string, result: 'CONTINUE' | 'ABANDON'): Promise<void> {
    await this.enter('CompleteLifecycleAction');
    const i = this.state.instances[instanceId];
    const waiting = hookName.includes('launch') ? 'Pending:Wait' : 'Terminating:Wait';
    if (groupName !== this.o.groupName || !i || i.lifecycle !== waiting) {
      throw new AwsError('ValidationError', `No active Lifecycle Action found with instance ID ${instanceId}`);
    }
    this.completions.push({ instanceId, hook: hookName, result });
    if (waiting === 'Pending:Wait') this.finishLaunch(i, result);
    else this.terminate(i);
    this.snapshot();
  }

  // ---- internals ----

  private async enter(op: string): Promise<void> {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    if (this.o.callMs) await this.clock.sleep(this.o.callMs);
    this.tick();
    if (this.o.throttle && (this.o.random ?? Math.random)() < this.o.throttle) {
      throw new AwsError('RequestLimitExceeded', `${op}: Request limit exceeded.`);
    }
  }

  private view(): State {
    const at = this.clock.now() - (this.o.lagMs ?? 0);
    let best = this.history[0];
    for (const h of this.history) if (h.t <= at) best = h;
    return best.state;
  }

  private snapshot(): void {
    this.history.push({ t: this.clock.now(), state: structuredClone(this.state) });
    if (this.history.length > 400) this.history.splice(0, this.history.length - 400);
  }

  private azOf(subnetId: string): string {
    return Object.entries(this.o.subnetsByAz).find(([, s]) => s === subnetId)?.[0] ?? 'elsewhere-1z';
  }

  /** IAM: only interfaces with the group tag, in a management subnet. */
  private ownEni(id: string): Eni {
    const n = this.state.enis[id];
    if (!n || n.deleted) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `${id} does not exist`);
    if (n.tags[MGMT_TAGS.GROUP] !== this.o.groupName || !Object.values(this.o.subnetsByAz).includes(n.subnetId)) {
      throw new AwsError('UnauthorizedOperation', `not authorized to change ${id}`);
    }
    return n;
  }

  /** IAM: only instances tagged with the group's name. */
  private groupInstance(id: string): Instance {
    const i = this.state.instances[id];
    if (!i || i.state === 'terminated') throw new AwsError('InvalidInstanceID.NotFound', `${id} does not exist`);
    if (i.groupTag !== this.o.groupName) throw new AwsError('UnauthorizedOperation', `not authorized for ${id}`);
    return i;
  }

  private finishLaunch(i: Instance, result: string): void {
    i.hookUntil = undefined;
    if (result === 'ABANDON') this.terminate(i);
    else i.lifecycle = 'InService';
  }

  private terminate(i: Instance): void {
    i.hookUntil = undefined;
    i.lifecycle = 'Terminated';
    i.state = 'terminated';
    for (const n of Object.values(this.state.enis)) {
      if (!n.deleted && n.attachment?.instanceId === i.id) {
        if (n.attachment.deleteOnTermination) n.deleted = true;
        else n.attachment = undefined;
      }
    }
  }
}

/** Settings for tests. */
export const GROUP = 'web-asg';
export const SUBNETS = { 'eu-west-1a': 'subnet-0a', 'eu-west-1b': 'subnet-0b', 'eu-west-1c': 'subnet-0c' };
export const SETTINGS = {
  groupName: GROUP,
  subnetsByAz: SUBNETS,
  securityGroupIds: ['sg-0123'],
  deviceIndex: 1,
  launchHookName: 'management-interface-launch',
  terminateHookName: 'management-interface-terminate',
  deadlineMs: 90_000,
  handlerCompletesLaunch: true,
  orphanGraceMs: 900_000,
  description: 'Management interface of Test/Web',
};

/** Every interface of ours, live, by the instance it is attached to. */
export function liveInterfaces(cloud: StrictCloud) {
  return Object.values(cloud.truth().enis).filter((n) => !n.deleted && n.tags[MGMT_TAGS.GROUP] === GROUP);
}
