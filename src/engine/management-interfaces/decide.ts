/**
 * The pure decision of the management-interface handler: from one observation of the Auto Scaling
 * group, its instances and the interfaces the handler tagged, the next actions that move every
 * instance towards "exactly one management interface, attached at the device index, in the
 * management subnet of the instance's own Availability Zone" and every other tagged interface
 * towards "deleted". No I/O: the loop in `reconcile.ts` observes, asks, acts and observes again.
 */

/** EC2 instance states, plus `gone` for an instance EC2 no longer reports. */
export type Ec2InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated' | 'gone';

/** Network interface attachment states as EC2 reports them. */
export type AttachmentStatus = 'attaching' | 'attached' | 'detaching' | 'detached';

/** One instance as Auto Scaling and EC2 report it. */
export interface InstanceView {
  readonly instanceId: string;
  /** Auto Scaling lifecycle state (`Pending:Wait`, `InService`, `Terminating:Wait`, ...); undefined when the group does not list it. */
  readonly lifecycleState?: string;
  /** EC2 state. */
  readonly state: Ec2InstanceState;
  /** Availability Zone (from EC2 or Auto Scaling). */
  readonly availabilityZone?: string;
  /** The value of the instance's `aws:autoscaling:groupName` tag. */
  readonly groupTag?: string;
  /** Every interface attached to the instance (ours or not) by device index. */
  readonly interfacesByDeviceIndex: Readonly<Record<number, string>>;
}

/** One interface that carries the handler's group tag. */
export interface ManagedInterfaceView {
  readonly interfaceId: string;
  readonly subnetId: string;
  /** The instance the interface was created for (its instance tag). */
  readonly forInstance: string;
  /** `available`, `in-use`, `attaching`, `detaching`, ... */
  readonly status: string;
  readonly attachment?: {
    readonly attachmentId: string;
    readonly instanceId: string;
    readonly deviceIndex: number;
    readonly status: AttachmentStatus;
    readonly deleteOnTermination: boolean;
  };
  /** Creation time from the created-at tag (ms since the epoch); undefined when the tag is missing or unreadable. */
  readonly createdAt?: number;
  /** Whether a public IPv4 address is associated (never on a management interface). */
  readonly hasPublicIp: boolean;
}

/** What one run knows. */
export interface Observation {
  readonly now: number;
  readonly groupName: string;
  readonly deviceIndex: number;
  readonly subnetsByAz: Readonly<Record<string, string>>;
  readonly orphanGraceMs: number;
  /** Instances of the group and every other instance an interface or the event names. */
  readonly instances: readonly InstanceView[];
  readonly interfaces: readonly ManagedInterfaceView[];
  /**
   * The lifecycle event that started the run, if any: the event is proof that the instance waits
   * in that hook even when the group's (eventually consistent) view does not list it yet.
   */
  readonly hint?: { readonly instanceId: string; readonly transition: 'launch' | 'terminate'; readonly eventTime?: number };
  /**
   * Whether this handler completes the launch lifecycle action once the interface is attached.
   * `false` when the instance completes it itself after configuring the interface.
   *
   * @default true
   */
  readonly handlerCompletesLaunch?: boolean;
  /** Restricts the run to one instance and its interfaces (a lifecycle event); undefined for the whole group. */
  readonly scope?: string;
}

/** One step. The loop may run every action of one decision in parallel: they touch different resources. */
export type Action =
  | { readonly kind: 'create'; readonly instanceId: string; readonly subnetId: string }
  | { readonly kind: 'attach'; readonly interfaceId: string; readonly instanceId: string; readonly deviceIndex: number }
  | { readonly kind: 'delete-on-termination'; readonly interfaceId: string; readonly attachmentId: string }
  | { readonly kind: 'detach'; readonly interfaceId: string; readonly attachmentId: string }
  | { readonly kind: 'delete'; readonly interfaceId: string; readonly why: 'duplicate' | 'terminating' | 'orphan' | 'wrong-subnet' | 'public-ip' }
  | { readonly kind: 'complete-launch'; readonly instanceId: string }
  | { readonly kind: 'complete-terminate'; readonly instanceId: string };

/** Something the handler will not change by itself; reported, counted and alarmed on. */
export interface Problem {
  readonly instanceId?: string;
  readonly interfaceId?: string;
  readonly reason: 'no-management-subnet' | 'device-index-taken' | 'attached-outside-group' | 'not-in-group';
  readonly detail: string;
}

