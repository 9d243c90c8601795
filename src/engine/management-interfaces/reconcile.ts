/**
 * The observe/decide/act loop of the management-interface handler. Every run, whatever started it
 * (a launch or terminate lifecycle event, a redelivered or late one, the schedule), observes the
 * group and the interfaces it tagged, asks `decide()` and performs the actions, then observes
 * again until nothing is left to do or the deadline passes. Errors other than missing permissions
 * are re-observed, not trusted: EC2 reads are eventually consistent, and a concurrent run may have
 * done the step already.
 */
import { createHash } from 'node:crypto';
import { ManagementInterfaceSettings } from './contract';
import { Action, decide, Decision, InstanceView, Observation, Problem } from './decide';
import { errorCode, ManagementPort } from './port';

/** Time, injectable so the tests run on virtual time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Structured log lines, one per decision and per failed action. */
export interface RunLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

/** What started the run. */
export interface RunRequest {
  /** A lifecycle event: the run is limited to this instance. */
  readonly hint?: { readonly instanceId: string; readonly transition: 'launch' | 'terminate'; readonly eventTime?: number };
}

/** How a run ended. */
export interface RunResult {
  /**
   * `converged`; `waiting-for-boot` when the deadline passed with nothing left but instances still
   * `pending` (slow instance types): a normal launch, left to the next event or scheduled run;
   * `deadline-exceeded` otherwise.
   */
  readonly outcome: 'converged' | 'waiting-for-boot' | 'deadline-exceeded';
  readonly passes: number;
  /** Every action performed, in order (including ones that failed). */
  readonly performed: readonly Action[];
  /** Error codes of failed actions (re-observed and usually done by the next pass). */
  readonly failures: readonly string[];
  readonly problems: readonly Problem[];
  /** Instances with their management interface attached at the end of the run. */
  readonly ready: readonly string[];
  /** Instances still without one (InService included). */
  readonly missing: readonly string[];
  /** InService instances still without one: the figure the construct alarms on. */
  readonly inServiceMissing: number;
  readonly durationMs: number;
}

/** The longest pause between observations while waiting (an instance boots, an attachment completes). */
export const MAX_BACKOFF_MS = 4000;

/** How long runs share the client token of an instance's interface. */
export const TOKEN_WINDOW_MS = 10 * 60_000;

/** Errors that no repetition fixes: the run stops and the invocation fails. */
const FATAL = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'AuthFailure', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/** The message CompleteLifecycleAction gives when the hook was completed already or has expired. */
function isNoActiveLifecycleAction(err: unknown): boolean {
  return errorCode(err) === 'ValidationError' && /No active Lifecycle Action/i.test(String((err as Error)?.message));
}

/**
 * The client token of the interface for an instance: the same for every run that creates one for
 * this instance with these settings, so EC2 returns the existing interface instead of a second one.
 */
export function clientTokenFor(
  settings: Pick<ManagementInterfaceSettings, 'groupName' | 'securityGroupIds' | 'description'>, instanceId: string, subnetId: string, now: number,
): string {
  // A ten-minute window: runs that overlap share the token; a create after this instance's interface
  // was deleted (public address, wrong subnet) gets a new interface instead of the deleted one back.
  const window = Math.floor(now / TOKEN_WINDOW_MS);
  const digest = createHash('sha256')
    .update([settings.groupName, instanceId, subnetId, [...settings.securityGroupIds].sort().join(','), settings.description, window].join('\n'))
    .digest('hex');
  return `${instanceId}-${digest}`.slice(0, 64);
}

/**
 * The created-at tag of an interface created now: the end of the client token's window, so that
 * every retry with the same token sends identical parameters (EC2 answers a token reused with other
 * parameters with IdempotentParameterMismatch). It is at most one window later than the real
 * creation, so an interface looks younger, never older: orphan deletion waits longer, never less.
 */
export function createdAtFor(now: number): string {
  return new Date((Math.floor(now / TOKEN_WINDOW_MS) + 1) * TOKEN_WINDOW_MS).toISOString();
}

/** One observation of the group, the tagged interfaces and the instances they name. */
export async function observe(port: ManagementPort, settings: ManagementInterfaceSettings, clock: Clock, request: RunRequest): Promise<Observation> {
  const scope = request.hint?.instanceId;
  const [members, interfaces] = await Promise.all([port.describeGroup(settings.groupName), port.describeManagedInterfaces(settings.groupName)]);
  const relevant = scope === undefined ? interfaces : interfaces.filter((n) => n.forInstance === scope || n.attachment?.instanceId === scope);
  const ids = new Set<string>();
  for (const m of members) if (scope === undefined || m.instanceId === scope) ids.add(m.instanceId);
  for (const n of relevant) {
    if (n.forInstance) ids.add(n.forInstance);
    if (n.attachment) ids.add(n.attachment.instanceId);
  }
  if (scope) ids.add(scope);
  const views = ids.size > 0 ? await port.describeInstances([...ids]) : [];
  const byMember = new Map(members.map((m) => [m.instanceId, m]));
  const instances: InstanceView[] = views.map((v) => {
    const m = byMember.get(v.instanceId);
    return { ...v, lifecycleState: m?.lifecycleState, availabilityZone: v.availabilityZone ?? (m?.availabilityZone || undefined) };
  });
  return {
    now: clock.now(),
    groupName: settings.groupName,
    deviceIndex: settings.deviceIndex,
    subnetsByAz: settings.subnetsByAz,
    orphanGraceMs: settings.orphanGraceMs,
    handlerCompletesLaunch: settings.handlerCompletesLaunch,
    instances,
    interfaces: relevant,
    hint: request.hint,
    scope,
  };
}

