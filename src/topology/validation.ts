import * as fs from 'fs';
import * as path from 'path';
import {
  IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack, Stage,
} from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { findingsOf } from './findings';
import { FindingSeverity, TopologyFinding } from './model';
import { readTemplates, withNestedStacks } from './reader';

/** Construct metadata that holds this plugin's acknowledgements: finding code -> reason. */
const ACKNOWLEDGED_FINDINGS = 'cdk-eni-patterns:acknowledged-findings';
/** The metadata key of CDK's own `Validations.of(scope).acknowledge()`. */
const CDK_ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

/**
 * Acknowledgements made on an App, a Stage or another construct above the stacks: the app's output
 * directory, the scope's construct path ('' for the app) and the code.
 */
const ACKNOWLEDGED_ABOVE_STACKS: Array<{ readonly outdir: string; readonly scopePath: string; readonly code: string }> = [];

const TOPOLOGY_FINDING_CODES: ReadonlyArray<string> = [
  'ADMIN_PORT_OPEN_TO_INTERNET',
  'MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS',
  'MANAGEMENT_SUBNET_ROUTES_TO_INTERNET_GATEWAY',
  'DEVICE_INDEX_TAKEN_TWICE',
  'FLOATING_INTERFACE_ATTACHED_BY_CLOUDFORMATION',
  'FAILOVER_CANDIDATE_IN_ANOTHER_AZ',
  'SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE',
];

/**
 * The topology findings as a CDK policy-validation plugin: `cdk synth` reports them beside cdk-nag
 * and cfn-guard, and a HIGH finding fails synthesis (MEDIUM ones are reported as warnings).
 *
 * ```ts
 * import { App, Validations } from 'aws-cdk-lib';
 * import { TopologyValidation } from 'cdk-eni-patterns';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new TopologyValidation());
 * ```
 *
 * Acknowledge a finding on the resource it is about (or any construct above it) with
 * `TopologyValidation.acknowledge(scope, 'ADMIN_PORT_OPEN_TO_INTERNET', 'why')`, or with CDK's own
 * `Validations.of(scope).acknowledge({ id: 'cdk-eni-topology::ADMIN_PORT_OPEN_TO_INTERNET', reason })`
 * (CDK 2.257 applies the latter to the whole app once it appears anywhere).
 */
export class TopologyValidation implements IPolicyValidationPlugin {
  /** Every finding code the topology reports (the plugin's rule names). */
  public static readonly FINDING_CODES: string[] = [...TOPOLOGY_FINDING_CODES];

  /**
   * Acknowledges a topology finding on `scope` and every construct below it: the plugin no longer
   * reports it for those resources. The reason is kept in the construct's metadata. On an App, a
   * Stage or any construct above the stacks it covers every stack below the scope, those of nested
   * stages and those created after the call included (held by the plugin for the app's synthesis).
   *
   * @param scope the resource the finding is about, or a construct above it (an App or Stage for all its stacks)
   * @param code a finding code, e.g. `ADMIN_PORT_OPEN_TO_INTERNET`
   * @param reason why the finding is acceptable here
   */
  public static acknowledge(scope: IConstruct, code: string, reason: string): void {
    if (!TOPOLOGY_FINDING_CODES.includes(code)) {
      throw new Error(`code '${code}' is not a topology finding: use one of ${TOPOLOGY_FINDING_CODES.join(', ')}`);
    }
    if (reason.trim() === '') throw new Error(`reason for acknowledging ${code} on ${scope.node.path || 'the app'} is empty: say why the finding is acceptable`);
    if (scope.node.scopes.some((c) => Stack.isStack(c))) {
      scope.node.addMetadata(ACKNOWLEDGED_FINDINGS, { [code]: reason });
    } else {
      // An App, a Stage or a construct above the stacks: CDK writes only a stack's own constructs
      // into its metadata (and synthesizes nested stages before the app's aspects run), so the
      // acknowledgement is kept here, by the app's output directory and the scope's path, and
      // applied to every stack whose path is below it (stacks created after this call included).
      const root = scope.node.root;
      if (!Stage.isStage(root)) {
        throw new Error(`${scope.node.path || scope.node.id} is not inside an App or Stage: acknowledge ${code} on a construct of the app, or use Validations.of(app).acknowledge()`);
      }
      ACKNOWLEDGED_ABOVE_STACKS.push({ outdir: path.resolve(root.outdir), scopePath: scope.node.path, code });
    }
  }

  /** The plugin's name, the prefix of its rule ids (`cdk-eni-topology::<code>`). */
  public readonly name = 'cdk-eni-topology';
  /**
   * The finding codes. Optional only because `IPolicyValidationPlugin` declares it so (jsii
   * requires the same optionality); it is always set.
   *
   * @default - every finding code, as `FINDING_CODES`
   */
  public readonly ruleIds?: string[] = [...TOPOLOGY_FINDING_CODES];

