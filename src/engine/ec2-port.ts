import {
  AttachNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  EC2Client,
  EC2ClientConfig,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AttachmentState, CandidateObservation, EniObservation, InstanceState, StatusCheck } from './decide';

/**
 * Everything the failover engine asks of EC2. The engine depends on this interface only, so it
 * runs against the AWS SDK, a strict in-memory harness or an emulator alike.
 */
export interface Ec2Port {
  /** Where the ENI is attached. Throws `UnknownResourceError` when the ENI does not exist. */
  describeNetworkInterface(eniId: string): Promise<EniObservation>;
  /**
   * State, AZ, status checks and launch time of every instance, in the order given. An instance
   * EC2 does not know (terminated instances vanish from Describe* after about an hour) is
   * reported as `terminated` in the AZ `unknown`.
   */
  describeCandidates(instanceIds: readonly string[]): Promise<CandidateObservation[]>;
  /** Sets tags on the ENI (CreateTags). */
  tagNetworkInterface(eniId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /** Removes tags from the ENI (DeleteTags). */
  untagNetworkInterface(eniId: string, keys: readonly string[]): Promise<void>;
  /** Stops an instance (fencing after a forced detach). */
  stopInstance(instanceId: string): Promise<void>;
  /** Attaches the ENI at a device index; returns the attachment id. */
  attach(eniId: string, instanceId: string, deviceIndex: number): Promise<string>;
  /** Detaches an attachment, forcefully when `force`. */
  detach(attachmentId: string, force: boolean): Promise<void>;
}

/** An ENI or instance that does not exist. The engine refuses to act and changes nothing. */
export class UnknownResourceError extends Error {
  constructor(message: string, public readonly code: string) {
    super(message);
    this.name = 'UnknownResourceError';
  }
}

/** A candidate EC2 does not know: terminated long ago (or never existed). */
export function vanished(instanceId: string): CandidateObservation {
  return { instanceId, availabilityZone: 'unknown', state: 'terminated', statusChecks: 'not-applicable' };
}

/** Error codes that mean "an id you gave me does not exist". */
const NOT_FOUND = new Set([
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidNetworkInterfaceID.Malformed',
  'InvalidNetworkInterfaceId.Malformed',
  'InvalidInstanceID.NotFound',
  'InvalidInstanceID.Malformed',
]);

/** The error code of an AWS SDK (or harness) error. */
export function errorCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string };
  return e?.Code ?? e?.code ?? e?.name ?? 'Error';
}

/** Network errors that mean the endpoint cannot be used at all (a wrong --endpoint or Region), not a passing failure. */
const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND)\b/;

/**
 * Whether an error says the client is set up wrongly (no Region, no credentials, an endpoint that
 * does not resolve or refuses connections): retrying cannot help, so a run gives up at once.
 */
export function isSetupError(err: unknown): boolean {
  const e = err as { message?: string; name?: string; code?: string; cause?: { code?: string } } | undefined;
  const message = e?.message ?? String(err);
  if (/region is missing/i.test(message)) return true;
  if (errorCode(err) === 'CredentialsProviderError' || /could not load credentials/i.test(message)) return true;
  return [e?.cause?.code, e?.code, e?.name, message].some((c) => c !== undefined && UNREACHABLE.test(c));
}

/** Combines the system and instance status checks into one value (the worse one wins). */
export function combineStatusChecks(system: string | undefined, instance: string | undefined): StatusCheck {
  const order: StatusCheck[] = ['impaired', 'initializing', 'insufficient-data', 'ok', 'not-applicable'];
  const values = [system, instance].map((v) => (order.includes(v as StatusCheck) ? v as StatusCheck : 'insufficient-data'));
  return order.find((o) => values.includes(o)) ?? 'insufficient-data';
}

const INSTANCE_STATES: InstanceState[] = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];
const ATTACHMENT_STATES: AttachmentState[] = ['attaching', 'attached', 'detaching'];

/** Options for `SdkEc2Port.create`. */
export interface SdkEc2PortOptions {
  /** @default - from the environment and shared config */
  readonly region?: string;
  /** @default - AWS_PROFILE or the default profile */
  readonly profile?: string;
  /** Custom endpoint, e.g. an emulator. @default - the regional EC2 endpoint */
  readonly endpoint?: string;
}

/** `Ec2Port` on top of `@aws-sdk/client-ec2`. `describeCandidates` makes two requests. */
export class SdkEc2Port implements Ec2Port {
  /** Creates a port with its own EC2 client. */
  public static create(options: SdkEc2PortOptions = {}): SdkEc2Port {
    const config: EC2ClientConfig = { maxAttempts: 4 };
    if (options.region) config.region = options.region;
    if (options.profile) config.profile = options.profile;
    if (options.endpoint) config.endpoint = options.endpoint;
    return new SdkEc2Port(new EC2Client(config));
  }

  constructor(private readonly client: EC2Client) {}

