import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * When the floating network interface goes back to the primary after a failover.
 */
export class FailbackPolicy {
  /**
   * Never: the interface stays on the standby until the standby fails or it is moved by hand.
   * One interruption per failure, and no flapping.
   */
  public static never(): FailbackPolicy {
    return new FailbackPolicy(false);
  }

  /**
   * Back to the primary once it has been healthy for `delay`, measured from its launch time
   * (which EC2 resets on every start) or from the last state change of its health alarms,
   * whichever is later; never while one of them is in `INSUFFICIENT_DATA`, unless `delay` is 0.
   * The move back interrupts traffic once more.
   *
   * @param delay from 0 seconds to 24 hours
   */
  public static after(delay: Duration): FailbackPolicy {
    if (!delay.isUnresolved() && (delay.toSeconds() < 0 || delay.toSeconds() > 86_400)) {
      throw new Error(`failback delay ${delay.toHumanString()} is not allowed: use 0 seconds to 24 hours`);
    }
    return new FailbackPolicy(true, delay);
  }

  /**
   * @param enabled whether the interface moves back to the primary
   * @param delay how long the primary must have been healthy first
   */
  private constructor(public readonly enabled: boolean, public readonly delay?: Duration) {}
}

/**
 * A CloudWatch alarm that watches the health of one failover candidate: an application check, a
 * load balancer target health metric, a composite alarm, ...
 */
export interface HealthAlarm {
  /** The candidate the alarm is about: the failover's primary or standby. */
  readonly instance: ec2.IInstance;

  /**
   * The alarm. While it is in `ALARM` the instance is unhealthy: it loses the floating interface
   * and is never chosen for it. `INSUFFICIENT_DATA` blocks nothing, but failback waits until the
   * alarm is `OK` again.
   */
  readonly alarm: cloudwatch.IAlarm;
}

/**
 * Options of the floating address probe of an `EniFailover`.
 */
export interface FloatingAddressProbeOptions {
  /** The TCP port on which the floating address must accept connections on its holder. */
  readonly port: number;

  /**
   * How long the probe waits for a connection.
   *
   * @default Duration.seconds(2)
   */
  readonly timeout?: Duration;

  /**
   * The subnets the reconcile Lambda runs in. They need a route to the EC2, CloudWatch and SNS
   * APIs, because the function then calls AWS from the VPC. That route must not go through the
   * instance the failover protects: when the floating address is a NAT or egress path (a NAT
   * instance, a proxy), a failing holder would also cut the function off from the EC2 API it needs
   * to move the ENI. Interface VPC endpoints (`ec2`, `monitoring`, `sns`) in these subnets are the
   * recommended route; a NAT gateway works too.
   * See https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}
