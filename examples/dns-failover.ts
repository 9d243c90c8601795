import { Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { DnsFailover, NetworkInterface } from '../src';

/**
 * DNS failover between two web servers in different Availability Zones: each server owns an
 * interface with an Elastic IP, and Route 53 serves `www.<zone>` from the primary while its
 * health check passes, from the standby otherwise.
 */
export class DnsFailoverExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.30.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });
    const zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: 'failover.example.com' });

    const addresses = ['Primary', 'Standby'].map((name, i) => {
      const eni = new NetworkInterface(this, `${name}Eni`, {
        vpc,
        vpcSubnets: { subnetGroupName: 'Public', availabilityZones: [vpc.availabilityZones[i]] },
        description: `${name} web server address`,
        elasticIps: [{}],
      });
      eni.connections.allowFromAnyIpv4(ec2.Port.tcp(80), 'HTTP from the internet and the Route 53 health checkers');
      Validations.of(eni).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'A public web server: HTTP (80) from anywhere is the point, and Route 53 health checkers probe from the internet; no admin port is open',
      });
      const server = new ec2.Instance(this, `${name}Server`, {
        vpc,
        vpcSubnets: { subnets: [eni.subnet] },
        instanceType: new ec2.InstanceType('t3.micro'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        httpTokens: ec2.HttpTokens.REQUIRED, // IMDSv2 without a launch template named after the instance id
        detailedMonitoring: true,
        disableApiTermination: true,
        blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
      });
      // What the health checks probe: nginx on 80, installed through the instance's automatic
      // public IP (one interface at launch in a public subnet; the address interface comes after).
      server.userData.addCommands('dnf install -y nginx', 'systemctl enable --now nginx');
      eni.attachToInstance(server);
      return eni.elasticIps[0].publicIp!;
    });

    new DnsFailover(this, 'WwwFailover', {
      zone,
      recordName: 'www',
      primaryAddress: addresses[0],
      secondaryAddress: addresses[1],
      path: '/',
      requestInterval: Duration.seconds(10),
      failureThreshold: 3,
      checkSecondary: true,
    });
  }
}
