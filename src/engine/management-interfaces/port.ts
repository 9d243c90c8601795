/**
 * Everything the management-interface handler asks of EC2 and Auto Scaling, and the one place
 * that builds real SDK clients. The loop depends on the `ManagementPort` interface only, so it
 * runs against the AWS SDK, the strict in-memory harness of the tests, or moto alike.
 */
import {
  AutoScalingClient,
  AutoScalingClientConfig,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  EC2Client,
  EC2ClientConfig,
  ModifyNetworkInterfaceAttributeCommand,
  NetworkInterface,
} from '@aws-sdk/client-ec2';
import { MGMT_TAGS } from './contract';
import { AttachmentStatus, Ec2InstanceState, InstanceView, ManagedInterfaceView } from './decide';

/** One instance of the group as Auto Scaling lists it. */
export interface GroupMember {
  readonly instanceId: string;
  readonly lifecycleState: string;
  readonly availabilityZone: string;
}

/** What a new management interface is created with. */
export interface CreateInterfaceRequest {
  readonly groupName: string;
  readonly instanceId: string;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  readonly description: string;
  /** Deterministic per instance: two runs that create for one instance get one interface. */
  readonly clientToken: string;
  /** ISO 8601, written into the created-at tag. */
  readonly createdAt: string;
}

/** EC2 and Auto Scaling, as the handler uses them. */
export interface ManagementPort {
  /** The group's instances. Throws when the group does not exist. */
  describeGroup(groupName: string): Promise<GroupMember[]>;
  /** EC2's view of the instances; an instance EC2 does not know is returned with state `gone`. */
  describeInstances(instanceIds: readonly string[]): Promise<InstanceView[]>;
  /** Every interface that carries the group tag with this group's name. */
  describeManagedInterfaces(groupName: string): Promise<ManagedInterfaceView[]>;
  /** Creates a tagged interface (no public address); returns its id. */
  createInterface(request: CreateInterfaceRequest): Promise<string>;
  /** Attaches an interface; returns the attachment id. */
  attach(interfaceId: string, instanceId: string, deviceIndex: number): Promise<string>;
  /** Marks an attachment delete-on-termination: EC2 then deletes the interface with its instance. */
  setDeleteOnTermination(interfaceId: string, attachmentId: string): Promise<void>;
  /** Detaches (never forced: the handler detaches only from running or terminating instances). */
  detach(attachmentId: string): Promise<void>;
  deleteInterface(interfaceId: string): Promise<void>;
  /** Completes a lifecycle action of an instance. */
  completeLifecycleAction(groupName: string, hookName: string, instanceId: string, result: 'CONTINUE' | 'ABANDON'): Promise<void>;
}

/** The error code of an AWS SDK (or harness) error. */
export function errorCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string };
  return e?.Code ?? e?.code ?? e?.name ?? 'Error';
}

