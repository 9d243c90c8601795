import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { cfnLint, nagFindings } from './compliance';
import { buildExampleApp } from '../examples/app';

// The example app is what the README's first command synthesizes: it must stay deployable as is.
describe('example app', () => {
  let assembly: CloudAssembly;
  let stacks: Stack[];

  beforeAll(() => {
    const app = buildExampleApp(fs.mkdtempSync(path.join(os.tmpdir(), 'example-')));
    stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
    assembly = app.synth();
  });

  test('synthesizes at least one stack per pattern', () => {
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(expect.arrayContaining([
      'EniExample', 'DualHomedExample', 'EniFailoverExample', 'ManagementNetworkExample',
      'RoutingApplianceExample', 'ManagedFargateServiceExample', 'SelfHealingInstanceExample', 'DnsFailoverExample',
    ]));
  });

  test('has no unexplained cdk-nag AwsSolutions finding', () => {
    expect(stacks.flatMap((s) => nagFindings(s))).toEqual([]);
  });

  test('every template is cfn-lint clean', () => {
    expect(cfnLint(assembly.stacks.map((s) => path.join(assembly.directory, s.templateFile)))).toEqual('');
  });
});
