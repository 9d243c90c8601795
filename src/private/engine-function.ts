import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { countAlarm } from './alarms';
import { acknowledgeRuntime } from './nag';
import { grantVpcNetworking } from './vpc-function-grants';
import { RECOMMENDED_FUNCTION } from '../engine/contract';
import { ReconcileFunction } from '../engine/reconcile-function';
import { INetworkInterface } from '../network-interface';

/**
 * The id under which a host adds its `EngineFunction`. CDK leaves a path component named
 * `Default` out of logical ids, so the role, log group, function, queue and alarms keep the
 * logical ids they had as direct children of the host: upgrading the library replaces none of
 * them (a replaced log group would lose its logs, a replaced queue the events in it).
 */
export const ENGINE_FUNCTION_ID = 'Default';

/** The describe calls every engine run makes. */
const DESCRIBE_ACTIONS = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'];

/** Properties of an {@link EngineFunction}. */
export interface EngineFunctionProps {
  /** Description of the execution role. */
  readonly roleDescription: string;
  /** Description of the function. */
  readonly description: string;
  /** The engine's environment (see `ENV` in the contract). */
  readonly environment: Record<string, string>;
  /** The function timeout. */
  readonly timeout: Duration;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Reserved concurrency.
   * @default - none: the function draws from the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How often Lambda retries a failed asynchronous invocation.
   * @default RECOMMENDED_FUNCTION.retryAttempts
   */
  readonly retryAttempts?: number;
  /**
   * How long Lambda keeps an asynchronous event (retries and throttling included) before it goes
   * to the dead-letter queue.
   * @default RECOMMENDED_FUNCTION.maxEventAgeSeconds
   */
  readonly maxEventAge?: Duration;
  /**
   * Runs the function in a VPC.
   * @default - not in a VPC
   */
  readonly network?: EngineNetwork;
  /** Where the errors and dead-letter alarms notify. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /** Description of the errors alarm. */
  readonly errorsAlarmDescription: string;
  /** Description of the dead-letter queue alarm. */
  readonly deadLetterAlarmDescription: string;
}

/** Where the engine function runs when it must reach addresses in the VPC. */
export interface EngineNetwork {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Its subnets; they need a route to the AWS APIs. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The function's security group. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Interfaces the function's VPC permissions may never change (the floating one). */
  readonly protectedInterfaces: readonly INetworkInterface[];
}

/**
 * The failover engine's Lambda function as `EniFailover` and `SelfHealingInstance` deploy it: an
 * execution role with the describe calls every run makes (the only `*` statement, acknowledged
 * for cdk-nag), a log group with retention, an encrypted dead-letter queue for asynchronous
 * events, bounded retries and event age, and two alarms (function errors, dead-lettered events)
 * that notify the host's topic. Hosts add the grants that are theirs (attach, detach, ...) to
 * `role`. Add it with the id {@link ENGINE_FUNCTION_ID}.
 */
export class EngineFunction extends Construct {
  /** The execution role, shared with other functions of the host that run the engine. */
  public readonly role: iam.Role;
  /** The function. */
  public readonly function: lambda.Function;
  /** Receives the asynchronous events the function failed to process. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Function errors, then a non-empty dead-letter queue. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: EngineFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription.slice(0, 1000),
    });
    // ec2:DescribeNetworkInterfaces, ec2:DescribeInstances and ec2:DescribeInstanceStatus support
    // no resource-level permissions: AWS offers nothing narrower than '*' for them.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: DESCRIBE_ACTIONS, resources: ['*'] }));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `Only ${DESCRIBE_ACTIONS.join(', ')} are on *: AWS supports no resource-level permissions for them. Every action that changes something is scoped to ARNs`,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the engine function (its DeadLetterConfig), which cdk-nag only recognises for queues',
    });

    this.function = this.addFunction('Function', 'LogGroup', {
      description: props.description,
      environment: props.environment,
      timeout: props.timeout,
      logRetention: props.logRetention,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? RECOMMENDED_FUNCTION.retryAttempts,
      maxEventAge: props.maxEventAge ?? Duration.seconds(RECOMMENDED_FUNCTION.maxEventAgeSeconds),
      network: props.network,
    });
    if (props.network) grantVpcNetworking(this.role, { vpc: props.network.vpc, protectedInterfaces: props.network.protectedInterfaces });
    this.alarms = renderAlarms(this, this.function, this.deadLetterQueue, props);
  }

  /**
   * Another function of the engine's code with the same role and a log group of its own (the
   * deploy-time placement, which must never wait behind a trigger run).
   */
  public addFunction(id: string, logGroupId: string, options: EngineFunctionOptions): lambda.Function {
    const logGroup = new logs.LogGroup(this, logGroupId, { retention: options.logRetention });
    logGroup.grantWrite(this.role);
    const fn = new ReconcileFunction(this, id, {
      description: options.description.slice(0, 256),
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      memorySize: RECOMMENDED_FUNCTION.memorySize,
      architecture: lambda.Architecture.ARM_64,
      timeout: options.timeout,
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      deadLetterQueue: options.deadLetterQueue,
      retryAttempts: options.retryAttempts,
      maxEventAge: options.maxEventAge,
      environment: options.environment,
      vpc: options.network?.vpc,
      vpcSubnets: options.network?.vpcSubnets,
      securityGroups: options.network ? [options.network.securityGroup] : undefined,
    });
    // The role's policy must exist before the function runs for the first time.
    fn.node.addDependency(this.role);
    acknowledgeRuntime(fn);
    return fn;
  }
}

/** What one function of the engine's code is given. */
export interface EngineFunctionOptions {
  /** Description of the function. */
  readonly description: string;
  /** The engine's environment. */
  readonly environment: Record<string, string>;
  /** The function timeout. */
  readonly timeout: Duration;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** @default - none */
  readonly reservedConcurrentExecutions?: number;
  /** @default - no dead-letter queue */
  readonly deadLetterQueue?: sqs.IQueue;
  /** @default - Lambda's default (2) */
  readonly retryAttempts?: number;
  /** @default - Lambda's default (6 hours) */
  readonly maxEventAge?: Duration;
  /** @default - not in a VPC */
  readonly network?: EngineNetwork;
}

/** Errors of the function (alarm and OK to the topic) and a non-empty dead-letter queue (alarm). */
function renderAlarms(scope: Construct, fn: lambda.Function, queue: sqs.Queue, props: EngineFunctionProps): cloudwatch.Alarm[] {
  return [
    countAlarm(scope, 'ErrorsAlarm', {
      description: props.errorsAlarmDescription,
      metric: fn.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      action: props.alarmAction,
      okAction: true,
    }),
    countAlarm(scope, 'DeadLetterQueueAlarm', {
      description: props.deadLetterAlarmDescription,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      action: props.alarmAction,
    }),
  ];
}

/**
 * Checks a reserved concurrency prop: unset, or a whole number from 1 to 1000 (0 would stop the
 * function from ever running).
 */
export function checkReservedConcurrency(value: number | undefined, prop: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new Error(`${prop} ${value} is not allowed: use a whole number from 1 to 1000, or leave it unset to reserve nothing (a new account's concurrency quota of 10 leaves nothing to reserve)`);
  }
}
