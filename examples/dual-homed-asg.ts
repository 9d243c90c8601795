import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { DualHomedAutoScalingGroup } from '../src';

/**
 * A fleet of web servers that Auto Scaling keeps at two to six instances across two zones, behind
 * an Application Load Balancer. Every instance gets a management interface in its own zone's
 * management subnet when it launches, and loses it when it terminates; SSH is served on that
 * interface only, to the management subnets only.
 */
export class DualHomedAsgExampleStack extends Stack {
  /** The dual-homed group. */
  public readonly fleet: DualHomedAutoScalingGroup;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });

    this.fleet = new DualHomedAutoScalingGroup(this, 'Web', {
      vpc,
      publicSubnets: { subnetGroupName: 'Public' },
      managementSubnets: { subnetGroupName: 'Management' },
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      // Administrators arrive in the management subnets (VPN, Instance Connect endpoint);
      // with ManagementNetwork, pass its managementPeers instead.
      managementPeers: vpc.isolatedSubnets.map((s) => ec2.Peer.ipv4(s.ipv4CidrBlock)),
      minCapacity: 2,
      maxCapacity: 6,
      userDataCommands: ['dnf install -y nginx', 'systemctl enable --now nginx'],
    });
    this.fleet.autoScalingGroup.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });

    const lb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: 'Public' },
      dropInvalidHeaderFields: true,
    });
    const listener = lb.addListener('Http', { port: 80 });
    listener.addTargets('Web', { port: 80, targets: [this.fleet.autoScalingGroup] });
    // The instances admit HTTP from the load balancer only.
    this.fleet.connections.allowFrom(lb, ec2.Port.tcp(80), 'HTTP from the load balancer');

    // Choices this example makes on purpose, acknowledged for cdk-nag (AwsSolutions).
    Validations.of(lb).acknowledge(
      { id: 'AwsSolutions-EC23', reason: 'an internet-facing load balancer admits HTTP from the internet' },
      { id: 'AwsSolutions-ELB2', reason: 'access logs need a log bucket, which this example leaves to the deployer' },
    );
  }
}
