import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { cfnLintStacks, nagFindings } from './compliance';
import { DnsFailoverExampleStack } from '../examples/dns-failover';
import { ManagedFargateServiceExampleStack } from '../examples/managed-fargate-service';
import { RoutingApplianceExampleStack } from '../examples/routing-appliance';
import { SelfHealingInstanceExampleStack } from '../examples/self-healing-instance';

const env = { account: '111111111111', region: 'eu-west-1' };

function exampleApp(): App {
  return new App({
    context: {
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      [`availability-zones:account=${env.account}:region=${env.region}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    },
  });
}

// Each example stack must stay deployable as it is: no unexplained cdk-nag finding, cfn-lint clean.
describe.each<[string, (app: App) => Stack, string]>([
  ['DnsFailoverExampleStack', (app) => new DnsFailoverExampleStack(app, 'DnsFailoverExample', { env }), 'AWS::Route53::RecordSet'],
  ['ManagedFargateServiceExampleStack', (app) => new ManagedFargateServiceExampleStack(app, 'FargateExample', { env }), 'AWS::ECS::Service'],
  ['RoutingApplianceExampleStack', (app) => new RoutingApplianceExampleStack(app, 'RoutingExample', { env }), 'AWS::EC2::Route'],
  ['SelfHealingInstanceExampleStack', (app) => new SelfHealingInstanceExampleStack(app, 'SelfHealingExample', { env }), 'AWS::AutoScaling::AutoScalingGroup'],
])('example %s', (_name, make, resourceType) => {
  let stack: Stack;
  beforeAll(() => {
    stack = make(exampleApp());
  });

  test('builds what it shows', () => {
    expect(Object.keys(Template.fromStack(stack).findResources(resourceType)).length).toBeGreaterThan(0);
  });

  test('has no unexplained cdk-nag AwsSolutions finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('is cfn-lint clean', () => {
    expect(cfnLintStacks(stack)).toEqual('');
  });
});
