import { CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { SelfHealingInstance } from '../src';

/**
 * A single web server that heals itself: an Auto Scaling group of one replaces it when its
 * status checks fail, and every replacement receives the same network interface, so clients keep
 * the same private address and Elastic IP.
 */
export class SelfHealingInstanceExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.60.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });

    const userData = ec2.UserData.forLinux();
    userData.addCommands('dnf install -y nginx', 'systemctl enable --now nginx');

    const web = new SelfHealingInstance(this, 'Web', {
      vpc,
      vpcSubnets: { subnetGroupName: 'Public', availabilityZones: [vpc.availabilityZones[0]] },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      userData,
      privateIpAddress: '10.60.0.10',
      elasticIp: true,
    });
    web.connections.allowFromAnyIpv4(ec2.Port.tcp(80), 'HTTP from the internet');
    Validations.of(web.networkInterface).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'A public web server: HTTP (80) from anywhere is the point; no admin port is open',
    });

    new CfnOutput(this, 'Address', { description: 'The address every replacement keeps', value: web.elasticIp!.publicIp! });
  }
}
