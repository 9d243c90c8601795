import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EniFailover } from '../src/failover/eni-failover';

// Scenario: a floating network interface with an Elastic IP between two instances in one AZ.
// On a real account the assertions check that the deploy-time placement put the interface on
// the primary, and that after the primary is stopped the engine moves it to the standby.
const app = new App();
// Environment-agnostic, so the runner can deploy it to any account and Region.
const stack = new Stack(app, 'EniFailoverInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
  maxAzs: 1,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
});
const server = (id: string) => new ec2.Instance(stack, id, {
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  requireImdsv2: true,
});
const primary = server('Primary');
const standby = server('Standby');
const failover = new EniFailover(stack, 'Failover', {
  primary,
  standby,
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  elasticIp: true,
});

const integ = new IntegTest(app, 'EniFailoverTest', { testCases: [stack] });
const eniId = failover.networkInterface.networkInterfaceId;

// 1. The custom resource placed the interface on the primary at deploy time.
const placed = integ.assertions
  .awsApiCall('EC2', 'describeNetworkInterfaces', { NetworkInterfaceIds: [eniId] })
  .expect(ExpectedResult.objectLike({
    NetworkInterfaces: [{ Status: 'in-use', Attachment: { InstanceId: primary.instanceId, DeviceIndex: 1, Status: 'attached' } }],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

// 2. The primary stops: the state-change event reaches the engine, which moves the interface.
const stop = integ.assertions.awsApiCall('EC2', 'stopInstances', { InstanceIds: [primary.instanceId] });

// 3. Within ten minutes the interface is attached to the standby, at the same device index.
const moved = integ.assertions
  .awsApiCall('EC2', 'describeNetworkInterfaces', { NetworkInterfaceIds: [eniId] })
  .expect(ExpectedResult.objectLike({
    NetworkInterfaces: [{ Status: 'in-use', Attachment: { InstanceId: standby.instanceId, DeviceIndex: 1, Status: 'attached' } }],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) });

placed.next(stop).next(moved);