  /** Reads the synthesized templates and reports every finding that is not acknowledged. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    // Every template CDK passes, and the NestedStacks' templates below it (named s0n<logical ID>).
    const stacks = context.templatePaths.flatMap((templatePath, i) => {
      const top = { name: `s${i}`, template: JSON.parse(fs.readFileSync(templatePath, 'utf8')), templatePath };
      const acknowledged = acknowledgementsOf(templatePath);
      return withNestedStacks(top, path.dirname(templatePath), 'n').map((s) => ({
        name: s.name,
        template: s.template,
        templatePath: s.templatePath ?? templatePath,
        // A nested stack's constructs are in its parent's metadata, by path: the acknowledgements
        // above the stacks apply; logical IDs of the parent's metadata do not name its resources.
        acknowledged: s.name === top.name ? acknowledged : nestedAcknowledgements(acknowledged),
      }));
    });
    const findings = findingsOf(readTemplates(stacks.map(({ name, template }) => ({ name, template }))));

    const violations: PolicyViolation[] = [];
    for (const finding of findings) {
      const { stack, logicalId } = locate(finding, stacks);
      if (stack && logicalId && stack.acknowledged(logicalId).has(finding.code)) continue;
      violations.push({
        ruleName: finding.code,
        description: finding.message.replace(/\bs\d+(?:n[A-Za-z0-9]+)*\//g, ''),
        severity: finding.severity === FindingSeverity.HIGH ? 'error' : 'warning',
        fix: FIXES[finding.code],
        violatingResources: stack && logicalId
          ? [{ resourceLogicalId: logicalId, templatePath: stack.templatePath, locations: [] }]
          : [],
      });
    }
    return { success: violations.every((v) => v.severity !== 'error'), violations };
  }
}

const FIXES: Record<string, string> = {
  ADMIN_PORT_OPEN_TO_INTERNET: 'admit admin ports only from the management network (a security group or its CIDR)',
  MANAGEMENT_INTERFACE_HAS_PUBLIC_ADDRESS: 'remove the Elastic IP or public IP from the management interface; reach it through the ways into the management network',
  MANAGEMENT_SUBNET_ROUTES_TO_INTERNET_GATEWAY: 'remove the internet gateway route from the management subnet, or route through a NAT gateway',
  DEVICE_INDEX_TAKEN_TWICE: 'give each interface of an instance its own device index',
  FLOATING_INTERFACE_ATTACHED_BY_CLOUDFORMATION: 'remove the NetworkInterfaceAttachment (or the instance NetworkInterfaces entry): failover places the floating interface',
  FAILOVER_CANDIDATE_IN_ANOTHER_AZ: 'launch every failover candidate in the Availability Zone of the floating interface',
  SOURCE_DEST_CHECK_OFF_WITHOUT_ROUTE: 'turn the source/destination check back on, or add the route that sends traffic to the interface',
};

interface ReadStack {
  readonly name: string;
  readonly templatePath: string;
  readonly acknowledged: (logicalId: string) => Set<string>;
}

/** The template and logical ID a finding is about (`s0/Web#eth1` -> stack s0, `Web`). */
function locate(finding: TopologyFinding, stacks: ReadStack[]): { stack?: ReadStack; logicalId?: string } {
  const match = /^(s\d+(?:n[^/#]+)*)\/([^#/]+)/.exec(finding.resourceId);
  const stack = stacks.find((s) => s.name === match?.[1]);
  return stack ? { stack, logicalId: match![2] } : {};
}

/**
 * The acknowledgements of the resources of a template: the codes acknowledged on a resource's
 * construct or any construct above it, read from the stack's metadata file of the cloud assembly.
 */
function acknowledgementsOf(templatePath: string): (logicalId: string) => Set<string> {
  const metadata = stackMetadata(templatePath);
  const pathOfLogicalId = new Map<string, string>();
  const codesAt = new Map<string, string[]>();
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries ?? []) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') pathOfLogicalId.set(entry.data, constructPath);
      if (entry.type === ACKNOWLEDGED_FINDINGS && entry.data && typeof entry.data === 'object') {
        codesAt.set(constructPath, [...(codesAt.get(constructPath) ?? []), ...Object.keys(entry.data)]);
      }
      if (entry.type === CDK_ACKNOWLEDGED_RULES && entry.data && typeof entry.data === 'object') {
        const codes = Object.keys(entry.data).filter((id) => id.startsWith('cdk-eni-topology::')).map((id) => id.slice('cdk-eni-topology::'.length));
        codesAt.set(constructPath, [...(codesAt.get(constructPath) ?? []), ...codes]);
      }
    }
  }
  const stackPath = stackArtifact(templatePath)?.displayName;
  const resolved = path.resolve(templatePath);
  const above = ACKNOWLEDGED_ABOVE_STACKS.filter((a) => resolved.startsWith(a.outdir + path.sep) && typeof stackPath === 'string'
    && (a.scopePath === '' || stackPath === a.scopePath || stackPath.startsWith(`${a.scopePath}/`))).map((a) => a.code);
  return (logicalId) => {
    const codes = new Set<string>(above);
    let p = pathOfLogicalId.get(logicalId);
    while (p) {
      for (const code of codesAt.get(p) ?? []) codes.add(code);
      p = p.includes('/', 1) ? p.slice(0, p.lastIndexOf('/')) : undefined;
    }
    return codes;
  };
}

/** For a nested stack: only what was acknowledged above the stacks (held for every logical ID). */
function nestedAcknowledgements(parent: (logicalId: string) => Set<string>): (logicalId: string) => Set<string> {
  const above = parent('');
  return () => above;
}

type MetadataEntries = Record<string, Array<{ type: string; data?: unknown }> | undefined>;

/** The manifest entry of the stack whose template this is. */
function stackArtifact(templatePath: string): any {
  const dir = path.dirname(templatePath);
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const base = path.basename(templatePath);
  return Object.values<any>(manifest.artifacts ?? {}).find((artifact) => artifact.properties?.templateFile === base);
}

/** A stack's construct metadata: its `*.metadata.json` file, or the manifest's copy. */
function stackMetadata(templatePath: string): MetadataEntries {
  const artifact = stackArtifact(templatePath);
  if (!artifact) return {};
  const dir = path.dirname(templatePath);
  if (artifact.additionalMetadataFile && fs.existsSync(path.join(dir, artifact.additionalMetadataFile))) {
    return JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf8'));
  }
  return artifact.metadata ?? {};
}
