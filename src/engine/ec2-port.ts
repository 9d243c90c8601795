import {
  AttachNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  EC2Client,
  EC2ClientConfig,
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
   * State, AZ, status checks and launch time of every instance, in the order given.
   * Throws `UnknownResourceError` when one of them does not exist.
   */
  describeCandidates(instanceIds: readonly string[]): Promise<CandidateObservation[]>;
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
      attachment: attached
        ? { attachmentId: a.AttachmentId!, instanceId: a.InstanceId!, state: state!, deviceIndex: a.DeviceIndex ?? -1 }
        : undefined,
    };
  }

  public async describeCandidates(instanceIds: readonly string[]): Promise<CandidateObservation[]> {
    if (instanceIds.length === 0) return [];
    const ids = [...instanceIds];
    const [instances, statuses] = await Promise.all([
      this.call(() => this.client.send(new DescribeInstancesCommand({ InstanceIds: ids }))),
      this.call(() => this.client.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }))),
    ]);
    const byId = new Map((instances.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i]));
    const statusById = new Map((statuses.InstanceStatuses ?? []).map((s) => [s.InstanceId, s]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new UnknownResourceError(`instance(s) ${missing.join(', ')} do not exist`, 'InvalidInstanceID.NotFound');
    }
    return ids.map((id) => {
      const i = byId.get(id)!;
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

  public async attach(eniId: string, instanceId: string, deviceIndex: number): Promise<string> {
    const out = await this.call(() => this.client.send(new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: eniId, InstanceId: instanceId, DeviceIndex: deviceIndex,
    })));
    return out.AttachmentId ?? '';
  }

  public async detach(attachmentId: string, force: boolean): Promise<void> {
    await this.call(() => this.client.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: force })));
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
