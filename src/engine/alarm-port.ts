import { CloudWatchClient, CloudWatchClientConfig, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { AlarmState } from './decide';
import { AlarmReading } from './health-alarms';

/**
 * What the failover engine asks of CloudWatch: the states of the candidates' health alarms. Like
 * `Ec2Port`, an interface so the engine runs against the SDK, a strict harness or an emulator.
 */
export interface AlarmPort {
  /**
   * The state of every named alarm that exists, by name. Names that do not exist are left out
   * (DescribeAlarms does not fail for them). Errors (throttling, AccessDenied) are thrown.
   */
  describeAlarmStates(alarmNames: readonly string[]): Promise<Record<string, AlarmReading>>;
}

/** Options for `SdkAlarmPort.create`. */
export interface SdkAlarmPortOptions {
  /** @default - from the environment and shared config */
  readonly region?: string;
  /** @default - AWS_PROFILE or the default profile */
  readonly profile?: string;
  /** Custom endpoint, e.g. an emulator. @default - the regional CloudWatch endpoint */
  readonly endpoint?: string;
}

/** DescribeAlarms accepts at most 100 alarm names (and returns at most 100 records) per request. */
const MAX_NAMES = 100;
const ALARM_STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/**
 * `AlarmPort` on top of `@aws-sdk/client-cloudwatch`: one DescribeAlarms request per 100 names
 * (metric and composite alarms alike), following `NextToken`.
 */
export class SdkAlarmPort implements AlarmPort {
  /** Creates a port with its own CloudWatch client. */
  public static create(options: SdkAlarmPortOptions = {}): SdkAlarmPort {
    const config: CloudWatchClientConfig = { maxAttempts: 4 };
    if (options.region) config.region = options.region;
    if (options.profile) config.profile = options.profile;
    if (options.endpoint) config.endpoint = options.endpoint;
    return new SdkAlarmPort(new CloudWatchClient(config));
  }

  constructor(private readonly client: CloudWatchClient) {}

  public async describeAlarmStates(alarmNames: readonly string[]): Promise<Record<string, AlarmReading>> {
    const states: Record<string, AlarmReading> = {};
    for (let i = 0; i < alarmNames.length; i += MAX_NAMES) {
      const names = alarmNames.slice(i, i + MAX_NAMES);
      let nextToken: string | undefined;
      do {
        const out = await this.client.send(new DescribeAlarmsCommand({
          AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: MAX_NAMES, NextToken: nextToken,
        }));
        for (const a of [...out.MetricAlarms ?? [], ...out.CompositeAlarms ?? []]) {
          const state = a.StateValue as AlarmState | undefined;
          if (!a.AlarmName || !state || !ALARM_STATES.includes(state)) continue;
          const at = a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp;
          states[a.AlarmName] = { state, changedAt: at ? new Date(at).getTime() : undefined };
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }
    return states;
  }
}
