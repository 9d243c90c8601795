import { synthEverything } from './everything';

// Two of every construct in one stack, and the same again in a second stack of the same account
// and Region, with aws-cdk-lib's DEFAULT feature flags (no context: what a new user has without a
// cdk.json); and the first stack once more from a second app under another stack name (same
// construct paths). Every explicit physical name must be unique, or the second deployment fails
// (EC2 refuses a second launch template named `InstanceLaunchTemplate`, IAM a second role of a
// name, Auto Scaling a second group of a name...).
// The check is generic: every resource's top-level property whose key ends in `Name` names the
// resource, except the keys listed in REFERENCES, which name something else.
// Limit: only TOP-LEVEL properties are read. A name nested deeper (e.g. a launch template's
// LaunchTemplateData, a task definition's container names) is not seen by this test.

/**
 * Keys ending in `Name` that refer to or describe something rather than name the resource: only
 * keys the synthesized templates contain (a dead entry would hide a future name).
 */
const REFERENCES = new Set([
  'AWS::EC2::VPCEndpoint.ServiceName', // the AWS service, e.g. com.amazonaws.eu-west-1.ssm
  'AWS::Route53::RecordSet.Name', // DNS record of the user's zone: recordName is the user's
  'AWS::CloudWatch::Alarm.MetricName',
  'AWS::Lambda::Permission.FunctionName', // the function the permission is for
  'AWS::Lambda::EventInvokeConfig.FunctionName',
  'AWS::EC2::FlowLog.LogGroupName', // the flow log's destination
  'AWS::IAM::Policy.PolicyName', // inline: unique per role only, CDK derives it from the path
  'AWS::SNS::Topic.DisplayName', // the sender name of e-mails, not an identifier
]);

interface PhysicalName {
  readonly where: string;
  readonly key: string;
  readonly value: string;
}

/** Every explicit physical name of a template: top-level `*Name` properties not in REFERENCES. */
function physicalNames(stackName: string, template: any): PhysicalName[] {
  const names: PhysicalName[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    for (const [prop, value] of Object.entries<any>(resource.Properties ?? {})) {
      const key = `${resource.Type}.${prop}`;
      if (!prop.endsWith('Name') || REFERENCES.has(key) || value === undefined) continue;
      names.push({ where: `${stackName}/${logicalId}`, key, value: JSON.stringify(value) });
    }
  }
  return names;
}

/** Names in a namespace shared by all resource types that take that key (e.g. RoleName). */
function duplicates(names: PhysicalName[]): string[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const name of names) {
    // A name built from AWS::StackName differs per stack; within one stack it must differ by itself.
    const namespace = name.value.includes('AWS::StackName') ? `${name.where.split('/')[0]}|` : '';
    const k = `${namespace}${name.key.split('.')[1]}=${name.value}`;
    const previous = seen.get(k);
    if (previous) clashes.push(`${name.key} ${name.value}: ${previous} and ${name.where}`);
    else seen.set(k, name.where);
  }
  return clashes;
}

describe('explicit physical names with default feature flags', () => {
  const { templates } = synthEverything();
  const names = templates.flatMap((s) => physicalNames(s.stackName, s.template));

  test('the test sees the names it is meant to check', () => {
    // SelfHealingInstance names its Auto Scaling group so its launch rule can match it.
    expect(names.some((n) => n.key === 'AWS::AutoScaling::AutoScalingGroup.AutoScalingGroupName')).toBe(true);
  });

  test('the same stack under a second stack name is among the checked stacks', () => {
    expect(templates.map((t) => t.stackName)).toEqual(['First', 'Second', 'FirstAgain']);
    expect(names.filter((n) => n.where.startsWith('FirstAgain/')).length).toBeGreaterThan(0);
  });

  test('no launch template has a fixed name', () => {
    expect(names.filter((n) => n.key === 'AWS::EC2::LaunchTemplate.LaunchTemplateName')).toEqual([]);
  });

  // One synthesized template, created by CloudFormation under two stack names (a pipeline or
  // `aws cloudformation deploy --stack-name` with cdk.out's template): only the AWS::StackName
  // pseudo parameter differs between the two, so every explicit name must be built from it.
  test('every explicit physical name includes the stack name at deployment (AWS::StackName)', () => {
    expect(names.filter((n) => !n.value.includes('"AWS::StackName"')).map((n) => `${n.where} ${n.key} ${n.value}`)).toEqual([]);
  });

  test('every explicit physical name is unique across two of everything in two stacks', () => {
    expect(duplicates(names)).toEqual([]);
  });
});
