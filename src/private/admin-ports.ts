import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack, Token } from 'aws-cdk-lib/core';
import { isAnyAddress } from './ip';

/**
 * Finds security-group rules that open SSH or other administration ports to the whole internet
 * (0.0.0.0/0 or ::/0). Every construct of this library that owns an interface refuses them at synth.
 */

/** A security-group ingress rule as CloudFormation renders it. */
export interface IngressRuleJson {
  readonly cidrIp?: string;
  readonly cidrIpv6?: string;
  readonly ipProtocol?: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/** SSH and RDP: the ports no interface of this library may open to the internet. */
export const DEFAULT_ADMIN_PORTS: ec2.Port[] = [ec2.Port.tcp(22), ec2.Port.tcp(3389)];

/** The rule JSON of a port. */
export function ruleJson(port: ec2.Port): IngressRuleJson {
  return port.toRuleJson() as IngressRuleJson;
}

/** The CIDR of a peer when it is a literal CIDR peer. */
export function peerCidr(peer: ec2.IPeer): string | undefined {
  const config = peer.toIngressRuleConfig() as IngressRuleJson;
  const cidr = config.cidrIp ?? config.cidrIpv6;
  return typeof cidr === 'string' && !Token.isUnresolved(cidr) ? cidr : undefined;
}

/** Whether two rules' protocol/port ranges share a port. Unresolved values never match. */
export function portsOverlap(a: IngressRuleJson, b: IngressRuleJson): boolean {
  const protoA = String(a.ipProtocol);
  const protoB = String(b.ipProtocol);
  if (protoA === '-1' || protoB === '-1') {
    return true;
  }
  if (protoA !== protoB) {
    return false;
  }
  const values = [a.fromPort, a.toPort, b.fromPort, b.toPort];
  if (values.some((v) => v === undefined || Token.isUnresolved(v))) {
    return false;
  }
  if (protoA === 'tcp' || protoA === 'udp' || protoA === '6' || protoA === '17') {
    return a.fromPort! <= b.toPort! && b.fromPort! <= a.toPort!;
  }
  return a.fromPort === b.fromPort && a.toPort === b.toPort;
}

/** A short description of a rule's protocol and ports, e.g. `tcp 22` or `all traffic`. */
export function describeRule(rule: IngressRuleJson): string {
  if (rule.ipProtocol === '-1') {
    return 'all traffic';
  }
  return rule.fromPort === rule.toPort ? `${rule.ipProtocol} ${rule.fromPort}` : `${rule.ipProtocol} ${rule.fromPort}-${rule.toPort}`;
}

/** The ingress rules with a CIDR source in a security group defined in this app (inline or as separate resources). */
export function ingressRulesOf(sg: ec2.ISecurityGroup): IngressRuleJson[] {
  const stack = Stack.of(sg);
  const rules: IngressRuleJson[] = [];
  const cfn = sg.node.defaultChild;
  if (cfn instanceof ec2.CfnSecurityGroup) {
    const inline = stack.resolve(cfn.securityGroupIngress);
    if (Array.isArray(inline)) {
      rules.push(...inline as IngressRuleJson[]);
    }
  }
  for (const child of sg.node.findAll()) {
    if (child instanceof ec2.CfnSecurityGroupIngress) {
      rules.push({ cidrIp: child.cidrIp, cidrIpv6: child.cidrIpv6, ipProtocol: child.ipProtocol, fromPort: child.fromPort, toPort: child.toPort });
    }
  }
  return rules;
}

/** One message per rule of the groups that admits one of `ports` from 0.0.0.0/0 or ::/0. */
export function adminPortsOpenToInternet(groups: ec2.ISecurityGroup[], ports: ec2.Port[], what: string): string[] {
  const errors: string[] = [];
  for (const sg of groups) {
    for (const rule of ingressRulesOf(sg)) {
      const cidr = rule.cidrIp ?? rule.cidrIpv6;
      if (typeof cidr !== 'string' || Token.isUnresolved(cidr) || !isAnyAddress(cidr)) {
        continue;
      }
      const clash = ports.find((p) => portsOverlap(ruleJson(p), rule));
      if (clash) {
        errors.push(`security group ${sg.node.path} of ${what} admits ${describeRule(rule)} from ${cidr}, which includes the administration port ${describeRule(ruleJson(clash))}: SSH and admin ports may only be opened to a management network, never to the internet`);
      }
    }
  }
  return errors;
}
