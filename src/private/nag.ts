import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Acknowledges cdk-nag's "not the latest runtime" finding on a function of this library. The
 * handlers are bundled for and tested on the Node.js 22 Lambda runtime (projen `lambdaOptions`);
 * cdk-nag asks for the newest runtime regardless.
 */
export function acknowledgeRuntime(fn: lambda.IFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The handler bundle is built for and tested on the Node.js 22 Lambda runtime, a supported runtime; it moves when the project moves its toolchain',
  });
}
