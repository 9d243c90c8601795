import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DualHomedInstance } from '../src';

/**
 * A dual-homed Amazon Linux 2023 instance: a public subnet for HTTPS, an isolated management
 * subnet for SSH. On a real account the instance must come up with both interfaces attached, each
 * in its subnet at its device index, and the Elastic IP on the public interface.
 */
const app = new App();
const stack = new Stack(app, 'DualHomedInstanceInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.60.0.0/16'),
  maxAzs: 1,
  natGateways: 0,
  subnetConfiguration: [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
    { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
  ],
  flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
});
const publicSubnet = vpc.publicSubnets[0];
const managementSubnet = vpc.isolatedSubnets[0];

const host = new DualHomedInstance(stack, 'Host', {
  vpc,
  publicSubnet: { subnets: [publicSubnet] },
  managementSubnet: { subnets: [managementSubnet] },
  instanceType: new ec2.InstanceType('t3.micro'),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  managementPeers: [ec2.Peer.ipv4(managementSubnet.ipv4CidrBlock)],
  servicePorts: [ec2.Port.tcp(443)],
});

const integ = new IntegTest(app, 'DualHomedInstanceTest', { testCases: [stack] });

// Both interfaces are attached to the running instance, each in its subnet at its device index.
// One assertion per interface: DescribeInstances does not promise an order of NetworkInterfaces.
const interfaces: Array<[ec2.ISubnet, number, string]> = [
  [publicSubnet, 0, host.publicInterface.networkInterfaceId],
  [managementSubnet, 1, host.managementInterface.networkInterfaceId],
];
for (const [subnet, deviceIndex, networkInterfaceId] of interfaces) {
  integ.assertions
    .awsApiCall('EC2', 'describeInstances', { InstanceIds: [host.instanceId] })
    .expect(ExpectedResult.objectLike({
      Reservations: Match.arrayWith([Match.objectLike({
        Instances: Match.arrayWith([Match.objectLike({
          State: { Code: 16, Name: 'running' },
          NetworkInterfaces: Match.arrayWith([Match.objectLike({
            NetworkInterfaceId: networkInterfaceId,
            SubnetId: subnet.subnetId,
            Attachment: Match.objectLike({ DeviceIndex: deviceIndex, Status: 'attached' }),
          })]),
        })]),
      })]),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });
}

// The Elastic IP is the public address, on the public interface's primary private address.
integ.assertions
  .awsApiCall('EC2', 'describeAddresses', { AllocationIds: [host.publicInterface.elasticIps[0].allocationId] })
  .expect(ExpectedResult.objectLike({
    Addresses: Match.arrayWith([Match.objectLike({
      NetworkInterfaceId: host.publicInterface.networkInterfaceId,
      PrivateIpAddress: host.instancePrivateIp,
      InstanceId: host.instanceId,
    })]),
  }));

