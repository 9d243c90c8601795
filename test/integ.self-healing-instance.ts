import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SelfHealingInstance } from '../src';

// Scenario: an Auto Scaling group of one with a static interface and an Elastic IP. On a real
// account the assertions check that the first instance receives the interface at device index 1,
// then terminate that instance and check that its replacement receives the same interface.
const app = new App();
const stack = new Stack(app, 'SelfHealingInstanceInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.61.0.0/16'),
  maxAzs: 1,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
});
const healing = new SelfHealingInstance(stack, 'Web', {
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  instanceType: new ec2.InstanceType('t3.micro'),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  privateIpAddress: '10.61.0.10',
  elasticIp: true,
});

const integ = new IntegTest(app, 'SelfHealingInstanceTest', { testCases: [stack] });
const groupName = healing.autoScalingGroup.autoScalingGroupName;
const eniId = healing.networkInterface.networkInterfaceId;

const inService = () => integ.assertions
  .awsApiCall('AutoScaling', 'describeAutoScalingGroups', { AutoScalingGroupNames: [groupName] })
  .expect(ExpectedResult.objectLike({ AutoScalingGroups: [{ Instances: [{ LifecycleState: 'InService' }] }] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(20) });
const attachedTo = (instanceId: string) => integ.assertions
  .awsApiCall('EC2', 'describeNetworkInterfaces', { NetworkInterfaceIds: [eniId] })
  .expect(ExpectedResult.objectLike({
    NetworkInterfaces: [{ Status: 'in-use', PrivateIpAddress: '10.61.0.10', Attachment: { InstanceId: instanceId, DeviceIndex: 1 } }],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) });

const first = inService();
const firstId = first.getAttString('AutoScalingGroups.0.Instances.0.InstanceId');
const firstHasEni = attachedTo(firstId);
const terminate = integ.assertions.awsApiCall('AutoScaling', 'terminateInstanceInAutoScalingGroup', {
  InstanceId: firstId,
  ShouldDecrementDesiredCapacity: false,
});
const replacement = inService();
const replacementHasEni = attachedTo(replacement.getAttString('AutoScalingGroups.0.Instances.0.InstanceId'));
first.next(firstHasEni).next(terminate).next(replacement).next(replacementHasEni);