/** Performs one action. Returns the error code of a failure that re-observing should settle; throws a fatal one. */
async function act(port: ManagementPort, settings: ManagementInterfaceSettings, clock: Clock, action: Action): Promise<string | undefined> {
  try {
    switch (action.kind) {
      case 'create':
        await port.createInterface({
          groupName: settings.groupName,
          instanceId: action.instanceId,
          subnetId: action.subnetId,
          securityGroupIds: settings.securityGroupIds,
          description: settings.description,
          clientToken: clientTokenFor(settings, action.instanceId, action.subnetId, clock.now()),
          createdAt: createdAtFor(clock.now()),
        });
        break;
      case 'attach':
        await port.attach(action.interfaceId, action.instanceId, action.deviceIndex);
        break;
      case 'delete-on-termination':
        await port.setDeleteOnTermination(action.interfaceId, action.attachmentId);
        break;
      case 'detach':
        await port.detach(action.attachmentId);
        break;
      case 'delete':
        await port.deleteInterface(action.interfaceId);
        break;
      case 'complete-launch':
        await port.completeLifecycleAction(settings.groupName, settings.launchHookName, action.instanceId, 'CONTINUE');
        break;
      case 'complete-terminate':
        await port.completeLifecycleAction(settings.groupName, settings.terminateHookName, action.instanceId, 'CONTINUE');
        break;
    }
    return undefined;
  } catch (err) {
    const code = errorCode(err);
    if (FATAL.has(code)) throw err;
    if ((action.kind === 'complete-launch' || action.kind === 'complete-terminate') && isNoActiveLifecycleAction(err)) {
      return undefined; // completed by another run, or the hook timed out: nothing left to do
    }
    return code;
  }
}

/** Actions whose effect a later observation may not show. */
const UNOBSERVABLE = new Set<Action['kind']>(['delete-on-termination', 'complete-launch', 'complete-terminate']);

/** Runs the loop until the group converges or the deadline passes. */
export async function reconcileGroup(
  port: ManagementPort, settings: ManagementInterfaceSettings, clock: Clock, logger: RunLogger, request: RunRequest = {},
): Promise<RunResult> {
  const started = clock.now();
  const deadline = started + settings.deadlineMs;
  const performed: Action[] = [];
  const failures: string[] = [];
  let delay = 500;
  let passes = 0;
  let last: Decision | undefined;
  let lastObservation: Observation | undefined;
  const settled = new Set<string>();
  const finish = (outcome: RunResult['outcome']): RunResult => {
    const inService = new Set((lastObservation?.instances ?? []).filter((i) => i.lifecycleState === 'InService').map((i) => i.instanceId));
    return {
      outcome,
      passes,
      performed,
      failures,
      problems: last?.problems ?? [],
      ready: last?.ready ?? [],
      missing: last?.missing ?? [],
      inServiceMissing: (last?.missing ?? []).filter((id) => inService.has(id)).length,
      durationMs: clock.now() - started,
    };
  };

  for (;;) {
    passes++;
    try {
      lastObservation = await observe(port, settings, clock, request);
    } catch (err) {
      const code = errorCode(err);
      if (FATAL.has(code)) throw err;
      // Throttled or briefly unavailable: observe again after a backoff, within the deadline.
      failures.push(code);
      logger.warn('management interfaces: observation failed, trying again', { code });
      if (clock.now() >= deadline) return finish('deadline-exceeded');
      await clock.sleep(delay);
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      continue;
    }
    const decided = decide(lastObservation);
    // Lifecycle completions and the delete-on-termination flag are not (reliably) observable: one
    // success per run is enough, a stale read must not repeat them forever.
    last = { ...decided, actions: decided.actions.filter((a) => !settled.has(describeAction(a))) };
    logger.info('management interfaces: decision', {
      pass: passes,
      scope: request.hint?.instanceId ?? 'group',
      actions: last.actions.map(describeAction),
      waiting: last.waiting,
      problems: last.problems.map((p) => p.detail),
    });
    if (last.actions.length === 0 && last.waiting.length === 0) {
      return finish('converged');
    }
    if (clock.now() >= deadline) {
      const onlyBooting = last.actions.length === 0 && last.waiting.length > 0 && last.waiting.every((w) => last!.booting.includes(w));
      return finish(onlyBooting ? 'waiting-for-boot' : 'deadline-exceeded');
    }
    const results = await Promise.all(last.actions.map((a) => act(port, settings, clock, a)));
    results.forEach((code, i) => {
      const action = last!.actions[i];
      performed.push(action);
      if (code === undefined && UNOBSERVABLE.has(action.kind)) settled.add(describeAction(action));
      if (code !== undefined) {
        failures.push(code);
        logger.warn('management interfaces: action failed, observing again', { action: describeAction(last!.actions[i]), code });
      }
    });
    const progressed = last.actions.length > 0 && results.some((r) => r === undefined);
    await clock.sleep(progressed ? 1000 : delay);
    delay = progressed ? 500 : Math.min(delay * 2, MAX_BACKOFF_MS);
  }
}

/** A one-line description of an action for logs. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'create': return `create in ${a.subnetId} for ${a.instanceId}`;
    case 'attach': return `attach ${a.interfaceId} to ${a.instanceId} at ${a.deviceIndex}`;
    case 'delete-on-termination': return `delete-on-termination ${a.interfaceId}`;
    case 'detach': return `detach ${a.interfaceId} (${a.attachmentId})`;
    case 'delete': return `delete ${a.interfaceId} (${a.why})`;
    case 'complete-launch': return `complete launch of ${a.instanceId}`;
    case 'complete-terminate': return `complete termination of ${a.instanceId}`;
  }
}
