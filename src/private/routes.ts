import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack, Token } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';

/**
 * Synth-time inspection of the routes of subnets defined in this app. Routes of imported
 * subnets are unknown and never reported.
 */

/** A route that gives a subnet a path to or from the internet. */
export interface InternetRoute {
  /** Construct path of the route. */
  readonly path: string;
  /** The destination (IPv4 or IPv6 CIDR, or prefix list). */
  readonly destination: string;
  /** What the route points at, in words (`internet gateway`, `NAT gateway` ...). */
  readonly target: string;
}

/** The route table of a subnet, or undefined when the subnet does not expose one. */
export function subnetRouteTableId(subnet: ec2.ISubnet): string | undefined {
  try {
    return subnet.routeTable?.routeTableId;
  } catch {
    return undefined;
  }
}

/**
 * The routes defined in the subnet's stack that point the subnet's route table at an internet
 * gateway, an egress-only internet gateway or a NAT gateway (any destination), or that send the
 * whole address space (0.0.0.0/0, ::/0) to an instance or network interface (a NAT instance or
 * proxy appliance).
 */
export function internetRoutesOf(subnet: ec2.ISubnet): InternetRoute[] {
  const routeTableId = subnetRouteTableId(subnet);
  if (routeTableId === undefined) {
    return [];
  }
  const stack = Stack.of(subnet);
  const wanted = JSON.stringify(stack.resolve(routeTableId));
  const all = stack.node.findAll();
  const internetGateways = new Set(all
    .filter((c): c is ec2.CfnInternetGateway => c instanceof ec2.CfnInternetGateway)
    .map((igw) => JSON.stringify(stack.resolve(igw.ref))));

  const found: InternetRoute[] = [];
  for (const route of all) {
    if (!(route instanceof ec2.CfnRoute) || Stack.of(route) !== stack) {
      continue;
    }
    if (JSON.stringify(stack.resolve(route.routeTableId)) !== wanted) {
      continue;
    }
    const destination = show(route.destinationCidrBlock ?? route.destinationIpv6CidrBlock ?? route.destinationPrefixListId, stack);
    const target = internetTarget(stack, route, internetGateways, destination);
    if (target) {
      found.push({ path: route.node.path, destination, target });
    }
  }
  return found;
}

function internetTarget(stack: Stack, route: ec2.CfnRoute, internetGateways: Set<string>, destination: string): string | undefined {
  if (route.gatewayId !== undefined) {
    const gw = route.gatewayId;
    if (internetGateways.has(JSON.stringify(stack.resolve(gw))) || (!Token.isUnresolved(gw) && gw.startsWith('igw-'))) {
      return `internet gateway ${show(gw, stack)}`;
    }
  }
  if (route.egressOnlyInternetGatewayId !== undefined) {
    return `egress-only internet gateway ${show(route.egressOnlyInternetGatewayId, stack)}`;
  }
  if (route.natGatewayId !== undefined) {
    return `NAT gateway ${show(route.natGatewayId, stack)}`;
  }
  const everything = destination === '0.0.0.0/0' || destination === '::/0';
  if (everything && route.instanceId !== undefined) {
    return `instance ${show(route.instanceId, stack)}`;
  }
  if (everything && route.networkInterfaceId !== undefined) {
    return `network interface ${show(route.networkInterfaceId, stack)}`;
  }
  return undefined;
}

/** A short readable form of a literal or token (`Ref` and `GetAtt` show the logical id). */
function show(value: unknown, stack?: Stack): string {
  if (value === undefined) {
    return '(none)';
  }
  if (typeof value === 'string' && !Token.isUnresolved(value)) {
    return value;
  }
  const resolved = stack ? stack.resolve(value) : value;
  if (resolved && typeof resolved === 'object') {
    const r = resolved as Record<string, unknown>;
    if (typeof r.Ref === 'string') {
      return r.Ref;
    }
    if (Array.isArray(r['Fn::GetAtt'])) {
      return String((r['Fn::GetAtt'] as unknown[])[0]);
    }
  }
  return JSON.stringify(resolved);
}

/** True when two subnets are the same subnet (same construct, or the same literal subnet id). */
export function sameSubnet(a: ec2.ISubnet, b: ec2.ISubnet): boolean {
  if (a === b) {
    return true;
  }
  return !Token.isUnresolved(a.subnetId) && a.subnetId === b.subnetId;
}

/** The routes of the subnet's route table that point at an internet gateway. */
export function internetGatewayRoutesOf(subnet: ec2.ISubnet): InternetRoute[] {
  return internetRoutesOf(subnet).filter((r) => r.target.startsWith('internet gateway'));
}

/**
 * Whether a subnet is public, as far as it can be known at synth:
 * - `true` when the VPC lists it among its public subnets, or a route in this app sends traffic
 *   from its route table to an internet gateway;
 * - `false` when the subnet is defined in this app (its routes are all known) and neither holds;
 * - `undefined` for an imported subnet that the VPC does not list as public (its routes are unknown).
 */
export function subnetIsPublic(vpc: ec2.IVpc, subnet: ec2.ISubnet): boolean | undefined {
  if (vpc.publicSubnets.some((s) => sameSubnet(s, subnet))) {
    return true;
  }
  if (internetGatewayRoutesOf(subnet).length > 0) {
    return true;
  }
  return subnet.node.defaultChild instanceof ec2.CfnSubnet ? false : undefined;
}

/**
 * A route defined in this app for the destination in the route table, other than the ones
 * `scope`'s own constructs create, or undefined. Tokens are compared by what they resolve to.
 */
export function existingRoute(scope: IConstruct, routeTableId: string, destinationCidrBlock: string): ec2.CfnRoute | undefined {
  const stack = Stack.of(scope);
  const key = (v: unknown) => JSON.stringify(stack.resolve(v));
  const table = key(routeTableId);
  const destination = key(destinationCidrBlock);
  const own = new Set(scope.node.findAll());
  return stack.node.findAll().find((c): c is ec2.CfnRoute =>
    c instanceof ec2.CfnRoute && !own.has(c) && Stack.of(c) === stack
    && key(c.routeTableId) === table && key(c.destinationCidrBlock) === destination);
}
