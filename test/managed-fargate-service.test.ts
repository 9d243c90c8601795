import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { cfnLintStacks, nagFindings } from './compliance';
import { testApp, testStack, testVpc } from './util';
import { ManagedFargateService, ManagedFargateServiceProps } from '../src';

interface Fixture {
  stack: Stack;
  vpc: ec2.Vpc;
  taskDefinition: ecs.FargateTaskDefinition;
}

function fixture(stack: Stack = testStack(), withContainer = true): Fixture {
  const vpc = testVpc(stack, 'Vpc', { flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  if (withContainer) {
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 8080 }, { containerPort: 9090 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
    });
  }
  return { stack, vpc, taskDefinition };
}

interface Built {
  f: Fixture;
  service: ManagedFargateService;
  template: Template;
}

function build(props: Partial<ManagedFargateServiceProps> = {}, f: Fixture = fixture()): Built {
  const service = new ManagedFargateService(f.stack, 'Web', {
    vpc: f.vpc,
    applicationSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    taskDefinition: f.taskDefinition,
    managementPeers: [ec2.Peer.ipv4('10.99.0.0/16')],
    adminPorts: [ec2.Port.tcp(9090)],
    ...props,
  });
  return { f, service, template: Template.fromStack(f.stack) };
}

const TASK_SG = { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebSecurityGroup'), 'GroupId'] };
const LB_SG = { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebLoadBalancerSecurityGroup'), 'GroupId'] };

describe('ManagedFargateService', () => {
  test('task network interfaces go to the application subnets, never with a public IP, and ECS Exec is on', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      EnableExecuteCommand: true,
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
          SecurityGroups: [TASK_SG],
        },
      },
      LoadBalancers: [{ ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebTargetGroup') } }],
    });
  });

  test('the task role can open the ECS Exec channels', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TaskTaskRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
          Resource: '*',
        })]),
      },
    });
  });

  test('the tasks admit only the management peers on admin ports and the load balancer on the service port', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^TestStack/Web tasks'),
      SecurityGroupIngress: [{ CidrIp: '10.99.0.0/16', FromPort: 9090, ToPort: 9090, IpProtocol: 'tcp', Description: 'admin access from the management network' }],
    });
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress');
    expect(Object.values(ingress).map((r) => r.Properties)).toEqual([
      expect.objectContaining({ FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp' }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: TASK_SG, SourceSecurityGroupId: LB_SG, FromPort: 8080 });
  });

  test('a management security group works as a peer', () => {
    const f = fixture();
    const mgmt = new ec2.SecurityGroup(f.stack, 'Mgmt', { vpc: f.vpc });
    const { template } = build({ managementPeers: [mgmt], adminPorts: [ec2.Port.tcp(9090)] }, f);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: TASK_SG,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mgmt'), 'GroupId'] },
      FromPort: 9090,
    });
  });

  test('without admin ports the tasks admit the load balancer only', () => {
    const { template } = build({ managementPeers: undefined, adminPorts: undefined });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^TestStack/Web tasks'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('a new internet-facing load balancer in the public subnets writes access logs, listening on HTTP 80 with a warning', () => {
    const { template, f } = build();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPublicSubnet2') }],
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Web load balancer',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80 })],
    });
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('plain HTTP \\(port 80\\)'));
  });

  test('a certificate gives an HTTPS listener on 443 and a redirect from 80', () => {
    const f = fixture();
    const cert = acm.Certificate.fromCertificateArn(f.stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const { template } = build({ certificate: elbv2.ListenerCertificate.fromCertificateManager(cert) }, f);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
      SslPolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })],
    });
    Annotations.fromStack(f.stack).hasNoWarning('/TestStack/Web', Match.anyValue());
  });

  test('loadBalancerPeers restrict who reaches the listener', () => {
    const { template } = build({ loadBalancerPeers: [ec2.Peer.ipv4('198.51.100.0/24')] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Web load balancer',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '198.51.100.0/24', FromPort: 80 })],
    });
  });

  test('an existing listener gets a rule with the given priority and conditions, and no new load balancer', () => {
    const f = fixture();
    const lb = new elbv2.ApplicationLoadBalancer(f.stack, 'SharedLb', { vpc: f.vpc, internetFacing: false, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const listener = lb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const { template, service } = build({ listener, listenerPriority: 10, listenerConditions: [elbv2.ListenerCondition.pathPatterns(['/app/*'])] }, f);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/app/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebTargetGroup') } }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: TASK_SG,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SharedLbSecurityGroup'), 'GroupId'] },
      FromPort: 8080,
    });
    expect(service.loadBalancer).toBeUndefined();
    expect(service.listener).toBe(listener);
  });

  test('an existing load balancer gets a listener forwarding to the service', () => {
    const f = fixture();
    const lb = new elbv2.ApplicationLoadBalancer(f.stack, 'SharedLb', { vpc: f.vpc, internetFacing: true });
    const { template, service } = build({ loadBalancer: lb }, f);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^SharedLb') },
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebTargetGroup') } }],
    });
    expect(service.loadBalancer).toBe(lb);
  });

  test('an explicit service port, cluster and desired count are used', () => {
    const f = fixture();
    const cluster = new ecs.Cluster(f.stack, 'Shared', { vpc: f.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const { template, service } = build({ servicePort: 9090, cluster, desiredCount: 3, adminPorts: [ec2.Port.tcp(8080)] }, f);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Service', {
      Cluster: { Ref: Match.stringLikeRegexp('^Shared') },
      DesiredCount: 3,
      LoadBalancers: [Match.objectLike({ ContainerPort: 9090 })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 9090, TargetType: 'ip' });
    expect(service.servicePort).toBe(9090);
  });

  test('a new cluster has Container Insights on', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('in a stack without a Region the load balancer writes no access logs, with a warning', () => {
    const f = fixture(new Stack(testApp(), 'Agnostic'));
    const { template } = build({}, f);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    Annotations.fromStack(f.stack).hasWarning('/Agnostic/Web', Match.stringLikeRegexp('writes no access logs'));
  });

  test.each<[string, (f: Fixture) => Partial<ManagedFargateServiceProps>, string | RegExp]>([
    ['public subnets selected by type', () => ({ applicationSubnets: { subnetType: ec2.SubnetType.PUBLIC } }),
      /^applicationSubnets includes TestStack\/Vpc\/PublicSubnet1, a public subnet \(route TestStack\/Vpc\/PublicSubnet1\/DefaultRoute goes to an internet gateway\): Fargate tasks of this service get no public IP and must run in private subnets/],
    ['a public subnet picked by hand', (f) => ({ applicationSubnets: { subnets: [f.vpc.isolatedSubnets[0], f.vpc.isolatedSubnets[1], f.vpc.publicSubnets[1]] } }),
      /^applicationSubnets includes TestStack\/Vpc\/PublicSubnet2, a public subnet/],
    ['an isolated subnet someone routed to the internet gateway', (f) => {
      const subnet = f.vpc.isolatedSubnets[0];
      new ec2.CfnRoute(f.stack, 'Leak', { routeTableId: subnet.routeTable.routeTableId, destinationCidrBlock: '0.0.0.0/0', gatewayId: f.vpc.internetGatewayId });
      return {};
    }, 'applicationSubnets includes TestStack/Vpc/PrivateSubnet1, a public subnet (route TestStack/Leak goes to an internet gateway)'],
    ['an imported public subnet with a literal igw route', (f) => {
      const subnet = ec2.Subnet.fromSubnetAttributes(f.stack, 'Imported', { subnetId: 'subnet-0abc', routeTableId: 'rtb-0abc', availabilityZone: 'eu-west-1a' });
      new ec2.CfnRoute(f.stack, 'ToIgw', { routeTableId: 'rtb-0abc', destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-0123' });
      return { applicationSubnets: { subnets: [subnet] } };
    }, 'applicationSubnets includes subnet-0abc, a public subnet (route TestStack/ToIgw goes to an internet gateway)'],
    ['an empty selection', () => ({ applicationSubnets: { subnets: [] } }),
      'applicationSubnets {} selects no subnet of the VPC: select the private application subnets'],
    ['a management peer of 0.0.0.0/0', () => ({ managementPeers: [ec2.Peer.anyIpv4()] }),
      "managementPeers includes 0.0.0.0/0: admin ports are never opened to the whole internet; pass the management network's CIDRs or security group (ManagementNetwork.managementPeers)"],
    ['a management peer of ::/0', () => ({ managementPeers: [ec2.Peer.ipv4('10.99.0.0/16'), ec2.Peer.anyIpv6()] }),
      'managementPeers includes ::/0: admin ports are never opened to the whole internet'],
    ['admin ports without peers', () => ({ managementPeers: [], adminPorts: [ec2.Port.tcp(22), ec2.Port.tcp(9090)] }),
      'adminPorts [22, 9090] are given but managementPeers is empty: pass the peers that may reach them, or drop adminPorts'],
    ['both a listener and a load balancer', (f) => {
      const lb = new elbv2.ApplicationLoadBalancer(f.stack, 'Lb', { vpc: f.vpc });
      return { loadBalancer: lb, listener: lb.addListener('L', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) }) };
    }, 'listener and loadBalancer are exclusive: pass an existing listener, or a load balancer to add a listener to, not both'],
    ['a listener priority without a listener', () => ({ listenerPriority: 5 }),
      'listenerPriority 5 needs an existing listener: pass listener, or drop listenerPriority'],
    ['a listener priority without conditions', (f) => {
      const lb = new elbv2.ApplicationLoadBalancer(f.stack, 'Lb', { vpc: f.vpc });
      return { listener: lb.addListener('L', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) }), listenerPriority: 5 };
    }, 'listenerPriority 5 needs listenerConditions: a listener rule matches on at least one condition (path, host, header)'],
    ['a service port the container does not map', () => ({ servicePort: 3000 }),
      "servicePort 3000 is not mapped by the default container 'web' (mapped: 8080, 9090): add the port mapping or choose a mapped port"],
  ])('%s is an error', (_name, props, message) => {
    const f = fixture();
    expect(() => build(props(f), f)).toThrow(message);
  });

  test('a task definition without a container is an error', () => {
    const f = fixture(testStack(), false);
    expect(() => build({}, f)).toThrow('taskDefinition TestStack/Task has no container: add one with a port mapping before creating the service');
  });

  test('a container without a port mapping is an error', () => {
    const f = fixture(testStack(), false);
    f.taskDefinition.addContainer('worker', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable') });
    expect(() => build({}, f)).toThrow("the default container 'worker' of TestStack/Task has no port mapping: add portMappings: [{ containerPort }] or pass servicePort");
  });

  test('has no cdk-nag finding and the template is cfn-lint clean', () => {
    const { f } = build();
    expect(nagFindings(f.stack)).toEqual([]);
    expect(cfnLintStacks(f.stack)).toEqual('');
  });
});