/** The decision: actions to take now, things to wait for, problems to report. */
export interface Decision {
  readonly actions: readonly Action[];
  /** Transitions under way (an attach, a detach, a pending instance): observe again later. */
  readonly waiting: readonly string[];
  readonly problems: readonly Problem[];
  /** Instances that should have a management interface and have it attached now. */
  readonly ready: readonly string[];
  /** Instances that should have a management interface and do not (yet). */
  readonly missing: readonly string[];
  /** The entries of `waiting` that only wait for an instance to leave `pending` (to boot). */
  readonly booting: readonly string[];
}

const LAUNCHING = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService', 'Standby', 'EnteringStandby', 'Warmed:Pending', 'Warmed:Pending:Wait', 'Warmed:Pending:Proceed']);
const TERMINATING = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated', 'Warmed:Terminating', 'Warmed:Terminating:Wait', 'Warmed:Terminating:Proceed', 'Warmed:Terminated']);
/** How long after its launch event an instance that EC2 does not report yet is waited for. */
export const UNSEEN_GRACE_MS = 5 * 60_000;
const DEAD_STATES = new Set<Ec2InstanceState>(['shutting-down', 'terminated', 'gone']);

/** What an instance should have: its interface (`keep`), none (`remove`), or leave it alone (`ignore`). */
export function intentOf(instance: InstanceView | undefined, obs: Pick<Observation, 'groupName' | 'hint' | 'now'>): 'keep' | 'remove' | 'ignore' | 'unseen' {
  if (!instance) return 'remove';
  const hint = obs.hint?.instanceId === instance.instanceId ? obs.hint.transition : undefined;
  if (instance.state === 'gone' && instance.lifecycleState === undefined && hint === 'launch'
    && obs.now - (obs.hint?.eventTime ?? obs.now) < UNSEEN_GRACE_MS) {
    // EC2 and Auto Scaling may not report an instance launched seconds ago: a recent launch event is
    // proof enough that it exists, so wait for it to appear instead of treating it as gone.
    return 'unseen';
  }
  if (DEAD_STATES.has(instance.state)) return 'remove';
  if (instance.lifecycleState !== undefined) {
    if (TERMINATING.has(instance.lifecycleState)) return 'remove';
    if (LAUNCHING.has(instance.lifecycleState)) return 'keep';
    return 'ignore';
  }
  // Not listed by the group (yet, or any more): trust the event only for an instance of this group.
  if (instance.groupTag === obs.groupName && hint === 'launch') return 'keep';
  if (instance.groupTag === obs.groupName && hint === 'terminate') return 'remove';
  return 'ignore';
}

function byId(a: ManagedInterfaceView, b: ManagedInterfaceView): number {
  return a.interfaceId < b.interfaceId ? -1 : a.interfaceId > b.interfaceId ? 1 : 0;
}

/** The decision for one observation. */
export function decide(obs: Observation): Decision {
  const actions: Action[] = [];
  const waiting: string[] = [];
  const problems: Problem[] = [];
  const ready: string[] = [];
  const missing: string[] = [];
  const booting: string[] = [];
  const inScope = (instanceId: string | undefined) => obs.scope === undefined || instanceId === obs.scope;

  // Interfaces by the instance they are for, and by the instance they are attached to.
  const handled = new Set<string>();
  const mine = (instanceId: string) => obs.interfaces
    .filter((n) => n.forInstance === instanceId || n.attachment?.instanceId === instanceId)
    .sort(byId);

  for (const instance of [...obs.instances].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1))) {
    if (!inScope(instance.instanceId)) continue;
    const intent = intentOf(instance, obs);
    const own = mine(instance.instanceId);
    own.forEach((n) => handled.add(n.interfaceId));
    if (intent === 'unseen') {
      waiting.push(`${instance.instanceId} is not visible yet`);
      missing.push(instance.instanceId);
      continue;
    }
    if (intent === 'ignore') {
      if (instance.groupTag !== obs.groupName && obs.hint?.instanceId === instance.instanceId) {
        problems.push({ instanceId: instance.instanceId, reason: 'not-in-group', detail: `${instance.instanceId} is not an instance of ${obs.groupName} (its aws:autoscaling:groupName tag is '${instance.groupTag ?? ''}'): nothing done` });
      }
      continue;
    }
    if (intent === 'keep') {
      keep(obs, instance, own, actions, waiting, problems, ready, missing, booting);
    } else {
      remove(obs, instance, own, actions, waiting);
      const hinted = obs.hint?.instanceId === instance.instanceId && obs.hint.transition === 'terminate';
      if (own.length === 0 && (instance.lifecycleState === 'Terminating:Wait' || (hinted && instance.lifecycleState === undefined))) {
        actions.push({ kind: 'complete-terminate', instanceId: instance.instanceId });
      }
    }
  }

  // Interfaces of instances that were not observed at all (or are out of this run's scope).
  for (const n of [...obs.interfaces].sort(byId)) {
    if (handled.has(n.interfaceId) || !inScope(n.forInstance)) continue;
    orphan(obs, n, actions, waiting, problems);
  }
  return { actions, waiting, problems, ready, missing, booting };
}

