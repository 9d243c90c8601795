import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DualHomedInstance, ManagementAccess, ManagementNetwork } from '../src';

/** Properties of the management network example. */
export interface ManagementNetworkExampleStackProps extends StackProps {
  /**
   * ACM certificate ARNs for an AWS Client VPN endpoint with mutual TLS. Client VPN needs real
   * certificates in the account, so the endpoint is added only when both are given.
   */
  readonly clientVpnCertificates?: { readonly server: string; readonly client: string };
}

/**
 * A public web server administered only through a private management subnet, plus a Fargate
 * service in private application subnets that admits its admin port from the management network.
 * Ways in: site-to-site VPN from the office, EC2 Instance Connect Endpoint, Session Manager
 * endpoints, and (with certificates) AWS Client VPN.
 */
export class ManagementNetworkExampleStack extends Stack {
  /** The management network. */
  public readonly network: ManagementNetwork;

  constructor(scope: Construct, id: string, props: ManagementNetworkExampleStackProps = {}) {
    super(scope, id, props);

    const access = [
      ManagementAccess.vpnGateway({
        onPremisesCidrs: ['192.168.0.0/16'],
        customerGateway: { ipAddress: '203.0.113.12', bgpAsn: 65010 },
      }),
      ManagementAccess.instanceConnectEndpoint(),
      ManagementAccess.sessionManager(),
    ];
    if (props.clientVpnCertificates) {
      access.push(ManagementAccess.clientVpn({
        cidr: '10.100.0.0/22',
        serverCertificateArn: props.clientVpnCertificates.server,
        clientCertificateArn: props.clientVpnCertificates.client,
      }));
    }

    this.network = new ManagementNetwork(this, 'Network', {
      cidr: '10.20.0.0/16',
      applicationSubnetCidrMask: 24,
      access,
    });

    // The pattern this network is for: a public web server whose SSH listens only on a second
    // network interface in the management subnet, admitted only from the management network.
    const web = new DualHomedInstance(this, 'WebServer', {
      vpc: this.network.vpc,
      publicSubnet: this.network.publicSubnetSelection,
      managementSubnet: this.network.managementSubnetSelection,
      availabilityZone: this.network.vpc.availabilityZones[0],
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers: this.network.managementPeers,
      // nginx listens on 80; the Elastic IP (default) is also the host's way to the package repositories.
      servicePorts: [ec2.Port.tcp(80)],
      detailedMonitoring: true,
      userDataCommands: ['dnf install -y nginx', 'systemctl enable --now nginx'],
    });
    // Session Manager shells: the minimal agent permissions AWS documents for Session Manager.
    web.instance.addToRolePolicy(new iam.PolicyStatement({
      actions: [
        'ssm:UpdateInstanceInformation',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
      ],
      resources: ['*'],
    }));

    Validations.of(web).acknowledge(
      { id: 'AwsSolutions-EC23', reason: 'A public web server: port 80 (nginx) is open to the internet on purpose; SSH is admitted only from the management peers, on the management interface' },
      { id: 'AwsSolutions-EC29', reason: 'The example stack must tear down without manual steps, so termination protection stays off' },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'The ssmmessages channel actions support no resource-level permissions, and ssm:UpdateInstanceInformation cannot name the instance from its own role without a dependency cycle; this is the policy AWS documents for Session Manager' },
    );

    // A Fargate service whose task ENIs sit in the application subnets, with no public IP.
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'AppTask', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 80 }, { containerPort: 9090 }],
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'app',
        logGroup: new logs.LogGroup(this, 'AppLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      }),
    });
    const service = new ecs.FargateService(this, 'AppService', {
      cluster,
      taskDefinition,
      vpcSubnets: this.network.applicationSubnetSelection,
      assignPublicIp: false,
      enableExecuteCommand: true,
    });
    // The admin port answers the management network only; `aws ecs execute-command` goes
    // through the Session Manager endpoints.
    this.network.allowManagementTo(service, ec2.Port.tcp(9090));

    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ECS Exec needs ssmmessages:CreateControlChannel/CreateDataChannel/OpenControlChannel/OpenDataChannel, which support no resource-level permissions',
    });
  }
}
