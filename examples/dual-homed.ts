import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { Construct } from 'constructs';
import { DualHomedFleet, DualHomedInstance } from '../src';

/**
 * Dual-homed web hosts: each has a public interface for HTTP and a management interface that
 * admits SSH from the management subnets only. One stand-alone host with an Elastic IP (Amazon
 * Linux 2023), and a fleet of two Ubuntu 24.04 hosts behind an Application Load Balancer.
 */
export class DualHomedExampleStack extends Stack {
  /** The stand-alone host. */
  public readonly host: DualHomedInstance;

  /** The load-balanced hosts. */
  public readonly fleet: DualHomedFleet;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });
    // Administrators arrive in the management subnets (through a VPN or an Instance Connect
    // endpoint); with ManagementNetwork, pass its managementPeers here instead.
    const managementPeers = vpc.isolatedSubnets.map((s) => ec2.Peer.ipv4(s.ipv4CidrBlock));

    // A single host, reachable on its Elastic IP for HTTP.
    this.host = new DualHomedInstance(this, 'Host', {
      vpc,
      publicSubnet: { subnetGroupName: 'Public' },
      managementSubnet: { subnetGroupName: 'Management' },
      availabilityZone: vpc.availabilityZones[0],
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers,
      // nginx listens on 80: the port the public interface admits. The Elastic IP is the host's way
      // out to the package repositories as well as its public address.
      servicePorts: [ec2.Port.tcp(80)],
      userDataCommands: ['dnf install -y nginx', 'systemctl enable --now nginx'],
    });

    // Two hosts, one per zone, behind a load balancer in the public subnets.
    this.fleet = new DualHomedFleet(this, 'Web', {
      vpc,
      publicSubnet: { subnetGroupName: 'Public' },
      managementSubnet: { subnetGroupName: 'Management' },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.fromSsmParameter('/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id'),
      managementPeers,
      // No public address and no NAT: with two interfaces at launch AWS assigns no public IPv4, so
      // the hosts install nothing. Python 3 (in the Ubuntu image) serves a page on 80 for the ALB.
      elasticIp: false,
      userDataCommands: [
        'mkdir -p /var/www/html',
        'echo "$(hostname) behind the load balancer" > /var/www/html/index.html',
        'systemd-run --unit=web --property=Restart=always python3 -m http.server 80 --directory /var/www/html',
      ],
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: 'Public' },
      dropInvalidHeaderFields: true,
    });
    const listener = alb.addListener('Http', { port: 80, open: true });
    listener.addTargets('Web', {
      port: 80,
      targets: this.fleet.instances.map((i) => new targets.InstanceTarget(i.instance, 80)),
      healthCheck: { path: '/' },
    });
    this.fleet.connections.allowFrom(alb, ec2.Port.tcp(80), 'HTTP from the load balancer');

    // Choices this example makes on purpose, acknowledged for cdk-nag (AwsSolutions).
    for (const instance of [this.host, ...this.fleet.instances]) {
      Validations.of(instance.instance).acknowledge(
        { id: 'AwsSolutions-EC28', reason: 'detailedMonitoring is off: 5-minute metrics are enough for an example host' },
        { id: 'AwsSolutions-EC29', reason: 'example hosts are replaceable from this template; terminationProtection is available for those that are not' },
      );
    }
    Validations.of(this.host.connections.securityGroups[0]).acknowledge(
      { id: 'AwsSolutions-EC23', reason: 'the public interface serves HTTP (nginx) to the internet; SSH is refused from 0.0.0.0/0 by DualHomedInstance' },
    );
    Validations.of(alb).acknowledge(
      { id: 'AwsSolutions-EC23', reason: 'an internet-facing load balancer admits HTTP from the internet' },
      { id: 'AwsSolutions-ELB2', reason: 'access logs need a log bucket, which this example leaves to the deployer' },
    );

  }
}
