import { synthEverything } from './everything';

// What the library creates by default, across one of each construct (see everything.ts), with
// aws-cdk-lib's default feature flags: alarms notify someone, logs expire, default groups close.

const { stacks, assembly } = synthEverything();
const resources = stacks.flatMap((s) => Object.entries<any>(assembly.getStackByName(s.stackName).template.Resources)
  .map(([logicalId, r]) => ({ where: `${s.stackName}/${logicalId}`, type: r.Type as string, props: (r.Properties ?? {}) as Record<string, any> })));

describe('safe defaults of every construct', () => {
  test('every alarm notifies a topic', () => {
    const alarms = resources.filter((r) => r.type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    // SelfHealingInstance's among them: they notify the topic it creates by default.
    expect(alarms.filter((r) => /SelfHealing/.test(r.where)).length).toBeGreaterThan(0);
    const silent = alarms
      .filter((r) => !(Array.isArray(r.props.AlarmActions) && r.props.AlarmActions.length > 0))
      .map((r) => r.where);
    expect(silent).toEqual([]);
  });

  test('every log group has a retention', () => {
    const groups = resources.filter((r) => r.type === 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.filter((r) => r.props.RetentionInDays === undefined).map((r) => r.where)).toEqual([]);
  });

  test('the default security group of every VPC the library creates is closed', () => {
    const vpcs = resources.filter((r) => r.type === 'AWS::EC2::VPC').map((r) => r.where.split('/')[1]);
    const restricted = resources.filter((r) => r.type === 'Custom::VpcRestrictDefaultSG')
      .map((r) => `${r.props.DefaultSecurityGroupId?.['Fn::GetAtt']?.[0]}`);
    expect(vpcs.length).toBeGreaterThan(0);
    expect(vpcs.filter((v) => !restricted.includes(v))).toEqual([]);
  });
});
