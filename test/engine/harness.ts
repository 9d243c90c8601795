/**
 * A strict in-memory EC2 for the failover engine: it enforces the AWS rules the emulator does not
 * and models EC2 as documented, not as moto behaves. Time is virtual: tests are instant and
 * deterministic. `StrictCloudWatch` does the same for the health alarms.
 *
 * What it models, with the AWS page that documents it:
 * - An ENI in use cannot be attached (InvalidNetworkInterface.InUse); ENI and instance must be in
 *   one AZ; a device index holds one interface; attach and detach take time and show as
 *   `attaching`/`detaching` (`detachMs` can be minutes).
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/network-interface-attachments.html
 * - Eventual consistency (`readLagMs`): "the result of an API command you run that affects your
 *   Amazon EC2 resources might not be immediately visible to all subsequent commands"; a describe
 *   right after a write shows the state from before it for a while.
 *   https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 * - Terminated instances "remain visible in the console for a short while" (about an hour), then
 *   DescribeInstances answers InvalidInstanceID.NotFound (`forgetTerminatedMs`); the port reports
 *   them as terminated, as `SdkEc2Port` does.
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/terminating-instances.html
 * - Force detach "as a last resort": "you might not be able to attach a different network interface
 *   to the same index on the instance without first stopping and starting the instance"
 *   (`forceDetachBlocksIndex`).
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DetachNetworkInterface.html
 * - IncorrectInstanceState for an attach while the instance is pending, stopping or shutting down;
 *   a stop goes through `stopping` (`stopMs`).
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 * - Throttling: RequestLimitExceeded.
 *   https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 * Redelivered old notifications (Lambda asynchronous retries, event age up to 6 hours,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html) are events,
 * built by the tests of the handler.
 */
import { AlarmPort } from '../../src/engine/alarm-port';
import { AlarmState, CandidateObservation, EniObservation, InstanceState, StatusCheck } from '../../src/engine/decide';
import { Ec2Port, UnknownResourceError } from '../../src/engine/ec2-port';
import { Clock, EngineLogger } from '../../src/engine/engine';
import { AlarmReading } from '../../src/engine/health-alarms';

/** How the port reports an instance EC2 answers NotFound for: terminated, in no known AZ. */
function vanished(instanceId: string): CandidateObservation {
  return { instanceId, availabilityZone: 'unknown', state: 'terminated', statusChecks: 'not-applicable' };
}

/** Virtual time: `sleep` registers a timer that fires only when the test advances the clock. */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
    });
  }

  /** Fires the earliest timer; false when none is pending. */
  fireNext(): boolean {
    if (this.timers.length === 0) return false;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.timers.shift()!;
    this.t = Math.max(this.t, next.at);
    next.resolve();
    return true;
  }

  /** Moves time forward without firing timers past the new time out of order. */
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Lets every queued promise continuation run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs promises that wait on the virtual clock to completion, firing timers in time order. */
export async function drive<T>(clock: VirtualClock, ...runs: Promise<T>[]): Promise<T[]> {
  let settled = false;
  const all = Promise.all(runs);
  all.then(() => { settled = true; }, () => { settled = true; });
  for (let i = 0; i < 1_000_000; i++) {
    await flush();
    if (settled) return all;
    if (!clock.fireNext()) {
      await flush();
      if (settled) return all;
      throw new Error('drive: runs are blocked and no timer is pending');
    }
  }
  throw new Error('drive: too many steps');
}

export interface HarnessInstance {
  instanceId: string;
  availabilityZone: string;
  state: InstanceState;
  statusChecks: StatusCheck;
  launchTime: number;
}

interface Attachment {
  attachmentId: string;
  instanceId: string;
  deviceIndex: number;
  state: 'attaching' | 'attached' | 'detaching';
  /** When the current transition completes (Infinity: never). */
  doneAt: number;
}

interface HarnessEni {
  eniId: string;
  availabilityZone: string;
  attachment?: Attachment;
  privateIpAddress: string;
  tags: Record<string, string>;
}

