import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ApplianceRole, DnsFailover, DualHomedFleet, DualHomedInstance, EniFailover, ManagedFargateService,
  ManagementAccess, ManagementNetwork, NetworkInterface, RoutingAppliance, SelfHealingInstance,
} from '../../src';

// Two of every construct in one stack, and the same again in a second stack of the same account
// and Region, with aws-cdk-lib's DEFAULT feature flags (no context: what a new user has without a
// cdk.json). Every explicit physical name must be unique, or the second deployment fails (EC2
// refuses a second launch template named `InstanceLaunchTemplate`, IAM a second role of a name...).
// The check is generic: every resource's top-level property whose key ends in `Name` names the
// resource, except the keys listed in REFERENCES, which name something else.

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** Keys ending in `Name` that refer to or describe something rather than name the resource. */
const REFERENCES = new Set([
  'AWS::EC2::Instance.KeyName', // an existing key pair
  'AWS::EC2::VPCEndpoint.ServiceName', // the AWS service, e.g. com.amazonaws.eu-west-1.ssm
  'AWS::Route53::RecordSet.HostedZoneName',
  'AWS::Route53::RecordSet.Name', // DNS record of the user's zone: recordName is the user's
  'AWS::Route53::HostedZone.Name', // the user's domain (the fixture's)
  'AWS::CloudWatch::Alarm.MetricName',
  'AWS::Lambda::Permission.FunctionName', // the function the permission is for
  'AWS::Lambda::EventInvokeConfig.FunctionName',
  'AWS::Logs::SubscriptionFilter.LogGroupName',
  'AWS::EC2::FlowLog.LogGroupName', // the flow log's destination
  'AWS::EC2::FlowLog.LogDestinationType',
  'AWS::IAM::Policy.PolicyName', // inline: unique per role only, CDK derives it from the path
  'AWS::ECS::Service.ClusterName',
  'AWS::ECS::TaskDefinition.ContainerDefinitions',
  'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupName',
  'AWS::SNS::Topic.DisplayName', // the sender name of e-mails, not an identifier
]);

function buildEverything(scope: Construct, n: number): void {
  const id = (name: string) => `${name}${n}`;
  const stack = Stack.of(scope);
  const network = new ManagementNetwork(scope, id('Network'), {
    cidr: `10.${n}.0.0/16`,
    applicationSubnetCidrMask: 24,
    access: [
      ManagementAccess.sessionManager(),
      ManagementAccess.instanceConnectEndpoint(),
      ManagementAccess.clientVpn({
        cidr: `10.${100 + n}.0.0/22`,
        serverCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/server',
        clientCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/client',
      }),
      ManagementAccess.vpnGateway({ onPremisesCidrs: [`192.168.${n}.0/24`], customerGateway: { ipAddress: `203.0.113.${n}` } }),
    ],
  });
  const vpc = network.vpc;
  const [az] = vpc.availabilityZones;
  const publicInAz = { subnetGroupName: 'Public', availabilityZones: [az] };
  const image = ec2.MachineImage.latestAmazonLinux2023();
  const t3 = new ec2.InstanceType('t3.micro');

  new NetworkInterface(scope, id('Eni'), { vpc, vpcSubnets: publicInAz, elasticIps: [{}] });
  new DualHomedInstance(scope, id('Host'), {
    vpc,
    publicSubnet: network.publicSubnetSelection,
    managementSubnet: network.managementSubnetSelection,
    availabilityZone: az,
    instanceType: t3,
    machineImage: image,
    managementPeers: network.managementPeers,
    ssmManagedInstance: true,
  });
  new DualHomedFleet(scope, id('Fleet'), {
    vpc,
    publicSubnet: network.publicSubnetSelection,
    managementSubnet: network.managementSubnetSelection,
    instanceType: t3,
    machineImage: image,
    managementPeers: network.managementPeers,
    elasticIp: false,
  });
  const server = (name: string) => new ec2.Instance(scope, id(name), {
    // httpTokens, not requireImdsv2: the latter adds a launch template named `<id>LaunchTemplate`
    // under default feature flags, which a second stack in the account cannot reuse.
    vpc, vpcSubnets: publicInAz, instanceType: t3, machineImage: image, httpTokens: ec2.HttpTokens.REQUIRED,
  });
  new EniFailover(scope, id('Failover'), { primary: server('Primary'), standby: server('Standby'), vpc, vpcSubnets: publicInAz, elasticIp: true });
  new RoutingAppliance(scope, id('Nat'), {
    vpc, role: ApplianceRole.nat(), vpcSubnets: publicInAz, routedSubnets: network.applicationSubnetSelection, destinationCidrBlock: '198.18.0.0/15', standby: true,
  });
  new RoutingAppliance(scope, id('Proxy'), {
    vpc, role: ApplianceRole.proxy(), vpcSubnets: { subnetGroupName: 'Management', availabilityZones: [az] },
  });
  new SelfHealingInstance(scope, id('SelfHealing'), { vpc, vpcSubnets: publicInAz, instanceType: t3, machineImage: image, elasticIp: true });
  const zone = route53.PublicHostedZone.fromHostedZoneAttributes(scope, id('Zone'), { hostedZoneId: 'Z0123456789', zoneName: 'example.com' });
  new DnsFailover(scope, id('Dns'), {
    zone, recordName: `www${n}`, primaryAddress: '198.51.100.1', secondaryAddress: '198.51.100.2', requestInterval: Duration.seconds(10),
  });
  const task = new ecs.FargateTaskDefinition(scope, id('Task'));
  task.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
  new ManagedFargateService(scope, id('Service'), {
    vpc, applicationSubnets: network.applicationSubnetSelection!, taskDefinition: task, managementPeers: network.managementPeers,
  });
  void stack;
}

