import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, DescribeStackEventsCommand, ListStackResourcesCommand, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { AssociateAddressCommand, DescribeAddressesCommand, DescribeImagesCommand, DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client, NetworkInterface as MotoEni } from '@aws-sdk/client-ec2';
import { buildExampleApp } from '../../examples/app';
import { Moto, startMoto } from '../engine/moto';

// Every example stack is created in moto_server's CloudFormation (an emulator on 127.0.0.1 the
// test starts and stops; nothing leaves the machine), each one TWICE under two stack names in one
// account and Region: an explicit physical name (EC2 launch template names, which moto refuses to
// duplicate, roles, groups...) fails the second creation. Then the EC2 state moto built is checked
// against what each example promises: interfaces in the intended subnets, both interfaces of a
// dual-homed instance in one zone with a security group each, Elastic IPs on the intended private
// addresses, routes that target interfaces.
//
// What is changed before creation, and why (moto needs the template; nothing is uploaded):
// - Lambda functions and custom resources are removed, with whatever refers to them: their code
//   is an asset in the bootstrap bucket (not uploaded here) and moto runs Lambda only in Docker.
//   The handlers have their own tests (test/failover/*.lambda.test.ts, the moto engine test).
// - SSM image parameters become plain parameters set to an image moto has (moto reserves /aws/).
// - The bootstrap version parameter and its rule are removed (no bootstrap stack in moto).
// - Inline all-traffic rules get FromPort/ToPort -1 (moto reads both; AWS accepts either form).
// - `Fn::GetAtt <EIP>.PublicIp` becomes `Ref <EIP>` (the same address; moto lacks the attribute).
// - `Fn::GetAtt <Alarm>.Arn` (in IAM policies: cloudwatch:DescribeAlarms on the trigger's alarms)
//   becomes an alarm ARN of the logical id: moto's CloudFormation skips alarms (UNDEPLOYED) and
//   refuses a GetAtt of a skipped resource.
// Replayed after creation, because moto's CloudFormation skips the type (see UNDEPLOYED):
// - AWS::EC2::EIPAssociation: the test calls AssociateAddress with the template's own allocation,
//   interface and private address; moto checks the address belongs to the interface.

/** Types in the examples moto's CloudFormation does not create, and what covers them instead. */
export const UNDEPLOYED: Record<string, string> = {
  'AWS::EC2::EIPAssociation': 'replayed by this test with AssociateAddress (allocation, interface and private address from the template)',
  'AWS::EC2::SecurityGroupEgress': 'unit tests of each construct assert the egress rules (test/*.test.ts); cfn-lint in test/compliance.ts',
  'AWS::EC2::SecurityGroupIngress': 'unit tests of each construct assert the ingress rules; the topology reader draws them (test/topology.test.ts)',
  'AWS::EC2::NetworkAcl': 'test/management-network.test.ts asserts the rules; cfn-lint',
  'AWS::EC2::NetworkAclEntry': 'test/management-network.test.ts',
  'AWS::EC2::SubnetNetworkAclAssociation': 'test/management-network.test.ts',
  'AWS::EC2::VPNGateway': 'test/management-access.test.ts',
  'AWS::EC2::VPNGatewayRoutePropagation': 'test/management-access.test.ts',
  'AWS::EC2::CustomerGateway': 'test/management-access.test.ts',
  'AWS::EC2::VPNConnection': 'test/management-access.test.ts',
  'AWS::EC2::InstanceConnectEndpoint': 'test/management-access.test.ts',
  'AWS::CloudWatch::Alarm': 'test/deploy/safe-defaults.test.ts (every alarm notifies a topic); the failover trigger tests',
  'AWS::Route53::HealthCheck': 'test/dns-failover.test.ts',
  'AWS::EC2::FlowLog': 'test/management-network.test.ts; cdk-nag VPC7 in the example app test',
  'AWS::ECS::Service': 'test/managed-fargate-service.test.ts',
  'AWS::S3::BucketPolicy': 'cdk-nag S10 (TLS only) in the example app test',
  'AWS::ElasticLoadBalancingV2::Listener': 'test/managed-fargate-service.test.ts; the dual-homed example unit test',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'test/managed-fargate-service.test.ts',
  'AWS::SNS::TopicPolicy': 'test/failover/eni-failover.test.ts',
  'AWS::SQS::QueuePolicy': 'test/failover/eni-failover.test.ts',
  'AWS::KMS::Key': 'test/failover/eni-failover.test.ts',
  'AWS::AutoScaling::ScalingPolicy': 'test/dual-homed-auto-scaling-group.example.test.ts asserts the target-tracking policy of examples/dual-homed-asg.ts (scaleOnCpuUtilization) and cfn-lints the stack',
  'AWS::EC2::NetworkInterfaceAttachment': 'test/network-interface.test.ts (synth-time checks); attaching on moto\'s EC2 API: test/failover/engine.moto.test.ts',
};