  public async describeNetworkInterface(eniId: string): Promise<EniObservation> {
    const out = await this.call(() => this.client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })));
    const ni = out.NetworkInterfaces?.[0];
    if (!ni) throw new UnknownResourceError(`network interface ${eniId} does not exist`, 'InvalidNetworkInterfaceID.NotFound');
    const a = ni.Attachment;
    const state = a?.Status as AttachmentState | undefined;
    const attached = a?.InstanceId && a.AttachmentId && state && ATTACHMENT_STATES.includes(state);
    return {
      eniId,
      availabilityZone: ni.AvailabilityZone ?? 'unknown',
      status: ni.Status ?? 'unknown',
      privateIpAddress: ni.PrivateIpAddress,
      tags: Object.fromEntries((ni.TagSet ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
      attachment: attached
        ? { attachmentId: a.AttachmentId!, instanceId: a.InstanceId!, state: state!, deviceIndex: a.DeviceIndex ?? -1 }
        : undefined,
    };
  }

  public async describeCandidates(instanceIds: readonly string[]): Promise<CandidateObservation[]> {
    if (instanceIds.length === 0) return [];
    const ids = [...instanceIds];
    const [instances, statuses] = await Promise.all([this.describeInstances(ids), this.describeStatuses(ids)]);
    const byId = new Map((instances.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i]));
    const statusById = new Map(statuses.map((s) => [s.InstanceId, s]));
    return ids.map((id) => {
      const i = byId.get(id);
      if (!i) return vanished(id);
      const s = statusById.get(id);
      const name = (i.State?.Name ?? 'unknown') as InstanceState;
      return {
        instanceId: id,
        availabilityZone: i.Placement?.AvailabilityZone ?? 'unknown',
        state: INSTANCE_STATES.includes(name) ? name : 'unknown',
        statusChecks: s ? combineStatusChecks(s.SystemStatus?.Status, s.InstanceStatus?.Status) : 'insufficient-data',
        healthySince: i.LaunchTime ? new Date(i.LaunchTime).getTime() : undefined,
        interfaces: (i.NetworkInterfaces ?? [])
          .filter((n) => n.NetworkInterfaceId && n.Attachment?.DeviceIndex !== undefined)
          .map((n) => ({ networkInterfaceId: n.NetworkInterfaceId!, deviceIndex: n.Attachment!.DeviceIndex! })),
      };
    });
  }

  public async tagNetworkInterface(eniId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    await this.call(() => this.client.send(new CreateTagsCommand({ Resources: [eniId], Tags: list })));
  }

  public async untagNetworkInterface(eniId: string, keys: readonly string[]): Promise<void> {
    await this.call(() => this.client.send(new DeleteTagsCommand({ Resources: [eniId], Tags: keys.map((Key) => ({ Key })) })));
  }

  public async stopInstance(instanceId: string): Promise<void> {
    await this.call(() => this.client.send(new StopInstancesCommand({ InstanceIds: [instanceId] })));
  }

  public async attach(eniId: string, instanceId: string, deviceIndex: number): Promise<string> {
    const out = await this.call(() => this.client.send(new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: eniId, InstanceId: instanceId, DeviceIndex: deviceIndex,
    })));
    return out.AttachmentId ?? '';
  }

  public async detach(attachmentId: string, force: boolean): Promise<void> {
    await this.call(() => this.client.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: force })));
  }

  /**
   * DescribeInstances by InstanceIds. The DescribeInstances reference warns that a call with a filter
   * and no instance ids can fail during a service disruption in an Availability Zone (exactly when a
   * failover runs), while a call naming the ids still returns what it can. Only when EC2 no longer
   * knows one of the ids (InvalidInstanceID.NotFound, which fails the whole call) is the call made
   * again with an `instance-id` filter, which leaves the vanished ids out instead of failing.
   */
  private async describeInstances(ids: string[]) {
    try {
      return await this.call(() => this.client.send(new DescribeInstancesCommand({ InstanceIds: ids })));
    } catch (err) {
      if (!(err instanceof UnknownResourceError) || err.code !== 'InvalidInstanceID.NotFound') throw err;
      return this.call(() => this.client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }] })));
    }
  }

  /**
   * DescribeInstanceStatus of every id; when EC2 no longer knows one of them (NotFound), again
   * without the ids its message names, so one vanished candidate does not hide the others.
   */
  private async describeStatuses(ids: string[]) {
    for (let left = ids; left.length > 0;) {
      try {
        const out = await this.call(() => this.client.send(new DescribeInstanceStatusCommand({ InstanceIds: left, IncludeAllInstances: true })));
        return out.InstanceStatuses ?? [];
      } catch (err) {
        const gone = err instanceof UnknownResourceError ? left.filter((id) => err.message.includes(id)) : [];
        if (gone.length === 0) throw err;
        left = left.filter((id) => !gone.includes(id));
      }
    }
    return [];
  }

  /** Maps "does not exist" errors to `UnknownResourceError`; everything else passes through. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = errorCode(err);
      if (NOT_FOUND.has(code)) throw new UnknownResourceError((err as Error).message, code);
      throw err;
    }
  }
}