function keep(
  obs: Observation, instance: InstanceView, own: ManagedInterfaceView[],
  actions: Action[], waiting: string[], problems: Problem[], ready: string[], missing: string[], booting: string[],
): void {
  const id = instance.instanceId;
  const subnetId = instance.availabilityZone ? obs.subnetsByAz[instance.availabilityZone] : undefined;
  const atIndex = own.filter((n) => n.attachment?.instanceId === id && n.attachment.deviceIndex === obs.deviceIndex && n.attachment.status !== 'detached');
  // Interfaces of ours that are wrong in themselves go whatever else happens: never keep one with a
  // public address or outside the instance's management subnet.
  const unfit = (n: ManagedInterfaceView) => n.hasPublicIp || (subnetId !== undefined && n.subnetId !== subnetId);
  const keeper = atIndex.find((n) => !unfit(n));

  if (keeper) {
    const a = keeper.attachment!;
    if (a.status === 'attaching') {
      waiting.push(`${keeper.interfaceId} is attaching to ${id}`);
      missing.push(id);
    } else if (a.status === 'detaching') {
      waiting.push(`${keeper.interfaceId} is detaching from ${id}`);
      missing.push(id);
    } else {
      if (!a.deleteOnTermination) {
        actions.push({ kind: 'delete-on-termination', interfaceId: keeper.interfaceId, attachmentId: a.attachmentId });
      }
      ready.push(id);
      const hinted = obs.hint?.instanceId === id && obs.hint.transition === 'launch';
      const waitsInHook = instance.lifecycleState === 'Pending:Wait' || instance.lifecycleState === 'Warmed:Pending:Wait'
        || (hinted && (instance.lifecycleState === undefined || instance.lifecycleState === 'Pending' || instance.lifecycleState === 'Warmed:Pending'));
      if (waitsInHook && obs.handlerCompletesLaunch !== false) {
        actions.push({ kind: 'complete-launch', instanceId: id });
      }
    }
  } else {
    missing.push(id);
  }

  // Everything else of ours on or for this instance.
  for (const n of own) {
    if (n === keeper) continue;
    const attachedHere = n.attachment && n.attachment.instanceId === id && n.attachment.status !== 'detached';
    if (attachedHere) {
      if (n.attachment!.status === 'attached' && (unfit(n) || n.attachment!.deviceIndex !== obs.deviceIndex || keeper)) {
        actions.push({ kind: 'detach', interfaceId: n.interfaceId, attachmentId: n.attachment!.attachmentId });
      } else if (n.attachment!.status !== 'attached') {
        waiting.push(`${n.interfaceId} is ${n.attachment!.status} on ${id}`);
      }
      continue;
    }
    if (n.attachment && n.attachment.status !== 'detached') {
      // Ours, named for this instance, but attached elsewhere: the other instance decides about it.
      continue;
    }
    if (n.status !== 'available') {
      waiting.push(`${n.interfaceId} is ${n.status}`);
      continue;
    }
    if (unfit(n)) {
      actions.push({ kind: 'delete', interfaceId: n.interfaceId, why: n.hasPublicIp ? 'public-ip' : 'wrong-subnet' });
    }
  }
  if (keeper) {
    for (const n of own) {
      if (n !== keeper && !n.attachment && n.status === 'available' && !unfit(n)) {
        actions.push({ kind: 'delete', interfaceId: n.interfaceId, why: 'duplicate' });
      }
    }
    return;
  }

  // No interface attached at the device index yet.
  const taken = instance.interfacesByDeviceIndex[obs.deviceIndex];
  if (taken !== undefined && !own.some((n) => n.interfaceId === taken)) {
    problems.push({ instanceId: id, interfaceId: taken, reason: 'device-index-taken', detail: `device index ${obs.deviceIndex} of ${id} holds ${taken}, which this group did not create: nothing attached` });
    return;
  }
  if (own.some((n) => n.attachment?.instanceId === id && n.attachment.deviceIndex === obs.deviceIndex && n.attachment.status !== 'detached')) {
    return; // an unfit interface still holds the index: its detach is under way
  }
  if (subnetId === undefined) {
    problems.push({ instanceId: id, reason: 'no-management-subnet', detail: `${id} is in ${instance.availabilityZone ?? 'an unknown Availability Zone'}, which has no management subnet (zones with one: ${Object.keys(obs.subnetsByAz).sort().join(', ')})` });
    return;
  }
  const candidates = own.filter((n) => !n.attachment && n.status === 'available' && !unfit(n));
  if (candidates.length === 0 && own.some((n) => unfit(n))) {
    waiting.push(`${id}: an unfit interface goes first`);
    return;
  }
  if (candidates.length === 0) {
    if (own.some((n) => !n.attachment && n.status !== 'available' && !unfit(n))) return; // being created
    actions.push({ kind: 'create', instanceId: id, subnetId });
    return;
  }
  if (instance.state !== 'running' && instance.state !== 'stopped') {
    // EC2 refuses to attach to a pending or stopping instance (IncorrectInstanceState); it attaches to
    // a running or a stopped one (a stopped Standby or warm-pool instance gets its interface too).
    waiting.push(`${id} is ${instance.state}`);
    if (instance.state === 'pending') booting.push(`${id} is ${instance.state}`);
    return;
  }
  // Every concurrent run picks the same interface (the lowest id); the others go once it is attached.
  actions.push({ kind: 'attach', interfaceId: candidates[0].interfaceId, instanceId: id, deviceIndex: obs.deviceIndex });
}