/** Types removed before creation (with everything that refers to them), and what covers them. */
export const REMOVED: Record<string, string> = {
  'AWS::Lambda::Function': 'code assets are not uploaded; handlers: test/failover/*.lambda.test.ts, engine.moto.test.ts',
  'Custom::EniFailoverPlacement': 'runs the reconcile Lambda; its effect (attachment) is covered by engine.moto.test.ts',
  'Custom::VpcRestrictDefaultSG': 'aws-cdk-lib\'s handler; presence asserted by test/management-network.test.ts',
};

const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

let moto: Moto;
let cfn: CloudFormationClient;
let ec2: EC2Client;
let outdir: string;
const created: Array<{ stackName: string; template: any; resources: StackResourceSummary[]; skipped: string[] }> = [];

const referencesOf = (value: unknown, out = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) {
    value.forEach((v) => referencesOf(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {out.add(v);} else if (k === 'Fn::GetAtt' && Array.isArray(v)) {out.add(String(v[0]));} else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) out.add(m[1]);
        referencesOf(v, out);
      } else {referencesOf(v, out);}
    }
  }
  return out;
};

/** The template moto can take (see the header), and the types removed from it. */
function forMoto(template: any, imageId: string): { body: any; parameters: Array<{ ParameterKey: string; ParameterValue: string }> } {
  const t = JSON.parse(JSON.stringify(template));
  delete t.Rules;
  delete t.Parameters?.BootstrapVersion;
  const parameters = [];
  for (const [name, p] of Object.entries<any>(t.Parameters ?? {})) {
    if (/^AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>$/.test(p.Type)) {
      t.Parameters[name] = { Type: 'String' };
      parameters.push({ ParameterKey: name, ParameterValue: imageId });
    }
  }
  const removed = new Set(Object.entries<any>(t.Resources).filter(([, r]) => r.Type in REMOVED || r.Type.startsWith('Custom::')).map(([id]) => id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, r] of Object.entries<any>(t.Resources)) {
      if (removed.has(id)) continue;
      if ([...referencesOf(r.Properties)].some((ref) => removed.has(ref))) {
        removed.add(id);
        grew = true;
      }
    }
  }
  for (const id of removed) delete t.Resources[id];
  // moto cannot Fn::GetAtt an EIP's PublicIp; an EIP's Ref is the same address.
  const eips = new Set(Object.entries<any>(t.Resources).filter(([, r]) => r.Type === 'AWS::EC2::EIP').map(([id]) => id));
  const alarms = new Set(Object.entries<any>(t.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([id]) => id));
  const rewrite = (value: any): any => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      const att = value['Fn::GetAtt'];
      if (Array.isArray(att) && att[1] === 'PublicIp' && eips.has(att[0])) return { Ref: att[0] };
      if (Array.isArray(att) && att[1] === 'Arn' && alarms.has(att[0])) return { 'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${att[0]}` };
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    }
    return value;
  };
  t.Resources = rewrite(t.Resources);
  // moto reads FromPort/ToPort of every inline rule; AWS takes -1 for "all" as well as no ports.
  for (const r of Object.values<any>(t.Resources)) {
    if (r.Type !== 'AWS::EC2::SecurityGroup') continue;
    for (const rule of [...(r.Properties.SecurityGroupIngress ?? []), ...(r.Properties.SecurityGroupEgress ?? [])]) {
      rule.FromPort ??= -1;
      rule.ToPort ??= -1;
    }
  }
  t.Outputs = rewrite(t.Outputs ?? {});
  for (const r of Object.values<any>(t.Resources)) {
    if (r.DependsOn) r.DependsOn = [r.DependsOn].flat().filter((d: string) => !removed.has(d));
  }
  for (const [name, o] of Object.entries<any>(t.Outputs ?? {})) {
    if ([...referencesOf(o)].some((ref) => removed.has(ref))) delete t.Outputs[name];
  }
  return { body: t, parameters };
}