/** What a describe of the ENI showed at one time (for eventual consistency). */
interface EniSnapshot {
  at: number;
  attachment?: Attachment;
  tags: Record<string, string>;
}

export type Op = 'describeNetworkInterface' | 'describeCandidates' | 'attach' | 'detach' | 'tag' | 'untag' | 'stop';

/** An error shaped like an AWS SDK service error. */
export class AwsError extends Error {
  constructor(public readonly name: string, message: string) {
    super(message);
  }
}

export interface HarnessOptions {
  /** Virtual time an attach takes. @default 2000 */
  attachMs?: number;
  /** Virtual time a graceful detach takes. @default 3000 */
  detachMs?: number;
  /** Virtual time a force detach takes. @default 1000 */
  forceDetachMs?: number;
  /** Virtual latency of every API call. @default 0 */
  latencyMs?: number;
  /**
   * A forced detach leaves its device index unusable on the instance it was detached from until
   * the instance is stopped and started, as AWS warns; DescribeInstances does not show it, and an
   * attach there fails with InvalidParameterValue. @default false
   */
  forceDetachBlocksIndex?: boolean;
  /**
   * Eventual consistency: for this long after a change of the ENI (a write, or a transition that
   * ended), a describe may still show the state before it. @default 0
   */
  readLagMs?: number;
  /** A terminated instance is forgotten (NotFound, reported as terminated in AZ `unknown`) this long after termination. @default 3600000 */
  forgetTerminatedMs?: number;
  /** Virtual time a stop takes (state `stopping`). @default 5000 */
  stopMs?: number;
}

export class StrictEc2 implements Ec2Port {
  public readonly calls: Record<Op, number> = { describeNetworkInterface: 0, describeCandidates: 0, attach: 0, detach: 0, tag: 0, untag: 0, stop: 0 };
  /** Every mutating call that EC2 accepted, in order. */
  public readonly mutations: { op: 'attach' | 'detach' | 'tag' | 'untag' | 'stop'; detail: string; at: number }[] = [];
  /** Detaches that were forced from an instance that was running with passing checks. */
  public readonly forcedFromHealthy: string[] = [];
  /** Every call EC2 refused, with the error code and message. */
  public readonly refusals: { op: Op; code: string; message: string }[] = [];
  public detachHangs = false;
  /** Called after each call's effect; used to kill a run at a precise point. */
  public onCall?: (op: Op) => void;

  private readonly enis = new Map<string, HarnessEni>();
  private readonly instances = new Map<string, HarnessInstance>();
  /** Interfaces other than the managed ENIs, e.g. the primary ENI at device index 0. */
  private readonly foreign: { eniId: string; instanceId: string; deviceIndex: number }[] = [];
  private throttles = 0;
  private nextId = 1;
  /** Device indexes (`instance:index`) that refuse an attach although no interface is listed there. */
  private readonly blocked = new Set<string>();
  private readonly opts: Required<HarnessOptions>;
  /** ENI states as describes saw them, newest last (for `readLagMs`). */
  private readonly history = new Map<string, EniSnapshot[]>();
  private readonly terminatedAt = new Map<string, number>();
  private readonly stoppingUntil = new Map<string, number>();

  constructor(public readonly clock: VirtualClock, options: HarnessOptions = {}) {
    this.opts = {
      attachMs: 2000,
      detachMs: 3000,
      forceDetachMs: 1000,
      latencyMs: 0,
      forceDetachBlocksIndex: false,
      readLagMs: 0,
      forgetTerminatedMs: 3_600_000,
      stopMs: 5000,
      ...options,
    };
  }

  // ---------- world set-up and fault injection ----------

  addInstance(instanceId: string, availabilityZone: string, init: Partial<HarnessInstance> = {}): this {
    this.instances.set(instanceId, {
      instanceId, availabilityZone, state: 'running', statusChecks: 'ok', launchTime: this.clock.now() - 3_600_000, ...init,
    });
    this.foreign.push({ eniId: `eni-primary-${instanceId}`, instanceId, deviceIndex: 0 });
    return this;
  }

