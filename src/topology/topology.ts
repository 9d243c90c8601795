import * as fs from 'fs';
import { Stack, Stage } from 'aws-cdk-lib/core';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { findingsOf } from './findings';
import { renderMermaid } from './mermaid';
import {
  TopologyAttachment, TopologyEntryPoint, TopologyFailover, TopologyFinding, TopologyInstance, TopologyNetworkInterface,
  TopologyRouteTable, TopologySecurityGroup, TopologyStack, TopologySubnet, TopologyTableOptions, TopologyVpc,
} from './model';
import { StackInput, TopologyModel, readTemplates, withNestedStacks } from './reader';
import { renderTable, renderTotals } from './table';

/**
 * A picture of the network a CDK app builds: which network interface sits in which subnet,
 * attached to which instance, behind which security groups, reachable from where on which ports,
 * the failover pairs and the ways into the management network. Read from synthesized
 * CloudFormation, so it shows what will be deployed, whatever constructs produced it.
 *
 * Render it with `toMermaid()` (a diagram) or `toTable()` (plain text); `findings` lists security
 * mistakes such as SSH open to the internet on a public interface.
 */
export class Topology {
  /**
   * Reads every stack of a synthesized cloud assembly, including stacks in nested stages and
   * NestedStacks (named `<parent stack>/<logical ID of the nested stack resource>`; what the parent
   * passes in as parameters is shown as `param:<name>`).
   */
  public static fromAssembly(assembly: cxapi.CloudAssembly): Topology {
    const stacks = assembly.stacksRecursively.flatMap((artifact) => withNestedStacks(stackInput(artifact), artifact.assembly.directory));
    return new Topology(readTemplates(stacks));
  }

  /**
   * Reads every stack of a cloud assembly directory (`cdk.out`).
   */
  public static fromAssemblyDirectory(directory: string): Topology {
    if (!fs.existsSync(`${directory}/manifest.json`)) {
      throw new Error(`directory '${directory}' is not a cloud assembly: it has no manifest.json; run 'cdk synth' and pass its output directory (usually cdk.out)`);
    }
    return Topology.fromAssembly(new cxapi.CloudAssembly(directory));
  }

  /**
   * Reads one stack of a CDK app by synthesizing the app (its outermost stage).
   *
   * Call it once the app is complete: the app caches the result, so a later `app.synth()` returns
   * the same assembly, and changing the construct tree after this call is an error.
   * References to other stacks of the app (`Fn::ImportValue`) are followed.
   */
  public static fromStack(stack: Stack): Topology {
    const root = stack.node.root;
    if (!Stage.isStage(root)) {
      throw new Error(`stack ${stack.node.path} is not inside an App or Stage (its root is ${root.node.id || 'an anonymous construct'}): create it in an App, or synthesize the templates yourself and use Topology.fromTemplate()`);
    }
    const assembly = root.synth();
    const artifact = assembly.getStackArtifact(stack.artifactId);
    const stacks = withNestedStacks(stackInput(artifact), artifact.assembly.directory);
    return new Topology(readTemplates(stacks, assembly.stacksRecursively.map(stackInput)));
  }

  /**
   * Reads one CloudFormation template (the parsed JSON).
   *
   * @param stackName the name shown for the stack
   * @param template the template, e.g. `JSON.parse(fs.readFileSync('cdk.out/MyStack.template.json', 'utf8'))`
   */
  public static fromTemplate(stackName: string, template: any): Topology {
    if (!template || typeof template !== 'object' || Array.isArray(template)) {
      throw new Error(`template of stack '${stackName}' is ${Array.isArray(template) ? 'an array' : typeof template}: pass the parsed template object (with a Resources section)`);
    }
    return new Topology(readTemplates([{ name: stackName, template }]));
  }

  /** The stacks read. */
  public readonly stacks: TopologyStack[];
  /** The VPCs, defined or referenced. */
  public readonly vpcs: TopologyVpc[];
  /** The subnets, defined or referenced. */
  public readonly subnets: TopologySubnet[];
  /** The route tables and their routes. */
  public readonly routeTables: TopologyRouteTable[];
  /** The instances, defined or referenced. */
  public readonly instances: TopologyInstance[];
  /** The network interfaces, including those instances create at launch. */
  public readonly networkInterfaces: TopologyNetworkInterface[];
  /** Which interface is attached to which instance, at which device index, and how. */
  public readonly attachments: TopologyAttachment[];
  /** The security groups and their inbound rules. */
  public readonly securityGroups: TopologySecurityGroup[];
  /** The ways into the network: Client VPN, VPN gateways, Instance Connect Endpoints, interface endpoints. */
  public readonly entryPoints: TopologyEntryPoint[];
  /** The floating interfaces and their failover candidates. */
  public readonly failovers: TopologyFailover[];
  /** Security mistakes and inconsistencies, the most serious first. */
  public readonly findings: TopologyFinding[];

  private readonly model: TopologyModel;

  private constructor(model: TopologyModel) {
    this.model = model;
    this.stacks = model.stacks;
    this.vpcs = model.vpcs;
    this.subnets = model.subnets;
    this.routeTables = model.routeTables;
    this.instances = model.instances;
    this.networkInterfaces = model.networkInterfaces;
    this.attachments = model.attachments;
    this.securityGroups = model.securityGroups;
    this.entryPoints = model.entryPoints;
    this.failovers = model.failovers;
    this.findings = findingsOf(model);
  }

  /**
   * The topology as a mermaid flowchart (GitHub renders it in a ```mermaid block): subnets as
   * groups, instances and interfaces with their addresses, device indexes, security-group edges
   * labelled with ports, failover pairs (dashed to the standby), the ways in. Admin ports open to
   * the internet on an internet-facing interface are drawn in red.
   */
  public toMermaid(): string {
    return renderMermaid(this.model, this.findings);
  }

  /**
   * The topology as plain text: one row per network interface (stack, interface, subnet and its
   * kind, instance and device index, security groups, inbound ports with sources, addresses),
   * then the ways in, the failover pairs and the findings.
   */
  public toTable(options: TopologyTableOptions = {}): string {
    if (options.maxColumnWidth !== undefined && (!Number.isInteger(options.maxColumnWidth) || options.maxColumnWidth < 10)) {
      throw new Error(`maxColumnWidth must be an integer of at least 10 (got ${options.maxColumnWidth})`);
    }
    return renderTable(this.model, this.findings, options);
  }

  /**
   * The totals as plain text: one line per stack (resources, network interfaces, instances), then
   * the sums and the number of findings.
   */
  public toTotals(): string {
    return renderTotals(this.model, this.findings);
  }
}

function stackInput(artifact: cxapi.CloudFormationStackArtifact): StackInput {
  const env = artifact.environment;
  return {
    name: artifact.displayName,
    template: artifact.template,
    account: env.account === 'unknown-account' ? undefined : env.account,
    region: env.region === 'unknown-region' ? undefined : env.region,
  };
}
