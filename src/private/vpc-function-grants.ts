import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeEc2Wildcard } from './nag';
import { FAILOVER_OWNER_TAG } from './tags';
import { INetworkInterface } from '../network-interface';

/** What a function in a VPC manages through its execution role. */
const MANAGE = ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];

/** What {@link grantVpcNetworking} scopes the permissions to. */
export interface VpcNetworkingScope {
  /** The function's VPC: every change outside it is denied. */
  readonly vpc: ec2.IVpc;
  /** Interfaces the function must never delete or re-address (the floating one). */
  readonly protectedInterfaces: readonly INetworkInterface[];
}

/**
 * The EC2 permissions a Lambda function in a VPC needs in its execution role, as narrow as AWS
 * lets them be (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html, "Execution
 * role permissions"; condition keys:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
 *
 * - `ec2:DescribeNetworkInterfaces` works only on `*`.
 * - `ec2:CreateNetworkInterface` on interfaces, subnets and security groups of this account and
 *   Region; `ec2:DeleteNetworkInterface`, `ec2:AssignPrivateIpAddresses` and
 *   `ec2:UnassignPrivateIpAddresses` on interfaces of this account and Region. Lambda checks the
 *   role when the function is created, with wildcard resource ids and without the `ec2:Vpc` or
 *   `ec2:Subnet` context; its guide warns that a DeleteNetworkInterface grant without all resource
 *   ids may cut the function off from the VPC. So the allows name the account and Region, not
 *   conditions, and
 * - explicit denies narrow them where EC2 supplies the context: any of these actions on a
 *   resource whose `ec2:Vpc` is another VPC, and any change to the protected interfaces or to an
 *   interface that carries a failover's owner tag. A deny whose key is absent never matches, so
 *   Lambda's check still passes.
 */
export function grantVpcNetworking(role: iam.IRole, scope: VpcNetworkingScope): void {
  const stack = Stack.of(role);
  const arn = (resource: string, name: string) => stack.formatArn({ service: 'ec2', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const interfaces = arn('network-interface', '*');
  // ec2:DescribeNetworkInterfaces supports no resource-level permissions: AWS offers nothing narrower than '*'.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeNetworkInterfaces'], resources: ['*'] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ec2:CreateNetworkInterface'],
    resources: [interfaces, arn('subnet', '*'), arn('security-group', '*')],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: MANAGE, resources: [interfaces] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['ec2:CreateNetworkInterface', ...MANAGE],
    // A deny on '*' grants nothing: it removes every interface outside this VPC from the allows above.
    resources: ['*'],
    conditions: {
      StringNotEquals: { 'ec2:Vpc': arn('vpc', scope.vpc.vpcId) },
      Null: { 'ec2:Vpc': 'false' },
    },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: MANAGE,
    resources: scope.protectedInterfaces.map((eni) => eni.networkInterfaceArn),
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: MANAGE,
    resources: [interfaces],
    conditions: { Null: { [`aws:ResourceTag/${FAILOVER_OWNER_TAG}`]: 'false' } },
  }));
  const why = 'A function in a VPC manages its own network interfaces; Lambda checks these grants with wildcard resource ids, so they name the account and Region. Explicit denies refuse every change outside the function\'s VPC and to the floating interfaces';
  acknowledgeEc2Wildcard(role, 'network-interface', why);
  acknowledgeEc2Wildcard(role, 'subnet', why);
  acknowledgeEc2Wildcard(role, 'security-group', why);
}
