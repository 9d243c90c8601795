import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ts from 'typescript';
import * as lib from '../../src';

// Every ```ts block of the README, compiled and run in a stack WITHOUT env (`new Stack(app, 'X')`,
// what most tutorials write) and with aws-cdk-lib's default feature flags (no context). A sample
// either synthesizes, or is refused with a message that says how to fix it (give the stack an
// env, or select subnets explicitly) and shows no unresolved token. The samples are read at test
// time, so the test follows the README through any restructuring.

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const SAMPLES = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

/** The values a sample's `declare const` lines stand for, built in the sample's env-less stack. */
function fixtures(stack: Stack): Record<string, () => unknown> {
  let vpc: ec2.Vpc | undefined;
  const theVpc = () => vpc ??= new ec2.Vpc(stack, 'FixtureVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.60.0.0/16'),
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Web', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Admin', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const instance = (id: string) => new ec2.Instance(stack, id, {
    vpc: theVpc(),
    vpcSubnets: { subnets: [theVpc().publicSubnets[0]] },
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  });
  const eni = (id: string) => new lib.NetworkInterface(stack, id, {
    vpc: theVpc(),
    vpcSubnets: { subnets: [theVpc().publicSubnets[0]] },
    elasticIps: [{}],
  });
  return {
    vpc: theVpc,
    stack: () => stack,
    instance: () => instance('FixtureInstance'),
    primary: () => instance('FixturePrimary'),
    standby: () => instance('FixtureStandby'),
    serverCertArn: () => 'arn:aws:acm:eu-west-1:123456789012:certificate/server',
    clientCaArn: () => 'arn:aws:acm:eu-west-1:123456789012:certificate/client',
    taskDefinition: () => {
      const task = new ecs.FargateTaskDefinition(stack, 'FixtureTask');
      task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
      return task;
    },
    managementNetwork: () => new lib.ManagementNetwork(stack, 'FixtureManagementNetwork', {}),
    managementPeers: () => [ec2.Peer.ipv4('10.60.128.0/20')],
    applicationSubnets: () => theVpc().isolatedSubnets,
    primaryErrors: () => new cloudwatch.Alarm(stack, 'FixtureAlarm', {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    }),
    zone: () => new route53.PublicHostedZone(stack, 'FixtureZone', { zoneName: 'example.com' }),
    primaryEni: () => eni('FixturePrimaryEni'),
    standbyEni: () => eni('FixtureStandbyEni'),
  };
}

/** Runs one sample with `this` and its declared names bound in a fresh env-less stack; returns the stack. */
function runSample(source: string): Stack {
  const app = new App();
  const stack = new Stack(app, 'ReadmeSample');
  const declared = [...source.matchAll(/^declare const (\w+)/gm)].map((m) => m[1]);
  const available = fixtures(stack);
  const missing = declared.filter((name) => !(name in available));
  if (missing.length > 0) {
    throw new Error(`the test has no fixture for ${missing.join(', ')}: add one to fixtures()`);
  }
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  // The sample's own imports: the library under test, and aws-cdk-lib as installed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireSample = (id: string) => (id === 'cdk-eni-patterns' ? lib : require(id));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const body = new Function('require', 'exports', ...declared, js);
  body.call(stack, requireSample, {}, ...declared.map((name) => available[name]()));
  app.synth();
  return stack;
}

// The env hint itself: "select one subnet" alone is in every selectExactlyOneSubnet error, also
// those a stack with env gets, so it does not show that the message names the env-less fix.
const FIX = /give the stack an (explicit )?env/i;

describe('README samples in a stack without env', () => {
  // The Topology sample prints its table and picture.
  beforeAll(() => { jest.spyOn(console, 'log').mockImplementation(() => undefined); jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
  afterAll(() => jest.restoreAllMocks());

  test('the README has TypeScript samples', () => {
    expect(SAMPLES.length).toBeGreaterThan(5);
  });

  test.each(SAMPLES.map((source, i) => [i, firstConstruct(source), source] as const))(
    'sample %d (%s) synthesizes or names the fix', (_i, _what, source) => {
      let error: Error | undefined;
      try {
        runSample(source);
      } catch (e) {
        error = e as Error;
      }
      if (error) {
        expect(error.message).not.toContain('${Token[');
        expect(error.message).toMatch(FIX);
      }
    });

  test('the dual-homed instance and fleet samples synthesize without env', () => {
    const samples = SAMPLES.filter((s) => /new DualHomed(Instance|Fleet)\(/.test(s));
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const source of samples) {
      expect(() => runSample(source)).not.toThrow();
    }
  });
});

function firstConstruct(source: string): string {
  return /new (\w+)\(/.exec(source.replace(/new (App|Stack)\(/g, ''))?.[1] ?? 'no construct';
}
