import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import {
  ApplianceRole, DnsFailover, DualHomedAutoScalingGroup, DualHomedFleet, DualHomedInstance, EniFailover, ManagedFargateService,
  ManagementAccess, ManagementNetwork, NetworkInterface, RoutingAppliance, SelfHealingInstance,
} from '../../src';

/** The account and Region of both stacks. */
export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** One of every construct of the library (several of some), with `n` in every id and CIDR. */
export function buildEverything(scope: Construct, n: number): void {
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
  new DualHomedAutoScalingGroup(scope, id('Group'), {
    vpc,
    publicSubnets: network.publicSubnetSelection,
    managementSubnets: network.managementSubnetSelection,
    instanceType: t3,
    machineImage: image,
    managementPeers: network.managementPeers,
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

/** One synthesized stack of `synthEverything`, with the template CloudFormation receives. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: any;
}

/**
 * Two of everything in stack First and one more in stack Second of the same account and Region,
 * with aws-cdk-lib's default feature flags (no context but the validation-report switch). Then the
 * same stack First of a second app, deployed under another stack name (FirstAgain): same
 * construct ids and paths, another stack, as when one app is deployed twice in an account.
 */
export function synthEverything(): { app: App; stacks: Stack[]; assembly: cxapi.CloudAssembly; templates: SynthesizedStack[] } {
  const context = { '@aws-cdk/core:failSynthOnValidationErrors': false };
  const app = new App({ context });
  const first = new Stack(app, 'First', { env: ENV });
  const second = new Stack(app, 'Second', { env: ENV });
  buildEverything(first, 1);
  buildEverything(first, 2);
  buildEverything(second, 1);
  const assembly = app.synth();
  const app2 = new App({ context });
  const again = new Stack(app2, 'First', { stackName: 'FirstAgain', env: ENV });
  buildEverything(again, 1);
  const assembly2 = app2.synth();
  const templates = [
    ...[first, second].map((s) => ({ stackName: s.stackName, template: assembly.getStackByName(s.stackName).template })),
    { stackName: again.stackName, template: assembly2.getStackByName(again.stackName).template },
  ];
  return { app, stacks: [first, second], assembly, templates };
}
