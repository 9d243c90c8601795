/**
 * The management-interface handler against moto_server: real HTTP, the real AWS SDK (EC2 query/XML,
 * Auto Scaling query/XML), a real Auto Scaling group with instances in two zones. moto is lax and
 * simple (it puts instances InService at once, implements no lifecycle hooks or
 * CompleteLifecycleAction, and is strongly consistent), so the hook and fault cases live in the
 * harness tests; this proves the SDK port and the loop against a real API surface.
 */
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand, CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand,
  DescribeImagesCommand, DescribeInstancesCommand, DescribeNetworkInterfacesCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { MemoryLogger, SETTINGS } from './harness';
import { MGMT_ENV, MGMT_TAGS, settingsFromEnv } from '../../src/engine/management-interfaces/contract';
import { Action } from '../../src/engine/management-interfaces/decide';
import { createHandler } from '../../src/engine/management-interfaces/management-interfaces.lambda';
import { SdkManagementPort } from '../../src/engine/management-interfaces/port';
import { Clock, reconcileGroup } from '../../src/engine/management-interfaces/reconcile';
import { Moto, startMoto } from '../engine/moto';

const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const GROUP = 'moto-web';
/** Real time, but the loop's pauses are shortened: moto is strongly consistent. */
const fastClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) };

let moto: Moto;
let ec2: EC2Client;
let autoscaling: AutoScalingClient;
let subnets: Record<string, string>;
let managementSg: string;
let instances: { id: string; az: string }[];

async function ourInterfaces() {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: `tag:${MGMT_TAGS.GROUP}`, Values: [GROUP] }] }));
  return out.NetworkInterfaces ?? [];
}

/**
 * The actions that change something moto keeps. moto does not store an attachment's
 * DeleteOnTermination flag (it always reads back false), so every run sets it again there; AWS keeps it.
 */
function changes(performed: readonly Action[]): Action[] {
  return performed.filter((a) => a.kind !== 'delete-on-termination');
}

function settings() {
  return { ...SETTINGS, groupName: GROUP, subnetsByAz: subnets, securityGroupIds: [managementSg], deadlineMs: 30_000 };
}

function port() {
  return SdkManagementPort.create({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
}

beforeAll(async () => {
  moto = await startMoto();
  ec2 = new EC2Client({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
  autoscaling = new AutoScalingClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const mk = async (cidr: string, az: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: az }))).Subnet!.SubnetId!;
  const publicA = await mk('10.0.0.0/24', 'eu-west-1a');
  const publicB = await mk('10.0.1.0/24', 'eu-west-1b');
  subnets = { 'eu-west-1a': await mk('10.0.2.0/24', 'eu-west-1a'), 'eu-west-1b': await mk('10.0.3.0/24', 'eu-west-1b') };
  managementSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'mgmt', Description: 'management', VpcId: vpc }))).GroupId!;
  const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: image, InstanceType: 't3.micro' } }));
  await autoscaling.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: GROUP,
    LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' },
    MinSize: 3,
    MaxSize: 3,
    DesiredCapacity: 3,
    VPCZoneIdentifier: `${publicA},${publicB}`,
  }));
  const group = (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GROUP] }))).AutoScalingGroups![0];
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: group.Instances!.map((i) => i.InstanceId!) }));
  instances = described.Reservations!.flatMap((r) => r.Instances!).map((i) => ({ id: i.InstanceId!, az: i.Placement!.AvailabilityZone! }));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

