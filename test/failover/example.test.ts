import { Template } from 'aws-cdk-lib/assertions';
import { EniFailoverExampleStack } from '../../examples/eni-failover';
import { cfnLintStacks, nagFindings } from '../compliance';
import { TEST_ENV, testApp } from '../util';

// The example stack is what the README's ENI failover section points users to: it must stay deployable as is.
describe('EniFailover example stack', () => {
  const app = testApp();
  const stack = new EniFailoverExampleStack(app, 'EniFailoverExample', { env: TEST_ENV, alarmEmail: 'ops@example.com' });

  test('floats one interface with an Elastic IP between two instances and subscribes the email', () => {
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::Instance', 2);
    template.resourceCountIs('AWS::EC2::NetworkInterface', 1);
    template.resourceCountIs('AWS::EC2::EIP', 1);
    template.resourceCountIs('AWS::EC2::NetworkInterfaceAttachment', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('has no unexplained cdk-nag AwsSolutions finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('is cfn-lint clean', () => {
    expect(cfnLintStacks(stack)).toBe('');
  });
});
