/**
 * Loads a deployed failover's settings from its reconcile function's environment
 * (lambda:GetFunctionConfiguration), so a terminal `reconcile` decides like the Lambda.
 */
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SdkEc2PortOptions } from './ec2-port';

/** Reads the environment variables of a Lambda function by name or ARN. */
export type FunctionEnvironmentReader = (functionName: string) => Promise<Record<string, string>>;

/** A reader on top of `@aws-sdk/client-lambda`. */
export function sdkFunctionEnvironmentReader(options: SdkEc2PortOptions): FunctionEnvironmentReader {
  return async (functionName) => {
    const client = new LambdaClient({
      maxAttempts: 4,
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    const out = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return out.Environment?.Variables ?? {};
  };
}