interface PhysicalName {
  readonly where: string;
  readonly key: string;
  readonly value: string;
}

/** Every explicit physical name of a template: top-level `*Name` properties not in REFERENCES. */
function physicalNames(stackName: string, template: any): PhysicalName[] {
  const names: PhysicalName[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    for (const [prop, value] of Object.entries<any>(resource.Properties ?? {})) {
      const key = `${resource.Type}.${prop}`;
      if (!prop.endsWith('Name') || REFERENCES.has(key) || value === undefined) continue;
      names.push({ where: `${stackName}/${logicalId}`, key, value: JSON.stringify(value) });
    }
  }
  return names;
}

/** Names in a namespace shared by all resource types that take that key (e.g. RoleName). */
function duplicates(names: PhysicalName[]): string[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const name of names) {
    // A name built from AWS::StackName differs per stack; within one stack it must differ by itself.
    const namespace = name.value.includes('AWS::StackName') ? `${name.where.split('/')[0]}|` : '';
    const k = `${namespace}${name.key.split('.')[1]}=${name.value}`;
    const previous = seen.get(k);
    if (previous) clashes.push(`${name.key} ${name.value}: ${previous} and ${name.where}`);
    else seen.set(k, name.where);
  }
  return clashes;
}

describe('explicit physical names with default feature flags', () => {
  const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const first = new Stack(app, 'First', { env: ENV });
  const second = new Stack(app, 'Second', { env: ENV });
  buildEverything(first, 1);
  buildEverything(first, 2);
  buildEverything(second, 1);
  const assembly = app.synth();
  const names = [first, second].flatMap((s) => physicalNames(s.stackName, assembly.getStackByName(s.stackName).template));

  test('the test sees the names it is meant to check', () => {
    // SelfHealingInstance names its Auto Scaling group so its launch rule can match it.
    expect(names.some((n) => n.key === 'AWS::AutoScaling::AutoScalingGroup.AutoScalingGroupName')).toBe(true);
  });

  test('no launch template has a fixed name', () => {
    expect(names.filter((n) => n.key === 'AWS::EC2::LaunchTemplate.LaunchTemplateName')).toEqual([]);
  });

  test('every explicit physical name is unique across two of everything in two stacks', () => {
    expect(duplicates(names)).toEqual([]);
  });
});
