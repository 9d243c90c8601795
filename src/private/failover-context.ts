import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { INetworkInterface } from '../network-interface';

/** A candidate instance with the stable name used in construct ids (`Primary`, `Standby`). */
export interface NamedCandidate {
  readonly name: string;
  readonly instance: ec2.IInstance;
}

/** What a `FailoverTrigger` is bound to: the parts of `EniFailover` it wires into. */
export interface FailoverTriggerContext {
  /** The `EniFailover` construct; triggers create their resources under it. */
  readonly scope: Construct;
  /** Candidates in preference order, the primary first. */
  readonly candidates: readonly NamedCandidate[];
  /** The reconcile Lambda every trigger invokes. */
  readonly reconcileFunction: lambda.IFunction;
  /** Publishes alarm state changes to the failover topic (and so to the reconcile Lambda). */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /** CloudWatch namespace of the failover's own metrics. */
  readonly metricsNamespace: string;
  /** Log retention of functions the trigger creates. */
  readonly logRetention: logs.RetentionDays;
  /** The VPC, for triggers that run inside it. */
  readonly vpc?: ec2.IVpc;
  /** Subnets for functions that run inside the VPC. */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The floating network interface, which functions in the VPC must never change. */
  readonly networkInterface: INetworkInterface;
}

/** What a bound trigger created. */
export interface FailoverTriggerBinding {
  /** Alarms the trigger created. */
  readonly alarms: cloudwatch.IAlarm[];
  /**
   * Alarms among them whose notifications start a reconcile run (the subscription of the reconcile
   * Lambda to the topic lets through these and the health alarms only, not e.g. a probe's own
   * errors alarm). @default - none
   */
  readonly triggerAlarms?: readonly cloudwatch.IAlarm[];
  /** Alarms among them that watch one candidate's health; the engine reads them in every run. */
  readonly healthAlarms?: readonly { readonly instance: ec2.IInstance; readonly alarm: cloudwatch.IAlarm }[];
}