function remove(obs: Observation, instance: InstanceView, own: ManagedInterfaceView[], actions: Action[], waiting: string[]): void {
  for (const n of own) {
    // EC2 may not report an instance it launched moments ago: a young interface of a `gone` instance waits out the grace period.
    if (instance.state === 'gone' && instance.lifecycleState === undefined && n.createdAt !== undefined && obs.now - n.createdAt < obs.orphanGraceMs) {
      continue;
    }
    const a = n.attachment;
    if (a && a.status !== 'detached') {
      if (a.status === 'attached') {
        if (instance.state === 'terminated' || instance.state === 'gone') {
          waiting.push(`${n.interfaceId} is still attached to terminated ${instance.instanceId}`);
        } else {
          actions.push({ kind: 'detach', interfaceId: n.interfaceId, attachmentId: a.attachmentId });
        }
      } else {
        waiting.push(`${n.interfaceId} is ${a.status} on ${instance.instanceId}`);
      }
    } else if (n.status === 'available') {
      actions.push({ kind: 'delete', interfaceId: n.interfaceId, why: instance.lifecycleState === undefined ? 'orphan' : 'terminating' });
    } else {
      waiting.push(`${n.interfaceId} is ${n.status}`);
    }
  }
}

function orphan(obs: Observation, n: ManagedInterfaceView, actions: Action[], waiting: string[], problems: Problem[]): void {
  if (n.attachment && n.attachment.status !== 'detached') {
    problems.push({ interfaceId: n.interfaceId, instanceId: n.attachment.instanceId, reason: 'attached-outside-group', detail: `${n.interfaceId} is attached to ${n.attachment.instanceId}, which is not an instance of ${obs.groupName}: left alone` });
    return;
  }
  if (n.status !== 'available') {
    waiting.push(`${n.interfaceId} is ${n.status}`);
    return;
  }
  // An unattached interface whose instance nobody reports: old enough, it is an orphan. A young one
  // may belong to an instance that the group's eventually consistent view does not list yet.
  if (n.createdAt === undefined || obs.now - n.createdAt >= obs.orphanGraceMs) {
    actions.push({ kind: 'delete', interfaceId: n.interfaceId, why: 'orphan' });
  }
}