  addEni(eniId: string, availabilityZone: string, attachedTo?: { instanceId: string; deviceIndex: number }): this {
    const eni: HarnessEni = { eniId, availabilityZone, privateIpAddress: `10.0.0.${this.enis.size + 10}`, tags: {} };
    if (attachedTo) {
      eni.attachment = { attachmentId: this.newId('eni-attach'), ...attachedTo, state: 'attached', doneAt: 0 };
    }
    this.enis.set(eniId, eni);
    this.record(eni, -Infinity);
    return this;
  }

  /** Another interface occupying a device index on an instance. */
  occupy(instanceId: string, deviceIndex: number, eniId = `eni-other-${instanceId}-${deviceIndex}`): this {
    this.foreign.push({ eniId, instanceId, deviceIndex });
    return this;
  }

  set(instanceId: string, change: Partial<HarnessInstance>): this {
    Object.assign(this.instance(instanceId), change);
    return this;
  }

  stop(id: string): this {
    return this.set(id, { state: 'stopped', statusChecks: 'not-applicable' });
  }

  /** Starts an instance; its status checks stay `initializing` until `pass()`. A stop and start frees blocked device indexes. */
  start(id: string): this {
    for (const key of [...this.blocked]) if (key.startsWith(`${id}:`)) this.blocked.delete(key);
    return this.set(id, { state: 'running', statusChecks: 'initializing', launchTime: this.clock.now() });
  }

  /** The device index refuses attaches (InvalidParameterValue) without showing an interface, as after a forced detach. */
  blockIndex(instanceId: string, deviceIndex: number): this {
    this.blocked.add(`${instanceId}:${deviceIndex}`);
    return this;
  }

  isBlocked(instanceId: string, deviceIndex: number): boolean {
    return this.blocked.has(`${instanceId}:${deviceIndex}`);
  }

  pass(id: string): this {
    return this.set(id, { statusChecks: 'ok' });
  }

  impair(id: string): this {
    return this.set(id, { statusChecks: 'impaired' });
  }

  /** Terminates an instance; like EC2, its secondary ENIs are detached. */
  terminate(id: string): this {
    this.set(id, { state: 'terminated', statusChecks: 'not-applicable' });
    this.terminatedAt.set(id, this.clock.now());
    for (const eni of this.enis.values()) {
      if (eni.attachment?.instanceId === id) {
        eni.attachment = undefined;
        this.record(eni);
      }
    }
    return this;
  }

  /** Removes an instance altogether, as EC2 does some time after termination: describes then fail with NotFound. */
  vanish(id: string): this {
    this.terminate(id);
    this.instances.delete(id);
    return this;
  }

  /** Whether EC2 still knows the instance. */
  knows(id: string): boolean {
    this.settle();
    return this.instances.has(id);
  }

  /** Sets an ENI tag directly (as an operator would). */
  tagEni(eniId: string, tags: Record<string, string>): this {
    const eni = this.enis.get(eniId)!;
    eni.tags = { ...eni.tags, ...tags };
    return this;
  }

  tags(eniId: string): Record<string, string> {
    return { ...this.enis.get(eniId)!.tags };
  }

  /** The next `n` calls fail with RequestLimitExceeded. */
  throttle(n: number): this {
    this.throttles = n;
    return this;
  }

  // ---------- inspection ----------

  instance(id: string): HarnessInstance {
    this.settle();
    const i = this.instances.get(id);
    if (!i) throw new Error(`harness: no instance ${id}`);
    return i;
  }

  instanceIds(): string[] {
    return [...this.instances.keys()];
  }

  /** The ENI's attachment after settling transitions that are due. */
  attachment(eniId: string): Attachment | undefined {
    this.settle();
    return this.enis.get(eniId)?.attachment;
  }