async function createStack(stackName: string, template: any, imageId: string): Promise<StackResourceSummary[]> {
  const { body, parameters } = forMoto(template, imageId);
  await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(body), Parameters: parameters, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }));
  // moto creates synchronously; a bounded poll keeps this right if that ever changes.
  for (let i = 0; i < 50; i++) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
    if (stack.StackStatus === 'CREATE_COMPLETE') break;
    if (!stack.StackStatus?.endsWith('IN_PROGRESS')) {
      const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }))).StackEvents ?? [];
      throw new Error(`${stackName}: ${stack.StackStatus}: ${events.filter((e) => e.ResourceStatusReason).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`).join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const resources: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
    resources.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return resources;
}

beforeAll(async () => {
  moto = await startMoto();
  // One attempt: a retried CreateStack would hide moto's first answer behind AlreadyExists.
  const config = { endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
  cfn = new CloudFormationClient(config);
  ec2 = new EC2Client(config);
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-eni-deploy-'));
  const assembly = buildExampleApp(outdir).synth();
  const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
  for (const copy of ['', 'Again']) {
    for (const stack of assembly.stacks) {
      const stackName = `${stack.stackName}${copy}`;
      const resources = await createStack(stackName, stack.template, imageId);
      const kept = forMoto(stack.template, imageId).body.Resources;
      const listed = new Set(resources.map((r) => r.LogicalResourceId));
      const skipped = Object.keys(kept).filter((id) => !listed.has(id)).map((id) => kept[id].Type as string);
      created.push({ stackName, template: kept, resources, skipped });
    }
  }
}, 240_000);

afterAll(async () => {
  await moto?.stop();
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

const physical = (stack: typeof created[number], logicalId: string) =>
  stack.resources.find((r) => r.LogicalResourceId === logicalId)?.PhysicalResourceId;
const refOf = (value: any): string | undefined => (value && typeof value === 'object' && typeof value.Ref === 'string' ? value.Ref : undefined);
const ofType = (stack: typeof created[number], type: string) => Object.entries<any>(stack.template).filter(([, r]) => r.Type === type);

async function eni(id: string): Promise<MotoEni> {
  const found = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces ?? [];
  expect(found).toHaveLength(1);
  return found[0];
}

describe('the example stacks, created in moto\'s CloudFormation', () => {
  test('every example stack is created twice in one account and Region (no clashing physical names)', () => {
    expect(created.length).toBeGreaterThanOrEqual(16);
    expect(created.map((c) => c.stackName)).toContain('RoutingApplianceExampleAgain');
  });

  test('moto refuses a second launch template of a name, so the test above can fail', async () => {
    // What RoutingAppliance rendered before (requireImdsv2 under default feature flags).
    const named = { Resources: { T: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateName: 'InstanceLaunchTemplate', LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } } } } } };
    await createStack('NamedTemplateOne', named, 'ami-unused');
    await expect(createStack('NamedTemplateTwo', named, 'ami-unused')).rejects.toThrow();
  });

  test('every type moto does not create is listed with what covers it instead', () => {
    const unlisted = [...new Set(created.flatMap((c) => c.skipped))].filter((t) => !(t in UNDEPLOYED)).sort();
    expect(unlisted).toEqual([]);
  });

  test('every network interface is in the subnet its template names', async () => {
    let checked = 0;
    for (const stack of created) {
      for (const [id, r] of ofType(stack, 'AWS::EC2::NetworkInterface')) {
        const motoEni = await eni(physical(stack, id)!);
        expect(motoEni.SubnetId).toBe(physical(stack, refOf(r.Properties.SubnetId)!));
        if (typeof r.Properties.PrivateIpAddress === 'string') {
          expect(motoEni.PrivateIpAddress).toBe(r.Properties.PrivateIpAddress);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  test('each dual-homed instance has two interfaces in one zone, in different subnets, with a security group each', async () => {
    let hosts = 0;
    for (const stack of created) {
      for (const [, r] of ofType(stack, 'AWS::EC2::Instance')) {
        const nics: any[] = r.Properties.NetworkInterfaces ?? [];
        if (nics.length !== 2) continue;
        hosts++;
        const [pub, mgmt] = await Promise.all(nics.map((n) => eni(physical(stack, refOf(n.NetworkInterfaceId)!)!)));
        expect(pub.AvailabilityZone).toBe(mgmt.AvailabilityZone);
        expect(pub.SubnetId).not.toBe(mgmt.SubnetId);
        // moto drops GroupSet from its interface model: the template's groups are resolved and
        // checked to exist in the interface's VPC, and to differ between the two interfaces.
        const groupsOf = (n: any) => {
          const logical = refOf(n.NetworkInterfaceId)!;
          const set = stack.template[logical].Properties.GroupSet as any[];
          return set.map((g) => physical(stack, g['Fn::GetAtt']?.[0] ?? refOf(g))!).filter(Boolean);
        };
        const [pubGroups, mgmtGroups] = nics.map(groupsOf);
        expect(pubGroups.length).toBeGreaterThanOrEqual(1);
        expect(mgmtGroups.length).toBeGreaterThanOrEqual(1);
        expect(pubGroups.filter((g) => mgmtGroups.includes(g))).toEqual([]);
        const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...pubGroups, ...mgmtGroups] }))).SecurityGroups ?? [];
        expect(groups.map((g) => g.VpcId)).toEqual(groups.map(() => pub.VpcId));
      }
    }
    // DualHomedExample: a host and a fleet of two; ManagementNetworkExample: a web server. Twice each.
    expect(hosts).toBe(8);
  });

  test('Elastic IPs associate with the intended private addresses', async () => {
    let associations = 0;
    for (const stack of created) {
      for (const [, r] of ofType(stack, 'AWS::EC2::EIPAssociation')) {
        const p = r.Properties;
        const eniId = physical(stack, refOf(p.NetworkInterfaceId)!)!;
        const motoEni = await eni(eniId);
        const eipLogical = p.AllocationId['Fn::GetAtt'][0];
        const publicIp = physical(stack, eipLogical)!;
        const address = (await ec2.send(new DescribeAddressesCommand({ PublicIps: [publicIp] }))).Addresses![0];
        // The private address is the interface's primary, or a literal secondary the template fixed.
        const privateIp = typeof p.PrivateIpAddress === 'string' ? p.PrivateIpAddress : motoEni.PrivateIpAddress;
        expect(motoEni.PrivateIpAddresses?.map((a) => a.PrivateIpAddress)).toContain(privateIp);
        await ec2.send(new AssociateAddressCommand({ AllocationId: address.AllocationId, NetworkInterfaceId: eniId, PrivateIpAddress: privateIp }));
        const after = (await ec2.send(new DescribeAddressesCommand({ PublicIps: [publicIp] }))).Addresses![0];
        expect(after.NetworkInterfaceId).toBe(eniId);
        expect(after.PrivateIpAddress).toBe(privateIp);
        associations++;
      }
    }
    expect(associations).toBeGreaterThan(5);
    // The self-healing example fixes its interface's address: its Elastic IP lands on 10.60.0.10,
    // in both copies of the stack. (moto ignores the PrivateIpAddresses list the network interface
    // example uses for 10.10.0.10/11; test/network-interface.test.ts asserts that rendering.)
    const fixed = (await ec2.send(new DescribeAddressesCommand({}))).Addresses!.filter((a) => a.PrivateIpAddress === '10.60.0.10');
    expect(fixed).toHaveLength(2);
  });

  test('the routing appliance\'s routes target its forwarding interface', async () => {
    for (const stackName of ['RoutingApplianceExample', 'RoutingApplianceExampleAgain']) {
      const stack = created.find((c) => c.stackName === stackName)!;
      const [eniLogical] = ofType(stack, 'AWS::EC2::NetworkInterface').map(([id]) => id);
      const eniId = physical(stack, eniLogical)!;
      const routeTables = ofType(stack, 'AWS::EC2::Route').filter(([, r]) => refOf(r.Properties.NetworkInterfaceId) === eniLogical)
        .map(([, r]) => physical(stack, refOf(r.Properties.RouteTableId)!)!);
      expect(routeTables).toHaveLength(2);
      const tables = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: routeTables }))).RouteTables ?? [];
      for (const table of tables) {
        expect(table.Routes).toEqual(expect.arrayContaining([expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: eniId })]));
      }
      // The routed tables are the private subnets'; the interface sits in a public subnet.
      const tableIds = ofType(stack, 'AWS::EC2::Route').filter(([, r]) => refOf(r.Properties.NetworkInterfaceId) === eniLogical)
        .map(([, r]) => refOf(r.Properties.RouteTableId)!);
      expect(tableIds.every((id) => /PrivateSubnet\d+RouteTable/.test(id))).toBe(true);
      const [subnet] = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [(await eni(eniId)).SubnetId!] }))).Subnets ?? [];
      expect(subnet.SubnetId).toBe(physical(stack, ofType(stack, 'AWS::EC2::Subnet').find(([id]) => /PublicSubnet1/.test(id))![0]));
    }
  });
});
