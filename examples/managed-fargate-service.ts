import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ManagedFargateService } from '../src';

/**
 * A Fargate service placed by the management network: tasks in private application subnets with
 * no public IP, an internet-facing load balancer in the public subnets (the stable inbound
 * address), a NAT gateway with an Elastic IP (the stable outbound address), and an admin port
 * that only the management network reaches. `aws ecs execute-command` opens a shell in a task.
 */
export class ManagedFargateServiceExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Fargate task interfaces cannot take an Elastic IP: the NAT gateway's Elastic IP is the
    // address partners allow-list for the tasks' outbound calls.
    const natEip = new ec2.CfnEIP(this, 'NatEip', { domain: 'vpc' });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 1,
      natGatewayProvider: ec2.NatProvider.gateway({ eipAllocationIds: [natEip.attrAllocationId] }),
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Application', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 80 }, { containerPort: 9113 }],
      // Kept a month: the awslogs driver otherwise creates a log group kept forever.
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logRetention: logs.RetentionDays.ONE_MONTH }),
    });

    const service = new ManagedFargateService(this, 'Web', {
      vpc,
      applicationSubnets: { subnetGroupName: 'Application' },
      taskDefinition,
      // The management network: a site-to-site VPN range and the VPN client range.
      managementPeers: [ec2.Peer.ipv4('172.16.0.0/16'), ec2.Peer.ipv4('10.100.0.0/22')],
      adminPorts: [ec2.Port.tcp(9113)],
    });

    new CfnOutput(this, 'InboundAddress', {
      description: 'Stable inbound name: the load balancer (task addresses change with every task)',
      value: service.loadBalancer!.loadBalancerDnsName,
    });
    new CfnOutput(this, 'OutboundAddress', {
      description: 'Stable outbound address of every task: the NAT gateway Elastic IP',
      value: natEip.attrPublicIp,
    });
  }
}