  holder(eniId: string): string | undefined {
    const a = this.attachment(eniId);
    return a?.state === 'attached' ? a.instanceId : undefined;
  }

  get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  // ---------- Ec2Port ----------

  async describeNetworkInterface(eniId: string): Promise<EniObservation> {
    return this.call('describeNetworkInterface', () => {
      const eni = this.enis.get(eniId);
      if (!eni) throw new UnknownResourceError(`The networkInterface ID '${eniId}' does not exist`, 'InvalidNetworkInterfaceID.NotFound');
      const seen = this.visible(eni);
      const a = seen.attachment;
      const status = !a ? 'available' : a.state === 'attached' ? 'in-use' : a.state;
      return {
        eniId,
        availabilityZone: eni.availabilityZone,
        status,
        privateIpAddress: eni.privateIpAddress,
        tags: { ...seen.tags },
        attachment: a ? { attachmentId: a.attachmentId, instanceId: a.instanceId, state: a.state, deviceIndex: a.deviceIndex } : undefined,
      };
    });
  }

  async describeCandidates(instanceIds: readonly string[]): Promise<CandidateObservation[]> {
    return this.call('describeCandidates', () => {
      return instanceIds.map((id) => {
        // As SdkEc2Port reports an instance EC2 answers NotFound for.
        const i = this.instances.get(id);
        if (!i) return vanished(id);
        return {
          instanceId: id,
          availabilityZone: i.availabilityZone,
          state: i.state,
          statusChecks: i.statusChecks,
          healthySince: i.launchTime,
          interfaces: this.interfacesOf(id),
        };
      });
    });
  }