describe('management interfaces against moto_server', () => {
  test('a scheduled run gives every instance one interface in its zone\'s management subnet at device index 1', async () => {
    expect(instances).toHaveLength(3);
    const result = await reconcileGroup(port(), settings(), fastClock, new MemoryLogger(), {});
    expect(result.outcome).toEqual('converged');
    const ours = await ourInterfaces();
    expect(ours).toHaveLength(3);
    for (const i of instances) {
      const eni = ours.filter((n) => n.Attachment?.InstanceId === i.id);
      expect(eni).toHaveLength(1);
      expect(eni[0].Attachment?.DeviceIndex).toEqual(1);
      expect(eni[0].SubnetId).toEqual(subnets[i.az]);
      expect(eni[0].Groups?.map((g) => g.GroupId)).toEqual([managementSg]);
      expect(eni[0].Association?.PublicIp).toBeUndefined();
    }
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instances.map((i) => i.id) }));
    for (const inst of described.Reservations!.flatMap((r) => r.Instances!)) {
      expect(inst.NetworkInterfaces!.map((n) => n.Attachment?.DeviceIndex).sort()).toEqual([0, 1]);
    }
  });

  test('a second run and a redelivered launch event change nothing', async () => {
    const before = (await ourInterfaces()).map((n) => n.NetworkInterfaceId).sort();
    const again = await reconcileGroup(port(), settings(), fastClock, new MemoryLogger(), {});
    const event = await reconcileGroup(port(), settings(), fastClock, new MemoryLogger(), { hint: { instanceId: instances[0].id, transition: 'launch', eventTime: Date.now() } });
    expect(changes(again.performed)).toEqual([]);
    expect(changes(event.performed)).toEqual([]);
    expect((await ourInterfaces()).map((n) => n.NetworkInterfaceId).sort()).toEqual(before);
  });

  test('the scheduled run deletes an old orphan and leaves an interface it did not tag alone', async () => {
    const orphan = (await ec2.send(new CreateNetworkInterfaceCommand({
      SubnetId: subnets['eu-west-1a'],
      TagSpecifications: [{
        ResourceType: 'network-interface',
        Tags: [
          { Key: MGMT_TAGS.GROUP, Value: GROUP }, { Key: MGMT_TAGS.INSTANCE, Value: 'i-0123456789abcdef0' },
          { Key: MGMT_TAGS.CREATED_AT, Value: new Date(Date.now() - 3_600_000).toISOString() },
        ],
      }],
    }))).NetworkInterface!.NetworkInterfaceId!;
    const foreign = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnets['eu-west-1a'], Description: 'not ours' }))).NetworkInterface!.NetworkInterfaceId!;
    const result = await reconcileGroup(port(), settings(), fastClock, new MemoryLogger(), {});
    expect(changes(result.performed)).toEqual([{ kind: 'delete', interfaceId: orphan, why: 'orphan' }]);
    const left = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnets['eu-west-1a']] }] }));
    const ids = left.NetworkInterfaces!.map((n) => n.NetworkInterfaceId);
    expect(ids).not.toContain(orphan);
    expect(ids).toContain(foreign);
  });

  test('the Lambda entry point reads its settings from the environment and runs a scheduled event', async () => {
    const env = {
      [MGMT_ENV.GROUP_NAME]: GROUP,
      [MGMT_ENV.SUBNETS]: Object.entries(subnets).map(([az, s]) => `${az}=${s}`).join(','),
      [MGMT_ENV.SECURITY_GROUPS]: managementSg,
    };
    const metrics: string[] = [];
    const handler = createHandler(() => ({
      settings: { ...settingsFromEnv(env), deadlineMs: 30_000 },
      port: port(),
      clock: fastClock,
      logger: new MemoryLogger(),
      metrics: { addDimension: () => undefined, addMetric: (name: string, _u: unknown, v: number) => metrics.push(`${name}=${v}`), publishStoredMetrics: () => undefined },
    }));
    const result = await handler({ 'detail-type': 'Scheduled Event', 'source': 'aws.events' });
    expect(result).toMatchObject({ outcome: 'converged', inServiceMissing: 0 });
    expect(metrics).toContain('InstancesWithoutManagementInterface=0');
    const ignored = await handler({ 'detail-type': 'EC2 Instance-launch Lifecycle Action', 'detail': { AutoScalingGroupName: 'another', EC2InstanceId: instances[0].id } });
    expect(ignored).toEqual({ ignored: expect.stringContaining('of group another, not moto-web') });
  });
});
