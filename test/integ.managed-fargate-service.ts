import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ManagedFargateService } from '../src';

// Scenario: a Fargate service in private subnets behind an internet-facing load balancer, with an
// admin port for a management range. On a real account the assertions check that the service
// runs its tasks without public IPs with ECS Exec enabled, and that the load balancer answers.
const app = new App();
const stack = new Stack(app, 'ManagedFargateServiceInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'),
  maxAzs: 2,
  natGateways: 1,
  subnetConfiguration: [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
    { name: 'Application', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
  ],
});
const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
taskDefinition.addContainer('web', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  portMappings: [{ containerPort: 80 }],
  logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
});
const web = new ManagedFargateService(stack, 'Web', {
  vpc,
  applicationSubnets: { subnetGroupName: 'Application' },
  taskDefinition,
  desiredCount: 1,
  managementPeers: [ec2.Peer.ipv4('10.100.0.0/22')],
  adminPorts: [ec2.Port.tcp(8081)],
});

const integ = new IntegTest(app, 'ManagedFargateServiceTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('ECS', 'describeServices', { cluster: web.cluster.clusterName, services: [web.service.serviceName] })
  .expect(ExpectedResult.objectLike({
    services: [{
      runningCount: 1,
      enableExecuteCommand: true,
      networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'DISABLED' } },
    }],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
integ.assertions
  .httpApiCall(`http://${web.loadBalancer!.loadBalancerDnsName}/`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
