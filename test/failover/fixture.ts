import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EniFailover, EniFailoverProps } from '../../src/failover/eni-failover';
import { testApp, testInstance, testStack, testVpc } from '../util';

/** Options of {@link failoverStack}. */
export interface FixtureOptions {
  /** Put the standby in the second AZ (dummy1b). */
  readonly standbyInOtherAz?: boolean;
  /** Instance type of both candidates. */
  readonly instanceType?: string;
  /** Runs after the instances exist and before the failover is created. */
  readonly before?: (f: { stack: Stack; vpc: ec2.Vpc; primary: ec2.Instance; standby: ec2.Instance }) => void;
}

/**
 * A stack with a VPC, a primary and a standby instance in the first public subnet (dummy1a)
 * and an EniFailover between them.
 */
export function failoverStack(props: Partial<EniFailoverProps> = {}, options: FixtureOptions = {}) {
  const stack = testStack(testApp());
  const vpc = testVpc(stack);
  const primary = testInstance(stack, 'Primary', vpc, vpc.publicSubnets[0], options.instanceType);
  const standby = testInstance(stack, 'Standby', vpc, vpc.publicSubnets[options.standbyInOtherAz ? 1 : 0], options.instanceType);
  options.before?.({ stack, vpc, primary, standby });
  const failover = new EniFailover(stack, 'Failover', { primary, standby, vpc, ...props });
  return { stack, vpc, primary, standby, failover };
}

/** The template of a stack with a failover, plus the logical ids tests refer to. */
export function synthFailover(props: Partial<EniFailoverProps> = {}, options: FixtureOptions = {}) {
  const f = failoverStack(props, options);
  const template = Template.fromStack(f.stack);
  return { ...f, template, ids: logicalIds(f.stack, f.failover, f.primary, f.standby) };
}

/** Logical ids of the main resources. */
export function logicalIds(stack: Stack, failover: EniFailover, primary: ec2.Instance, standby: ec2.Instance) {
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  return {
    primary: id(primary),
    standby: id(standby),
    function: id(failover.function),
    topic: id(failover.topic),
    queue: id(failover.deadLetterQueue),
    eni: id(failover.networkInterface),
  };
}

/** `arn:<partition>:ec2:eu-west-1:123456789012:<type>/<Ref logicalId>` as CDK renders it. */
export function ec2Arn(type: string, logicalId: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:${type}/`, { Ref: logicalId }]] };
}
