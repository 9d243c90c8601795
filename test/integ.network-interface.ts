import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { NetworkInterface } from '../src';

// Scenario: a secondary interface with fixed addresses and an Elastic IP, attached for good to an
// instance at device index 1. On a real account the assertions below check that AWS reports the
// interface in use on that instance with the addresses we asked for.
const app = new App();
// Environment-agnostic, so the runner can deploy it to any account and Region.
const stack = new Stack(app, 'NetworkInterfaceInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/16'),
  maxAzs: 1,
  natGateways: 0,
  subnetConfiguration: [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
    { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
  ],
});
const instance = new ec2.Instance(stack, 'Server', {
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  requireImdsv2: true,
});
const eni = new NetworkInterface(stack, 'Secondary', {
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  privateIpAddress: '10.20.0.50',
  secondaryPrivateIpAddresses: ['10.20.0.51'],
  elasticIps: [{}],
  description: 'integ secondary interface',
});
eni.attachToInstance(instance, { deviceIndex: 1 });

const integ = new IntegTest(app, 'NetworkInterfaceTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('EC2', 'describeNetworkInterfaces', { NetworkInterfaceIds: [eni.networkInterfaceId] })
  .expect(ExpectedResult.objectLike({
    NetworkInterfaces: [{
      Status: 'in-use',
      Description: 'integ secondary interface',
      PrivateIpAddress: '10.20.0.50',
      Attachment: { DeviceIndex: 1, InstanceId: instance.instanceId, Status: 'attached' },
      PrivateIpAddresses: [
        { Primary: true, PrivateIpAddress: '10.20.0.50' },
        { Primary: false, PrivateIpAddress: '10.20.0.51' },
      ],
    }],
  }));