  async attach(eniId: string, instanceId: string, deviceIndex: number): Promise<string> {
    return this.call('attach', () => {
      const eni = this.enis.get(eniId);
      if (!eni) throw new UnknownResourceError(`The networkInterface ID '${eniId}' does not exist`, 'InvalidNetworkInterfaceID.NotFound');
      const inst = this.instances.get(instanceId);
      if (!inst) throw new UnknownResourceError(`The instance ID '${instanceId}' does not exist`, 'InvalidInstanceID.NotFound');
      if (eni.attachment) throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eniId}] in use.`);
      if (inst.availabilityZone !== eni.availabilityZone) {
        throw new AwsError('InvalidParameterValue', `The network interface ${eniId} is in ${eni.availabilityZone} and instance ${instanceId} in ${inst.availabilityZone}`);
      }
      if (!['running', 'stopped'].includes(inst.state)) {
        // Pending, stopping, shutting-down and terminated instances refuse attaches.
        throw new AwsError('IncorrectInstanceState', `The instance '${instanceId}' is not in a valid state for this operation (${inst.state})`);
      }
      if (this.interfacesOf(instanceId).some((i) => i.deviceIndex === deviceIndex) || this.blocked.has(`${instanceId}:${deviceIndex}`)) {
        throw new AwsError('InvalidParameterValue', `Instance '${instanceId}' already has an interface attached at device index '${deviceIndex}'.`);
      }
      const attachmentId = this.newId('eni-attach');
      eni.attachment = { attachmentId, instanceId, deviceIndex, state: 'attaching', doneAt: this.clock.now() + this.opts.attachMs };
      this.mutations.push({ op: 'attach', detail: `${eniId} -> ${instanceId}`, at: this.clock.now() });
      this.record(eni);
      return attachmentId;
    });
  }

  async detach(attachmentId: string, force: boolean): Promise<void> {
    return this.call('detach', () => {
      const eni = [...this.enis.values()].find((e) => e.attachment?.attachmentId === attachmentId);
      if (!eni || !eni.attachment) {
        throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${attachmentId}' does not exist`);
      }
      const a = eni.attachment;
      if (a.state === 'attaching') throw new AwsError('IncorrectState', `Attachment '${attachmentId}' is attaching`);
      const from = this.instances.get(a.instanceId);
      if (force && from?.state === 'running' && from.statusChecks === 'ok') this.forcedFromHealthy.push(a.instanceId);
      const took = this.detachHangs ? Infinity : force ? this.opts.forceDetachMs : this.opts.detachMs;
      const doneAt = this.clock.now() + took;
      a.doneAt = a.state === 'detaching' ? Math.min(a.doneAt, doneAt) : doneAt;
      a.state = 'detaching';
      if (force && this.opts.forceDetachBlocksIndex) this.blocked.add(`${a.instanceId}:${a.deviceIndex}`);
      this.mutations.push({ op: 'detach', detail: `${eni.eniId} from ${a.instanceId}${force ? ' (force)' : ''}`, at: this.clock.now() });
      this.record(eni);
    });
  }

  async tagNetworkInterface(eniId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    return this.call('tag', () => {
      const eni = this.enis.get(eniId);
      if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${eniId}' does not exist`);
      eni.tags = { ...eni.tags, ...tags };
      this.mutations.push({ op: 'tag', detail: `${eniId} ${Object.keys(tags).join(',')}`, at: this.clock.now() });
      this.record(eni);
    });
  }

  async untagNetworkInterface(eniId: string, keys: readonly string[]): Promise<void> {
    return this.call('untag', () => {
      const eni = this.enis.get(eniId);
      if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${eniId}' does not exist`);
      for (const k of keys) delete eni.tags[k];
      this.mutations.push({ op: 'untag', detail: `${eniId} ${keys.join(',')}`, at: this.clock.now() });
      this.record(eni);
    });
  }

  async stopInstance(instanceId: string): Promise<void> {
    return this.call('stop', () => {
      const inst = this.instances.get(instanceId);
      if (!inst) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
      if (inst.state === 'running' || inst.state === 'pending') {
        inst.state = 'stopping';
        this.stoppingUntil.set(instanceId, this.clock.now() + this.opts.stopMs);
      }
      this.mutations.push({ op: 'stop', detail: instanceId, at: this.clock.now() });
    });
  }

  // ---------- internals ----------

  private async call<T>(op: Op, effect: () => T): Promise<T> {
    this.calls[op]++;
    if (this.opts.latencyMs > 0) await this.clock.sleep(this.opts.latencyMs);
    this.settle();
    try {
      if (this.throttles > 0) {
        this.throttles--;
        throw new AwsError('RequestLimitExceeded', 'Request limit exceeded.');
      }
      return effect();
    } catch (err) {
      this.refusals.push({ op, code: (err as { code?: string }).code ?? (err as Error).name, message: (err as Error).message });
      throw err;
    } finally {
      this.onCall?.(op);
    }
  }

  private settle(): void {
    const now = this.clock.now();
    for (const eni of this.enis.values()) {
      const a = eni.attachment;
      if (!a || a.state === 'attached' || a.doneAt > now) continue;
      if (a.state === 'attaching') eni.attachment = { ...a, state: 'attached' };
      else eni.attachment = undefined;
      this.record(eni, a.doneAt);
    }
    for (const [id, until] of this.stoppingUntil) {
      if (until > now) continue;
      this.stoppingUntil.delete(id);
      const inst = this.instances.get(id);
      if (inst?.state === 'stopping') Object.assign(inst, { state: 'stopped', statusChecks: 'not-applicable' });
    }
    for (const [id, at] of this.terminatedAt) {
      if (now - at >= this.opts.forgetTerminatedMs) {
        this.instances.delete(id);
        this.terminatedAt.delete(id);
      }
    }
  }

  /** Records the ENI's state as of `at` for lagging reads. */
  private record(eni: HarnessEni, at = this.clock.now()): void {
    const list = this.history.get(eni.eniId) ?? [];
    list.push({ at, attachment: eni.attachment ? { ...eni.attachment } : undefined, tags: { ...eni.tags } });
    list.sort((x, y) => x.at - y.at);
    // Older snapshots than the lag window are never shown again.
    while (list.length > 1 && list[1].at <= at - this.opts.readLagMs) list.shift();
    this.history.set(eni.eniId, list);
  }

  /**
   * What a describe shows now: with `readLagMs`, a change is visible only once it is that old,
   * so a read right after a write shows the state from before it (the oldest snapshot in the window).
   */
  private visible(eni: HarnessEni): { attachment?: Attachment; tags: Record<string, string> } {
    const list = this.history.get(eni.eniId);
    if (this.opts.readLagMs <= 0 || !list) return { attachment: eni.attachment, tags: eni.tags };
    const cutoff = this.clock.now() - this.opts.readLagMs;
    const shown = [...list].reverse().find((x) => x.at <= cutoff);
    return shown ?? list[0];
  }

  private interfacesOf(instanceId: string): { networkInterfaceId: string; deviceIndex: number }[] {
    const managed = [...this.enis.values()]
      .filter((e) => e.attachment?.instanceId === instanceId)
      .map((e) => ({ networkInterfaceId: e.eniId, deviceIndex: e.attachment!.deviceIndex }));
    const others = this.foreign
      .filter((f) => f.instanceId === instanceId && this.instances.get(instanceId)?.state !== 'terminated')
      .map((f) => ({ networkInterfaceId: f.eniId, deviceIndex: f.deviceIndex }));
    return [...others, ...managed];
  }

  private newId(prefix: string): string {
    return `${prefix}-${String(this.nextId++).padStart(8, '0')}`;
  }
}

