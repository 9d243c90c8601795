import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { IConstruct } from 'constructs';
import { NamedCandidate } from './failover-context';
import { ENV, MAX_HEALTH_ALARMS } from '../engine/contract';

/**
 * The alarms an `EniFailover` listens to: trigger alarms (their notices start a run) and health
 * alarms (read in every run). Keeps the three places that depend on them in step: the
 * `HEALTH_ALARMS` environment, the `cloudwatch:DescribeAlarms` grant and the filter of the
 * topic subscription.
 */
export class FailoverAlarms {
  private readonly healthAlarms: Array<{ readonly instance: ec2.IInstance; readonly alarm: cloudwatch.IAlarm }> = [];
  private readonly triggerAlarms: cloudwatch.IAlarm[] = [];
  private readonly described = new Set<cloudwatch.IAlarm>();
  private describeAlarmsStatement?: iam.PolicyStatement;
  private alarmSubscription?: sns.Subscription;

  /**
   * @param host the failover, for paths in messages
   * @param candidates the candidates in preference order
   * @param role the engine's role
   * @param topic the failover topic
   * @param functions the functions running the engine; the first is subscribed to the topic
   */
  constructor(
    private readonly host: IConstruct,
    private readonly candidates: readonly NamedCandidate[],
    private readonly role: iam.IRole,
    private readonly topic: sns.ITopic,
    private readonly functions: readonly lambda.Function[],
  ) {}

  /** Alarms whose notices start a run; the engine may describe them. */
  public addTriggerAlarms(alarms: readonly cloudwatch.IAlarm[]): void {
    this.triggerAlarms.push(...alarms);
    for (const alarm of alarms) this.grantDescribe(alarm);
    if (alarms.length > 0) this.subscribe();
  }

  /**
   * Registers a health alarm of a candidate: the engine reads it in every run (HEALTH_ALARMS),
   * may describe it, and its notices start a run.
   *
   * @param what the prop or method the alarm came from, for error messages
   */
  public addHealthAlarm(instance: ec2.IInstance, alarm: cloudwatch.IAlarm, what: string): void {
    const candidate = this.candidates.find((c) => c.instance === instance
      || (!Token.isUnresolved(instance.instanceId) && c.instance.instanceId === instance.instanceId));
    if (!candidate) {
      const [primary, standby] = this.candidates.map((c) => c.instance.node.path);
      throw new Error(`${what}: instance ${instance.node.path} is not a candidate of ${this.host.node.path}: a health alarm belongs to the primary (${primary}) or the standby (${standby})`);
    }
    if (this.healthAlarms.some((h) => h.alarm === alarm && h.instance === candidate.instance)) {
      throw new Error(`${what}: alarm ${alarm.node.path} is already a health alarm of ${candidate.instance.node.path}: add each alarm once per instance`);
    }
    const known = this.healthAlarms.some((h) => h.alarm === alarm);
    const distinct = new Set(this.healthAlarms.map((h) => h.alarm)).size;
    if (!known && distinct >= MAX_HEALTH_ALARMS) {
      throw new Error(`${what}: alarm ${alarm.node.path} would be health alarm number ${distinct + 1} of ${this.host.node.path}: at most ${MAX_HEALTH_ALARMS}, so one DescribeAlarms request reads them all`);
    }
    if (this.healthAlarms.length === 0) {
      const value = Lazy.string({ produce: () => this.renderHealthAlarms() });
      for (const fn of this.functions) fn.addEnvironment(ENV.HEALTH_ALARMS, value);
    }
    this.healthAlarms.push({ instance: candidate.instance, alarm });
    this.grantDescribe(alarm);
    this.subscribe();
  }

  /**
   * The engine reads the health alarms in every run, and the state of every alarm a notice names
   * (a notice is a hint, not the truth). DescribeAlarms supports alarm ARNs as resources: the role
   * may read these alarms and no others.
   */
  private grantDescribe(alarm: cloudwatch.IAlarm): void {
    if (this.described.has(alarm)) return;
    if (!this.describeAlarmsStatement) {
      this.describeAlarmsStatement = new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'] });
      this.role.addToPrincipalPolicy(this.describeAlarmsStatement);
    }
    this.described.add(alarm);
    this.describeAlarmsStatement.addResources(alarm.alarmArn);
  }

  /**
   * Alarm notifications on the topic invoke the reconcile Lambda: those of the trigger alarms and
   * the health alarms, by name, and nothing else. Neither the Lambda's own failure notices (plain
   * text, which message body filtering never matches) nor the failover's errors, dead-letter and
   * probe errors alarms (a run invoked by its own failure alarm would only fail again) match.
   */
  private subscribe(): void {
    if (this.alarmSubscription) return;
    this.alarmSubscription = this.topic.addSubscription(new subs.LambdaSubscription(this.functions[0], {
      filterPolicyWithMessageBody: { AlarmName: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.existsFilter()) },
    }));
    const names = () => [...new Set([...this.triggerAlarms, ...this.healthAlarms.map((h) => h.alarm)].map((a) => a.alarmName))];
    const cfn = this.alarmSubscription.node.defaultChild as sns.CfnSubscription;
    cfn.filterPolicy = Lazy.any({ produce: () => ({ AlarmName: names() }) });
  }

  /** `HEALTH_ALARMS` as JSON (alarm names may contain `,`, `|` and `=`), candidates in preference order. */
  private renderHealthAlarms(): string {
    const byInstance: Record<string, string[]> = {};
    for (const { instance } of this.candidates) {
      const names = this.healthAlarms.filter((h) => h.instance === instance).map((h) => h.alarm.alarmName);
      if (names.length > 0) byInstance[instance.instanceId] = names;
    }
    return Stack.of(this.host).toJsonString(byInstance);
  }
}
