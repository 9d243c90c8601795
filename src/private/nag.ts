import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's "not the latest runtime" finding on a function of this library. The
 * handlers are bundled for and tested on the Node.js 24 Lambda runtime (projen `lambdaOptions`);
 * cdk-nag asks for the newest runtime regardless.
 */
export function acknowledgeRuntime(fn: lambda.IFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The handler bundle is built for and tested on the Node.js 24 Lambda runtime, the newest one; it moves when the project moves its toolchain',
  });
}

/**
 * Acknowledges cdk-nag's IAM5 finding for `arn:<partition>:ec2:<region>:<account>:<resourceType>/*`
 * on a role. The finding id holds `<AWS::Partition>`, whose `::` `Validations.acknowledge()` refuses,
 * so the acknowledgment goes into the metadata cdk-nag reads (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`).
 */
export function acknowledgeEc2Wildcard(role: IConstruct, resourceType: 'instance' | 'network-interface' | 'subnet' | 'security-group', reason: string): void {
  const stack = Stack.of(role);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${region}:${account}:${resourceType}/*]`]: reason,
  });
}
