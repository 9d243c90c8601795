import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { DnsFailoverExampleStack } from './dns-failover';
import { DualHomedExampleStack } from './dual-homed';
import { DualHomedAsgExampleStack } from './dual-homed-asg';
import { EniFailoverExampleStack } from './eni-failover';
import { ManagedFargateServiceExampleStack } from './managed-fargate-service';
import { ManagementNetworkExampleStack } from './management-network';
import { RoutingApplianceExampleStack } from './routing-appliance';
import { SelfHealingInstanceExampleStack } from './self-healing-instance';
import { NetworkInterface } from '../src';

/**
 * The example application: what the README's first command synthesizes.
 * Each stack shows one pattern of the library, deployable on its own.
 */
export class NetworkInterfaceExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.10.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Services', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });

    // A service address that outlives any server: fixed private IPs and a public Elastic IP.
    const service = new NetworkInterface(this, 'ServiceEni', {
      vpc,
      vpcSubnets: { subnetGroupName: 'Public', availabilityZones: [vpc.availabilityZones[0]] },
      description: 'Web service address',
      privateIpAddress: '10.10.0.10',
      secondaryPrivateIpAddresses: ['10.10.0.11'],
      elasticIps: [{ privateAddressIndex: 0 }],
    });
    service.connections.allowFromAnyIpv4(ec2.Port.tcp(443), 'HTTPS from the internet');
    Validations.of(service).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'A public web service address: HTTPS (443) from anywhere is the point; SSH and admin ports are never opened to the internet',
    });
  }
}

/** Builds the example app; `outdir` defaults to examples/cdk.out. */
export function buildExampleApp(outdir = `${__dirname}/cdk.out`): App {
  const env = { account: '111111111111', region: 'eu-west-1' };
  const app = new App({
    outdir,
    // What `cdk synth` would look up and cache in cdk.context.json for this account and Region.
    context: { [`availability-zones:account=${env.account}:region=${env.region}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
  });
  new NetworkInterfaceExampleStack(app, 'EniExample', { env });

  // Client VPN needs ACM certificates that exist in the account: pass their ARNs as context
  // (-c clientVpnServerCertificateArn=... -c clientVpnClientCertificateArn=...) to add it.
  const server = app.node.tryGetContext('clientVpnServerCertificateArn');
  const client = app.node.tryGetContext('clientVpnClientCertificateArn');
  new DualHomedExampleStack(app, 'DualHomedExample', { env });
  new EniFailoverExampleStack(app, 'EniFailoverExample', { env, alarmEmail: app.node.tryGetContext('alarmEmail') });
  new RoutingApplianceExampleStack(app, 'RoutingApplianceExample', { env });
  new ManagedFargateServiceExampleStack(app, 'ManagedFargateServiceExample', { env });
  new SelfHealingInstanceExampleStack(app, 'SelfHealingInstanceExample', { env });
  new DnsFailoverExampleStack(app, 'DnsFailoverExample', { env });
  new DualHomedAsgExampleStack(app, 'DualHomedAsgExample', { env });
  new ManagementNetworkExampleStack(app, 'ManagementNetworkExample', {
    env,
    clientVpnCertificates: server && client ? { server, client } : undefined,
  });
  return app;
}
