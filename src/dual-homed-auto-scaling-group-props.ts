import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Duration, Size } from 'aws-cdk-lib/core';
import { DualHomedOs } from './dual-homed-instance';

/**
 * Properties of a {@link DualHomedAutoScalingGroup}.
 */
export interface DualHomedAutoScalingGroupProps {
  /** The VPC of both subnet selections. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the instances' primary interfaces (device index 0, service traffic), one or
   * more Availability Zones. The group launches into these subnets.
   */
  readonly publicSubnets: ec2.SubnetSelection;

  /**
   * The management subnets: exactly one private subnet in every Availability Zone of
   * `publicSubnets`. Each instance's management interface is created in the subnet of its zone.
   */
  readonly managementSubnets: ec2.SubnetSelection;

  /** The instance type; it must support at least two network interfaces. */
  readonly instanceType: ec2.InstanceType;

  /** The machine image: Amazon Linux 2023, Ubuntu 22.04 or Ubuntu 24.04 (see `operatingSystem`). */
  readonly machineImage: ec2.IMachineImage;

  /**
   * Where SSH and the admin ports are admitted from on the management interfaces (for example
   * `ManagementNetwork.managementPeers`). `0.0.0.0/0` and `::/0` are refused.
   */
  readonly managementPeers: ec2.IPeer[];

  /**
   * The operating system the user data configures.
   *
   * @default - Amazon Linux 2023 when `machineImage` is `MachineImage.latestAmazonLinux2023()`;
   * otherwise it must be given
   */
  readonly operatingSystem?: DualHomedOs;

  /**
   * The ports the application serves on the primary interfaces.
   *
   * @default - none: add them later through `connections`
   */
  readonly servicePorts?: ec2.Port[];

  /**
   * Where the service ports are admitted from.
   *
   * @default - [ec2.Peer.anyIpv4()]
   */
  readonly servicePeers?: ec2.IPeer[];

  /**
   * The TCP port of SSH, served on the management address only.
   *
   * @default 22
   */
  readonly sshPort?: number;

  /**
   * Further administration ports admitted from `managementPeers` on the management interfaces.
   *
   * @default - none: SSH only
   */
  readonly adminPorts?: ec2.Port[];

  /**
   * The security group of the primary interfaces.
   *
   * @default - a new security group that allows all outbound traffic
   */
  readonly publicSecurityGroup?: ec2.ISecurityGroup;

  /**
   * The security group of the management interfaces.
   *
   * @default - a new security group with no outbound rule
   */
  readonly managementSecurityGroup?: ec2.ISecurityGroup;

  /**
   * The instance role.
   *
   * @default - a new role assumable by EC2
   */
  readonly role?: iam.IRole;

  /**
   * Minimum number of instances.
   *
   * @default 1
   */
  readonly minCapacity?: number;

  /**
   * Maximum number of instances.
   *
   * @default - minCapacity, or desiredCapacity when it is larger
   */
  readonly maxCapacity?: number;

  /**
   * Initial number of instances.
   *
   * @default - minCapacity
   */
  readonly desiredCapacity?: number;

  /**
   * What Auto Scaling does with a launching instance that did not complete its launch hook before
   * `launchHookTimeout` (the instance completes it once its management interface is attached and
   * configured): `CONTINUE` puts it in service anyway, with sshd on the loopback address only (the
   * scheduled run attaches the interface later, the instance configures it whenever it arrives, and
   * the `InstancesWithoutManagementInterface` alarm fires); `ABANDON` terminates it and launches
   * another.
   *
   * @default autoscaling.DefaultResult.CONTINUE
   */
  readonly launchHookDefaultResult?: autoscaling.DefaultResult;

  /**
   * How long a launching instance waits for its management interface to be attached and configured.
   *
   * @default Duration.minutes(10)
   */
  readonly launchHookTimeout?: Duration;

  /**
   * How often the whole group is reconciled (orphans deleted, missed hooks repaired): whole minutes,
   * 1 to 1440. The `InstancesWithoutManagementInterface` alarm looks at three intervals.
   *
   * @default Duration.minutes(5)
   */
  readonly repairInterval?: Duration;

  /**
   * The topic the alarms notify.
   *
   * @default - a new encrypted topic (`alarmTopic`); subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The size of the encrypted gp3 root volume.
   *
   * @default Size.gibibytes(16)
   */
  readonly rootVolumeSize?: Size;

  /**
   * The device name of the image's root volume: `/dev/xvda` on Amazon Linux, `/dev/sda1` on Ubuntu.
   *
   * @default - '/dev/xvda' for Amazon Linux 2023, '/dev/sda1' for Ubuntu
   */
  readonly rootDeviceName?: string;

  /**
   * Retention of the handler's logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Commands run by the user data (the application). They run once the setup service is installed
   * and started, without waiting for the management interface.
   *
   * @default - none
   */
  readonly userDataCommands?: string[];
}
