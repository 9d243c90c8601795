import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ApplianceRole, RoutingAppliance } from '../src';

/**
 * A NAT instance pair instead of a NAT gateway: the private subnets' default routes target the
 * forwarding interface, which holds the Elastic IP and moves to the standby when the primary
 * fails. The routes follow the interface, so nothing else changes on a failover.
 */
export class RoutingApplianceExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.50.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });

    const nat = new RoutingAppliance(this, 'Nat', {
      vpc,
      role: ApplianceRole.nat(),
      vpcSubnets: { subnetGroupName: 'Public', availabilityZones: [vpc.availabilityZones[0]] },
      routedSubnets: { subnetGroupName: 'Private' },
      standby: true,
    });

    new CfnOutput(this, 'OutboundAddress', {
      description: 'Public source address of the private subnets, before and after a failover',
      value: nat.elasticIp!.publicIp!,
    });
  }
}
