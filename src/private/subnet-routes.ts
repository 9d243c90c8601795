import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack, Token } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';

/**
 * Whether a subnet is public, as far as it can be known at synth:
 * - `true` when the VPC lists it among its public subnets, or a route in this app sends traffic
 *   from its route table to an internet gateway;
 * - `false` when the subnet is defined in this app (its routes are all known) and neither holds;
 * - `undefined` for an imported subnet that the VPC does not list as public (its routes are unknown).
 */
export function subnetIsPublic(vpc: ec2.IVpc, subnet: ec2.ISubnet): boolean | undefined {
  if (vpc.publicSubnets.some((s) => s === subnet || (!Token.isUnresolved(s.subnetId) && s.subnetId === subnet.subnetId))) {
    return true;
  }
  if (internetGatewayRoute(subnet) !== undefined) {
    return true;
  }
  return subnet.node.defaultChild instanceof ec2.CfnSubnet ? false : undefined;
}

/**
 * The first route in this app that sends traffic of the subnet's route table to an internet
 * gateway (a `Ref` to an `AWS::EC2::InternetGateway`, or a literal `igw-` id), or undefined.
 */
export function internetGatewayRoute(subnet: ec2.ISubnet): ec2.CfnRoute | undefined {
  let routeTableId: string;
  try {
    routeTableId = subnet.routeTable.routeTableId;
  } catch {
    // Imported subnets without a route table id throw on access.
    return undefined;
  }
  if (routeTableId === undefined) {
    return undefined;
  }
  const stack = Stack.of(subnet);
  return stack.node.findAll().find((c): c is ec2.CfnRoute =>
    c instanceof ec2.CfnRoute && c.routeTableId === routeTableId && targetsInternetGateway(stack, c.gatewayId));
}

function targetsInternetGateway(stack: Stack, gatewayId: string | undefined): boolean {
  if (gatewayId === undefined) {
    return false;
  }
  if (!Token.isUnresolved(gatewayId)) {
    return gatewayId.startsWith('igw-');
  }
  const resolved = stack.resolve(gatewayId) as { Ref?: string } | undefined;
  const logicalId = resolved?.Ref;
  if (typeof logicalId !== 'string') {
    return false;
  }
  return stack.node.findAll().some((c: IConstruct) =>
    c instanceof ec2.CfnInternetGateway && stack.resolve(c.logicalId) === logicalId);
}

/**
 * A route defined in this app for the destination in the route table, other than the ones
 * `scope`'s own constructs create, or undefined.
 */
export function existingRoute(scope: IConstruct, routeTableId: string, destinationCidrBlock: string): ec2.CfnRoute | undefined {
  const stack = Stack.of(scope);
  const own = new Set(scope.node.findAll());
  return stack.node.findAll().find((c): c is ec2.CfnRoute =>
    c instanceof ec2.CfnRoute && !own.has(c) && c.routeTableId === routeTableId && c.destinationCidrBlock === destinationCidrBlock);
}
