import { Template } from 'aws-cdk-lib/assertions';
import { cfnLintStacks, nagFindings } from './compliance';
import { testApp, TEST_ENV } from './util';
import { DualHomedAsgExampleStack } from '../examples/dual-homed-asg';

describe('the dual-homed Auto Scaling group example', () => {
  test('synthesizes a load-balanced, scaling group that is cdk-nag and cfn-lint clean', () => {
    const stack = new DualHomedAsgExampleStack(testApp(), 'DualHomedAsgExample', { env: TEST_ENV });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', { PolicyType: 'TargetTrackingScaling' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 80, SourceSecurityGroupId: {} });
    expect(nagFindings(stack)).toEqual([]);
    expect(cfnLintStacks(stack)).toEqual('');
  });
});
