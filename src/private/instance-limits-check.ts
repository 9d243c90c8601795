import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
const T: Record<string, [number, number]> = { 't3.micro': [2, 2], 't3.large': [3, 12] };
export function checkEniCount(scope: IConstruct, instanceType: string | undefined, eniCount: number, what: string): void {
  if (!instanceType) return;
  const l = T[instanceType];
  if (!l) { Annotations.of(scope).addWarningV2('cdk-eni-patterns:unknown-instance-type', `unknown ${instanceType}`); return; }
  if (eniCount > l[0]) throw new Error(`instance type '${instanceType}' supports at most ${l[0]} network interfaces, but ${eniCount} are attached to ${what}`);
}
export function checkIpv4PerEni(scope: IConstruct, instanceType: string | undefined, n: number, what: string): void {
  if (!instanceType) return;
  const l = T[instanceType];
  if (!l) { Annotations.of(scope).addWarningV2('cdk-eni-patterns:unknown-instance-type', `unknown ${instanceType}`); return; }
  if (n > l[1]) throw new Error(`instance type '${instanceType}' supports at most ${l[1]} IPv4 per ENI, ${what} has ${n}`);
}
