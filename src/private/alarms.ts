import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/**
 * An alarm that goes off when a count reaches one within a single period (errors, dead letters,
 * runs without a healthy candidate); no data is no event. It notifies `action` on `ALARM`, and on
 * `OK` too when `okAction` is set (to say the failure is over).
 */
export function countAlarm(scope: Construct, id: string, options: {
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly action: cloudwatch.IAlarmAction;
  readonly okAction?: boolean;
}): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: options.description,
    metric: options.metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(options.action);
  if (options.okAction) alarm.addOkAction(options.action);
  return alarm;
}
