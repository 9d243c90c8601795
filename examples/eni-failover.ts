import { Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { EniFailover, FailbackPolicy } from '../src/failover/eni-failover';

/** Properties of the {@link EniFailoverExampleStack}. */
export interface EniFailoverExampleStackProps extends StackProps {
  /**
   * An address to receive alarm state changes and failure notices (it must confirm the subscription).
   *
   * @default - no email subscription; subscribe to `failover.topic` later
   */
  readonly alarmEmail?: string;
}

/**
 * "Cheap failover": a web service address (a floating network interface with an Elastic IP) kept
 * on the healthier of two instances in one Availability Zone, with the default triggers
 * (status check alarms -> SNS -> Lambda, EC2 state-change events, a 5-minute schedule).
 */
export class EniFailoverExampleStack extends Stack {
  /** The failover, for outputs and further subscriptions. */
  public readonly failover: EniFailover;

  constructor(scope: Construct, id: string, props: EniFailoverExampleStackProps = {}) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.30.0.0/16'),
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });

    // Both candidates in the one public subnet: an ENI moves only within its Availability Zone.
    const server = (name: string) => new ec2.Instance(this, name, {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      httpTokens: ec2.HttpTokens.REQUIRED, // IMDSv2 without a launch template named after the instance id
      detailedMonitoring: true,
      disableApiTermination: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
      // Something to answer on the service address: nginx on 80, installed through the
      // instance's automatic public IP (one interface at launch in a public subnet).
      userData: webServerUserData(),
    });

    this.failover = new EniFailover(this, 'WebAddress', {
      primary: server('Primary'),
      standby: server('Standby'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      elasticIp: true,
      failback: FailbackPolicy.after(Duration.minutes(15)),
      alarmEmails: props.alarmEmail ? [props.alarmEmail] : undefined,
    });
    // Or subscribe later: this.failover.topic.addSubscription(new subs.EmailSubscription('ops@example.com'));

    this.failover.connections.allowFromAnyIpv4(ec2.Port.tcp(80), 'HTTP from the internet');
    Validations.of(this.failover).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'A public web service address: HTTP (80, nginx) from anywhere is the point; SSH and admin ports are never opened to the internet',
    });
  }
}

function webServerUserData(): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  userData.addCommands('dnf install -y nginx', 'systemctl enable --now nginx');
  return userData;
}
