import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ManagementAccess } from './management-access';

/**
 * Properties of a {@link ManagementNetwork}.
 *
 * Give `vpc` (and the subnet selections) to use an existing VPC, or leave it out to create one
 * with `cidr`, `maxAzs`, the subnet masks and `natGateways`.
 */
export interface ManagementNetworkProps {
  /**
   * An existing VPC to use instead of creating one.
   *
   * @default - a new VPC is created
   */
  readonly vpc?: ec2.IVpc;

  /**
   * With `vpc`: the public subnets (routed to an internet gateway), for public-facing servers.
   *
   * @default - `{ subnetType: ec2.SubnetType.PUBLIC }`
   */
  readonly publicSubnetSelection?: ec2.SubnetSelection;

  /**
   * With `vpc`: the management subnets. They must be private (no route to an internet gateway or
   * NAT gateway) and must not be among the public subnets.
   *
   * @default - `{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }`
   */
  readonly managementSubnetSelection?: ec2.SubnetSelection;

  /**
   * With `vpc`: private subnets with egress for services such as Fargate tasks.
   *
   * @default - no application subnets
   */
  readonly applicationSubnetSelection?: ec2.SubnetSelection;

  /**
   * The IPv4 CIDR of a new VPC.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * How many Availability Zones a new VPC spans.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * The prefix length of each public subnet of a new VPC (16 to 28).
   *
   * @default 24
   */
  readonly publicSubnetCidrMask?: number;

  /**
   * The prefix length of each management subnet of a new VPC (16 to 28).
   *
   * @default 24
   */
  readonly managementSubnetCidrMask?: number;

  /**
   * The prefix length of each application subnet of a new VPC (16 to 28). Setting it creates
   * private application subnets whose egress goes through NAT gateways.
   *
   * @default - no application subnets
   */
  readonly applicationSubnetCidrMask?: number;

  /**
   * How many NAT gateways a new VPC gets (for the application subnets only; management subnets
   * never route to them). Use one per Availability Zone for zonal resilience.
   *
   * @default - 1 with application subnets, 0 without
   */
  readonly natGateways?: number;

  /**
   * The ways into the management subnets. More can be added with `addAccess()`.
   * Without any, the management subnets are unreachable and a warning is reported at synth.
   *
   * @default - none
   */
  readonly access?: ManagementAccess[];

  /**
   * Whether VPC flow logs are recorded.
   *
   * @default true
   */
  readonly flowLogs?: boolean;

  /**
   * Where flow logs go, for example `ec2.FlowLogDestination.toS3(bucket)`.
   *
   * @default - a new CloudWatch Logs log group kept for `flowLogRetention`
   */
  readonly flowLogDestination?: ec2.FlowLogDestination;

  /**
   * How long the log group created for flow logs keeps them. Only for the default destination.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Which traffic the flow logs record.
   *
   * @default ec2.FlowLogTrafficType.ALL
   */
  readonly flowLogTrafficType?: ec2.FlowLogTrafficType;

  /**
   * Whether the management subnets get a network ACL that admits only the VPC CIDR and the
   * management CIDRs (in and out, all protocols).
   *
   * @default true
   */
  readonly managementNetworkAcl?: boolean;
}
