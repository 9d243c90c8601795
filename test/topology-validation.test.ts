import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { TopologyValidation } from '../src';
import { TEST_ENV } from './util';

/**
 * An app whose management interface admits SSH from anywhere and has an Elastic IP: written with
 * L1s, as a hand-made stack would be (this library's constructs refuse it at synth).
 */
function appWithOpenManagementInterface(options: {
  failSynth?: boolean;
  acknowledge?: (eni: Construct, other: Construct) => void;
  /** Put the stack in a Stage named Prod. */
  inStage?: boolean;
  /** Called before the stack is created, with the app and (inStage) the stage. */
  acknowledgeAbove?: (app: App, stage?: Stage) => void;
} = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-validation-'));
  const context: Record<string, unknown> = options.failSynth ? {} : { '@aws-cdk/core:failSynthOnValidationErrors': false };
  const app = new App({ outdir, context });
  Validations.of(app).addPlugins(new TopologyValidation());
  const stage = options.inStage ? new Stage(app, 'Prod') : undefined;
  options.acknowledgeAbove?.(app, stage);
  const stack = new Stack(stage ?? app, 'Ops', { env: TEST_ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 1,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const open = new ec2.SecurityGroup(stack, 'AdminSg', { vpc });
  open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH from anywhere');
  const eni = new Construct(stack, 'MgmtEni');
  const cfnEni = new ec2.CfnNetworkInterface(eni, 'Resource', { subnetId: vpc.isolatedSubnets[0].subnetId, groupSet: [open.securityGroupId] });
  const eip = new ec2.CfnEIP(eni, 'ElasticIp', { domain: 'vpc' });
  new ec2.CfnEIPAssociation(eni, 'Association', { allocationId: eip.attrAllocationId, networkInterfaceId: cfnEni.ref });
  // A second, harmless interface: acknowledgements on it must not hide the first one's findings.
  const other = new Construct(stack, 'OtherEni');
  new ec2.CfnNetworkInterface(other, 'Resource', { subnetId: vpc.isolatedSubnets[0].subnetId });
  options.acknowledge?.(eni, other);
  return { app, outdir, logicalId: stack.getLogicalId(cfnEni) };
}

interface Violation {
  ruleName: string;
  severity: string;
  description: string;
  fix: string;
  violatingConstructs: Array<{ resourceLogicalId: string; constructPath: string }>;
}
interface Report {
  title: string;
  pluginReports: Array<{ summary: { pluginName: string; status: string }; violations: Violation[] }>;
}

/** Synthesizes the app and returns the policy-validation report CDK writes next to the templates. */
function synthReport(app: App, outdir: string): Report {
  const exitCode = process.exitCode;
  try {
    app.synth();
  } finally {
    process.exitCode = exitCode;
  }
  return JSON.parse(fs.readFileSync(path.join(outdir, 'policy-validation-report.json'), 'utf8'));
}

function topologyReport(report: Report) {
  const found = report.pluginReports.find((r) => r.summary.pluginName === 'cdk-eni-topology');
  if (!found) throw new Error(`no cdk-eni-topology report in ${JSON.stringify(report)}`);
  return found;
}

let consoleError: jest.SpyInstance;
beforeEach(() => { consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined); });
afterEach(() => consoleError.mockRestore());

describe('TopologyValidation as a CDK policy-validation plugin', () => {
  test('cdk synth of an app with an SSH-open management interface fails with both high findings on that interface', () => {
    const { app, outdir, logicalId } = appWithOpenManagementInterface({ failSynth: true });
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    try {
      app.synth();
      // CDK does not throw: it prints the report and sets the exit status of `cdk synth`.
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = exitCode;
    }
    const printed = consoleError.mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toContain('ADMIN_PORT_OPEN_TO_INTERNET');
    expect(printed).toContain('MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS');
    expect(printed).toContain('Validation failed');

    const report = topologyReport(JSON.parse(fs.readFileSync(path.join(outdir, 'policy-validation-report.json'), 'utf8')));
    expect(report.summary.status).toBe('failure');
    expect(report.violations.map((v) => [v.ruleName, v.severity]).sort()).toEqual([
      ['ADMIN_PORT_OPEN_TO_INTERNET', 'error'],
      ['MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS', 'error'],
    ]);
    for (const v of report.violations) {
      expect(v.violatingConstructs).toEqual([expect.objectContaining({ resourceLogicalId: logicalId, constructPath: 'Ops/MgmtEni/Resource' })]);
      expect(v.fix).toMatch(/management/);
      expect(v.description).not.toMatch(/\bs\d+\//);
    }
  });

  test('acknowledging both findings on the interface lets synth pass; the same acknowledgement elsewhere does not', () => {
    const codes = ['ADMIN_PORT_OPEN_TO_INTERNET', 'MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS'];
    const onEni = appWithOpenManagementInterface({
      acknowledge: (eni) => codes.forEach((c) => TopologyValidation.acknowledge(eni, c, 'a lab host behind an upstream firewall')),
    });
    // CDK leaves a plugin without violations out of the report.
    expect(synthReport(onEni.app, onEni.outdir).pluginReports).toEqual([]);

    const elsewhere = appWithOpenManagementInterface({
      acknowledge: (_eni, other) => codes.forEach((c) => TopologyValidation.acknowledge(other, c, 'not about this interface')),
    });
    const failed = topologyReport(synthReport(elsewhere.app, elsewhere.outdir));
    expect(failed.summary.status).toBe('failure');
    expect(failed.violations).toHaveLength(2);
  });

  test.each([
    ['the App, its stack directly below', false, (app: App) => app],
    ['the App, its stack in a Stage', true, (app: App) => app],
    ['the Stage the stack is in', true, (_app: App, stage?: Stage) => stage!],
  ])('an acknowledgement on %s covers every stack below it', (_what, inStage, scopeOf) => {
    const codes = ['ADMIN_PORT_OPEN_TO_INTERNET', 'MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS'];
    const { app, outdir } = appWithOpenManagementInterface({
      inStage,
      acknowledgeAbove: (a, stage) => codes.forEach((c) => TopologyValidation.acknowledge(scopeOf(a, stage), c, 'a lab account')),
    });
    expect(synthReport(app, outdir).pluginReports).toEqual([]);
  });

  test('an acknowledgement on one Stage does not cover the stacks of another', () => {
    const { app, outdir } = appWithOpenManagementInterface({
      inStage: true,
      acknowledgeAbove: (a) => TopologyValidation.acknowledge(new Stage(a, 'Lab'), 'ADMIN_PORT_OPEN_TO_INTERNET', 'a lab account'),
    });
    expect(topologyReport(synthReport(app, outdir)).violations.map((v) => v.ruleName).sort()).toEqual([
      'ADMIN_PORT_OPEN_TO_INTERNET', 'MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS',
    ]);
  });

  test('a finding inside a NestedStack is reported, against the nested template', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-validation-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    Validations.of(app).addPlugins(new TopologyValidation());
    const parent = new Stack(app, 'Parent', { env: TEST_ENV });
    const nested = new NestedStack(parent, 'Network');
    const vpc = new ec2.Vpc(nested, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    const open = new ec2.SecurityGroup(nested, 'Open', { vpc });
    open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    new ec2.CfnNetworkInterface(new Construct(nested, 'Eni'), 'Resource', { subnetId: vpc.publicSubnets[0].subnetId, groupSet: [open.securityGroupId] });
    const report = topologyReport(synthReport(app, outdir));
    expect(report.violations.map((v) => v.ruleName)).toEqual(['ADMIN_PORT_OPEN_TO_INTERNET']);
    expect(report.violations[0].description).not.toMatch(/\bs\d+/);

    // Acknowledged on the app, it is covered like the parent's own resources.
    const quiet = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-validation-'));
    const app2 = new App({ outdir: quiet, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    Validations.of(app2).addPlugins(new TopologyValidation());
    TopologyValidation.acknowledge(app2, 'ADMIN_PORT_OPEN_TO_INTERNET', 'a lab account');
    const nested2 = new NestedStack(new Stack(app2, 'Parent', { env: TEST_ENV }), 'Network');
    const vpc2 = new ec2.Vpc(nested2, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    const open2 = new ec2.SecurityGroup(nested2, 'Open', { vpc: vpc2 });
    open2.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    new ec2.CfnNetworkInterface(new Construct(nested2, 'Eni'), 'Resource', { subnetId: vpc2.publicSubnets[0].subnetId, groupSet: [open2.securityGroupId] });
    expect(synthReport(app2, quiet).pluginReports).toEqual([]);
  });

  test("CDK's own Validations.acknowledge() with the plugin's rule id is honoured", () => {
    const { app, outdir } = appWithOpenManagementInterface({
      acknowledge: (eni) => Validations.of(eni).acknowledge({ id: 'cdk-eni-topology::MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS', reason: 'temporary' }),
    });
    const report = topologyReport(synthReport(app, outdir));
    expect(report.summary.status).toBe('failure');
    expect(report.violations.map((v) => v.ruleName)).toEqual(['ADMIN_PORT_OPEN_TO_INTERNET']);
  });

  test('a medium finding is reported as a warning and does not fail synth', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-validation-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    Validations.of(app).addPlugins(new TopologyValidation());
    const stack = new Stack(app, 'Appliance', { env: TEST_ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new ec2.CfnNetworkInterface(stack, 'Unrouted', { subnetId: vpc.isolatedSubnets[0].subnetId, sourceDestCheck: false });
    const report = topologyReport(synthReport(app, outdir));
    expect(report.summary.status).toBe('success');
    expect(report.violations.map((v) => [v.ruleName, v.severity])).toEqual([['SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE', 'warning']]);
  });

  test('the rule ids are every code the findings use', () => {
    const source = fs.readFileSync(path.join(__dirname, '../src/topology/findings.ts'), 'utf8');
    const used = [...source.matchAll(/code: '([A-Z_]+)'/g)].map((m) => m[1]);
    expect([...new Set(used)].sort()).toEqual([...TopologyValidation.FINDING_CODES].sort());
    expect(new TopologyValidation().ruleIds).toEqual(TopologyValidation.FINDING_CODES);
  });

  test('acknowledging an unknown code or without a reason is refused', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => TopologyValidation.acknowledge(stack, 'SSH_OPEN', 'x')).toThrow("code 'SSH_OPEN' is not a topology finding: use one of ADMIN_PORT_OPEN_TO_INTERNET, ");
    expect(() => TopologyValidation.acknowledge(stack, 'DEVICE_INDEX_TAKEN_TWICE', ' ')).toThrow('reason for acknowledging DEVICE_INDEX_TAKEN_TWICE on S is empty: say why the finding is acceptable');
  });
});