const INSTANCE_STATES = new Set<Ec2InstanceState>(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']);
const ATTACHMENT_STATES = new Set<AttachmentStatus>(['attaching', 'attached', 'detaching', 'detached']);

/** Converts an EC2 interface description into the decision's view. */
export function interfaceView(n: NetworkInterface): ManagedInterfaceView {
  const tags = Object.fromEntries((n.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const created = Date.parse(tags[MGMT_TAGS.CREATED_AT] ?? '');
  const a = n.Attachment;
  const status = a?.Status as AttachmentStatus | undefined;
  return {
    interfaceId: n.NetworkInterfaceId!,
    subnetId: n.SubnetId ?? '',
    forInstance: tags[MGMT_TAGS.INSTANCE] ?? '',
    status: n.Status ?? 'unknown',
    attachment: a?.InstanceId && status && ATTACHMENT_STATES.has(status) ? {
      attachmentId: a.AttachmentId ?? '',
      instanceId: a.InstanceId,
      deviceIndex: a.DeviceIndex ?? -1,
      status,
      deleteOnTermination: a.DeleteOnTermination === true,
    } : undefined,
    createdAt: Number.isFinite(created) ? created : undefined,
    hasPublicIp: Boolean(n.Association?.PublicIp),
  };
}

/** Options of `SdkManagementPort.create`. */
export interface SdkManagementPortOptions {
  /** @default - from the environment */
  readonly region?: string;
  /** An emulator endpoint for both services. @default - the regional endpoints */
  readonly endpoint?: string;
  /** @default - from the environment */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** `ManagementPort` on top of the AWS SDK v3. */
export class SdkManagementPort implements ManagementPort {
  /** Builds the two clients (standard retry mode: throttling is retried with backoff). */
  public static create(options: SdkManagementPortOptions = {}): SdkManagementPort {
    const common = { maxAttempts: 5, region: options.region, endpoint: options.endpoint, credentials: options.credentials };
    return new SdkManagementPort(new EC2Client(common as EC2ClientConfig), new AutoScalingClient(common as AutoScalingClientConfig));
  }

  constructor(private readonly ec2: EC2Client, private readonly autoscaling: AutoScalingClient) {}

  async describeGroup(groupName: string): Promise<GroupMember[]> {
    const out = await this.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
    const group = out.AutoScalingGroups?.[0];
    if (!group) {
      throw new Error(`Auto Scaling group ${groupName} does not exist`);
    }
    return (group.Instances ?? []).map((i) => ({ instanceId: i.InstanceId!, lifecycleState: String(i.LifecycleState), availabilityZone: i.AvailabilityZone ?? '' }));
  }

  async describeInstances(instanceIds: readonly string[]): Promise<InstanceView[]> {
    const found = new Map<string, InstanceView>();
    // One id at a time when a batch names an unknown id: EC2 fails the whole request for it.
    const describe = async (ids: string[]) => {
      let token: string | undefined;
      do {
        const out = await this.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids, NextToken: token }));
        for (const r of out.Reservations ?? []) {
          for (const i of r.Instances ?? []) {
            const state = i.State?.Name as Ec2InstanceState;
            const byIndex: Record<number, string> = {};
            for (const n of i.NetworkInterfaces ?? []) {
              if (n.Attachment?.DeviceIndex !== undefined && n.NetworkInterfaceId) byIndex[n.Attachment.DeviceIndex] = n.NetworkInterfaceId;
            }
            found.set(i.InstanceId!, {
              instanceId: i.InstanceId!,
              state: INSTANCE_STATES.has(state) ? state : 'pending',
              availabilityZone: i.Placement?.AvailabilityZone,
              groupTag: i.Tags?.find((t) => t.Key === 'aws:autoscaling:groupName')?.Value,
              interfacesByDeviceIndex: byIndex,
            });
          }
        }
        token = out.NextToken;
      } while (token);
    };
    const ids = [...new Set(instanceIds)];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      try {
        await describe(batch);
      } catch (err) {
        if (!errorCode(err).startsWith('InvalidInstanceID')) throw err;
        for (const id of batch) {
          try {
            await describe([id]);
          } catch (inner) {
            if (!errorCode(inner).startsWith('InvalidInstanceID')) throw inner;
          }
        }
      }
    }
    return ids.map((id) => found.get(id) ?? { instanceId: id, state: 'gone' as const, interfacesByDeviceIndex: {} });
  }

  async describeManagedInterfaces(groupName: string): Promise<ManagedInterfaceView[]> {
    const result: ManagedInterfaceView[] = [];
    let token: string | undefined;
    do {
      const out = await this.ec2.send(new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: `tag:${MGMT_TAGS.GROUP}`, Values: [groupName] }],
        NextToken: token,
      }));
      result.push(...(out.NetworkInterfaces ?? []).map(interfaceView));
      token = out.NextToken;
    } while (token);
    return result;
  }

  async createInterface(r: CreateInterfaceRequest): Promise<string> {
    const out = await this.ec2.send(new CreateNetworkInterfaceCommand({
      SubnetId: r.subnetId,
      Groups: [...r.securityGroupIds],
      Description: r.description.slice(0, 255),
      ClientToken: r.clientToken,
      TagSpecifications: [{
        ResourceType: 'network-interface',
        Tags: [
          { Key: MGMT_TAGS.GROUP, Value: r.groupName },
          { Key: MGMT_TAGS.INSTANCE, Value: r.instanceId },
          { Key: MGMT_TAGS.CREATED_AT, Value: r.createdAt },
          { Key: 'Name', Value: `${r.groupName} management ${r.instanceId}`.slice(0, 255) },
        ],
      }],
    }));
    return out.NetworkInterface!.NetworkInterfaceId!;
  }

  async attach(interfaceId: string, instanceId: string, deviceIndex: number): Promise<string> {
    const out = await this.ec2.send(new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: interfaceId,
      InstanceId: instanceId,
      DeviceIndex: deviceIndex,
    }));
    return out.AttachmentId ?? '';
  }

  async setDeleteOnTermination(interfaceId: string, attachmentId: string): Promise<void> {
    await this.ec2.send(new ModifyNetworkInterfaceAttributeCommand({
      NetworkInterfaceId: interfaceId,
      Attachment: { AttachmentId: attachmentId, DeleteOnTermination: true },
    }));
  }

  async detach(attachmentId: string): Promise<void> {
    await this.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
  }

  async deleteInterface(interfaceId: string): Promise<void> {
    await this.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: interfaceId }));
  }

  async completeLifecycleAction(groupName: string, hookName: string, instanceId: string, result: 'CONTINUE' | 'ABANDON'): Promise<void> {
    await this.autoscaling.send(new CompleteLifecycleActionCommand({
      AutoScalingGroupName: groupName,
      LifecycleHookName: hookName,
      InstanceId: instanceId,
      LifecycleActionResult: result,
    }));
  }
}