/**
 * A strict in-memory CloudWatch: alarms with a state and the virtual time of their last state
 * change (only a real change moves it, as `StateTransitionedTimestamp` does), DescribeAlarms' limit
 * of 100 names per request, throttling and a missing permission on demand, and a call count.
 */
export class StrictCloudWatch implements AlarmPort {
  public calls = 0;
  /** Every request's alarm names, in order. */
  public readonly requests: string[][] = [];
  /** DescribeAlarms fails with AccessDenied, as without `cloudwatch:DescribeAlarms`. */
  public denied = false;
  private readonly alarms = new Map<string, { state: AlarmState; changedAt: number }>();
  private throttles = 0;

  constructor(private readonly clock: VirtualClock, private readonly latencyMs = 0) {}

  /** Creates or changes an alarm; its change time moves only when the state changes. */
  setAlarm(name: string, state: AlarmState, changedAt = this.clock.now()): this {
    const a = this.alarms.get(name);
    if (!a || a.state !== state) this.alarms.set(name, { state, changedAt });
    return this;
  }

  deleteAlarm(name: string): this {
    this.alarms.delete(name);
    return this;
  }

  state(name: string): AlarmState | undefined {
    return this.alarms.get(name)?.state;
  }

  /** The next `n` calls fail with Throttling (CloudWatch's code for it). */
  throttle(n: number): this {
    this.throttles = n;
    return this;
  }

  async describeAlarmStates(alarmNames: readonly string[]): Promise<Record<string, AlarmReading>> {
    this.calls++;
    this.requests.push([...alarmNames]);
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    if (alarmNames.length > 100) {
      throw new AwsError('InvalidParameterValue', `The collection AlarmNames must not have a size greater than 100 (${alarmNames.length}).`);
    }
    if (this.throttles > 0) {
      this.throttles--;
      throw new AwsError('Throttling', 'Rate exceeded');
    }
    if (this.denied) {
      throw new AwsError('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized to perform: cloudwatch:DescribeAlarms');
    }
    const out: Record<string, AlarmReading> = {};
    for (const name of alarmNames) {
      const a = this.alarms.get(name);
      if (a) out[name] = { state: a.state, changedAt: a.changedAt };
    }
    return out;
  }
}

/** A logger that keeps every line for assertions. */
export class MemoryLogger implements EngineLogger {
  public readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];

  info(message: string, fields: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  decisions(): string[] {
    return this.lines.filter((l) => l.message === 'failover decision').map((l) => String(l.fields.decision));
  }
}
