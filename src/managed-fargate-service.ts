import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { peerCidr } from './private/admin-ports';
import { subnetName } from './private/introspect';
import { isAnyAddress } from './private/ip';
import { internetGatewayRoutesOf, subnetIsPublic } from './private/routes';

/**
 * Properties of a {@link ManagedFargateService}.
 */
export interface ManagedFargateServiceProps {
  /** The VPC of the service, for example `ManagementNetwork.vpc`. */
  readonly vpc: ec2.IVpc;

  /**
   * The private subnets the tasks' network interfaces are placed in, for example
   * `{ subnets: managementNetwork.applicationSubnets.subnets }`. Subnets with a route to an
   * internet gateway are refused: tasks never get a public IP address. The tasks reach ECR, the
   * logs endpoint and (for ECS Exec) Systems Manager through a NAT device or VPC endpoints.
   */
  readonly applicationSubnets: ec2.SubnetSelection;

  /**
   * The task definition. Its default container (the first essential one) receives the traffic
   * of the load balancer.
   */
  readonly taskDefinition: ecs.FargateTaskDefinition;

  /**
   * The container port the load balancer forwards to.
   *
   * @default - the first port mapping of the task definition's default container
   */
  readonly servicePort?: number;

  /**
   * The cluster to run the service in.
   *
   * @default - a new cluster in `vpc` with Container Insights
   */
  readonly cluster?: ecs.ICluster;

  /**
   * How many tasks run.
   *
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * Peers of the management network that may reach the tasks on `adminPorts`, for example
   * `ManagementNetwork.managementPeers`. The whole internet (`0.0.0.0/0`, `::/0`) is refused.
   *
   * @default - none
   */
  readonly managementPeers?: ec2.IPeer[];

  /**
   * Ports of the tasks that the management peers may reach (metrics, debug or admin endpoints).
   * ECS Exec needs no inbound port.
   *
   * @default - none
   */
  readonly adminPorts?: ec2.Port[];

  /**
   * An existing listener to put the service behind (a rule with `listenerPriority` and
   * `listenerConditions`, or the listener's default action). Exclusive with `loadBalancer`.
   *
   * @default - a new Application Load Balancer in `publicSubnets`
   */
  readonly listener?: elbv2.IApplicationListener;

  /**
   * The priority of the listener rule on an existing `listener`.
   *
   * @default - the service becomes the listener's default action (needs no conditions)
   */
  readonly listenerPriority?: number;

  /**
   * The conditions of the listener rule on an existing `listener`; required with `listenerPriority`.
   *
   * @default - none
   */
  readonly listenerConditions?: elbv2.ListenerCondition[];

  /**
   * An existing Application Load Balancer to add a listener to. Exclusive with `listener`.
   *
   * @default - a new Application Load Balancer in `publicSubnets`
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;

  /**
   * The subnets of the new load balancer (ignored with `listener` or `loadBalancer`).
   *
   * @default - the VPC's public subnets
   */
  readonly publicSubnets?: ec2.SubnetSelection;

  /**
   * Who may reach the new load balancer's listener (ignored with `listener`).
   *
   * @default - any IPv4 address
   */
  readonly loadBalancerPeers?: ec2.IPeer[];

  /**
   * A certificate for an HTTPS listener on port 443 (ignored with `listener`). Plain HTTP on
   * port 80 then redirects to HTTPS.
   *
   * @default - an HTTP listener on port 80, with a warning
   */
  readonly certificate?: elbv2.IListenerCertificate;

  /**
   * The bucket the new load balancer writes access logs to (SSE-S3 encrypted; KMS is not
   * supported by Elastic Load Balancing).
   *
   * @default - a new bucket when the stack's Region is known; no access logs (with a warning) otherwise
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * The health check of the target group.
   *
   * @default - HTTP GET / on the service port, healthy on 200-399
   */
  readonly healthCheck?: elbv2.HealthCheck;
}

/**
 * An ECS Fargate service placed the way a management network expects: task network interfaces
 * in private application subnets with no public IP, a security group that admits only the load
 * balancer on the service port and the management peers on the admin ports, ECS Exec enabled
 * (with the task role permissions it needs), behind an Application Load Balancer in the public
 * subnets or an existing one.
 *
 * Fargate task network interfaces are managed by ECS: they cannot take an Elastic IP or a fixed
 * private IP address. A stable inbound address is the load balancer's; a stable outbound address
 * is a NAT device's Elastic IP.
 */
export class ManagedFargateService extends Construct {
  /** The ECS service. */
  public readonly service: ecs.FargateService;

  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;

  /** The security group of the tasks. */
  public readonly securityGroup: ec2.ISecurityGroup;

  /** The target group the load balancer sends the service's traffic to. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;

  /** The listener in front of the service. */
  public readonly listener: elbv2.IApplicationListener;

  /**
   * The load balancer in front of the service.
   *
   * @default - unknown when an existing `listener` was given
   */
  public readonly loadBalancer?: elbv2.IApplicationLoadBalancer;

  /** The container port the load balancer forwards to. */
  public readonly servicePort: number;

  /** The tasks' security groups, for further rules. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: ManagedFargateServiceProps) {
    super(scope, id);

    const subnets = props.vpc.selectSubnets(props.applicationSubnets);
    validateApplicationSubnets(props.vpc, subnets.subnets, props.applicationSubnets);
    const adminPorts = props.adminPorts ?? [];
    const peers = props.managementPeers ?? [];
    validateManagementAccess(peers, adminPorts);
    if (props.listener && props.loadBalancer) {
      throw new Error('listener and loadBalancer are exclusive: pass an existing listener, or a load balancer to add a listener to, not both');
    }
    if (props.listenerPriority !== undefined && !props.listener) {
      throw new Error(`listenerPriority ${props.listenerPriority} needs an existing listener: pass listener, or drop listenerPriority`);
    }
    if (props.listenerPriority !== undefined && (props.listenerConditions ?? []).length === 0) {
      throw new Error(`listenerPriority ${props.listenerPriority} needs listenerConditions: a listener rule matches on at least one condition (path, host, header)`);
    }
    const container = props.taskDefinition.defaultContainer;
    if (!container) {
      throw new Error(`taskDefinition ${props.taskDefinition.node.path} has no container: add one with a port mapping before creating the service`);
    }
    const servicePort = props.servicePort ?? container.portMappings[0]?.containerPort;
    if (servicePort === undefined) {
      throw new Error(`the default container '${container.containerName}' of ${props.taskDefinition.node.path} has no port mapping: add portMappings: [{ containerPort }] or pass servicePort`);
    }
    if (!container.portMappings.some((m) => m.containerPort === servicePort)) {
      throw new Error(`servicePort ${servicePort} is not mapped by the default container '${container.containerName}' (mapped: ${container.portMappings.map((m) => m.containerPort).join(', ') || 'none'}): add the port mapping or choose a mapped port`);
    }
    this.servicePort = servicePort;

    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} tasks: load balancer on the service port, management peers on admin ports`,
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Resource', {
      cluster: this.cluster,
      taskDefinition: props.taskDefinition,
      desiredCount: props.desiredCount ?? 2,
      vpcSubnets: { subnets: subnets.subnets },
      assignPublicIp: false,
      securityGroups: [this.securityGroup],
      enableExecuteCommand: true,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
    });
    this.connections = this.service.connections;
    // ECS Exec: the task role needs the ssmmessages channel actions, which AWS only grants on '*'.
    Validations.of(props.taskDefinition.taskRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ECS Exec needs ssmmessages:CreateControlChannel/CreateDataChannel/OpenControlChannel/OpenDataChannel, which support no resource-level permissions (only "*")',
    });

    for (const peer of peers) {
      for (const port of adminPorts) {
        this.connections.allowFrom(peer, port, 'admin access from the management network');
      }
    }

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: servicePort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      healthCheck: props.healthCheck ?? { path: '/', healthyHttpCodes: '200-399', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    this.targetGroup.addTarget(this.service.loadBalancerTarget({ containerName: container.containerName, containerPort: servicePort }));

    if (props.listener) {
      this.listener = props.listener;
      props.listener.addTargetGroups('Service', {
        targetGroups: [this.targetGroup],
        priority: props.listenerPriority,
        conditions: props.listenerConditions,
      });
    } else {
      const lb = props.loadBalancer ?? this.newLoadBalancer(props);
      this.loadBalancer = lb;
      this.listener = this.addListener(lb, props);
    }
  }

  private newLoadBalancer(props: ManagedFargateServiceProps): elbv2.ApplicationLoadBalancer {
    const lbSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} load balancer`,
      allowAllOutbound: false,
    });
    const lb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: props.publicSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: lbSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    const bucket = props.accessLogBucket ?? this.newAccessLogBucket();
    if (bucket) {
      lb.logAccessLogs(bucket, 'alb');
    } else {
      Annotations.of(this).addWarningV2('cdk-eni-patterns:alb-access-logs-off',
        'the stack has no Region, which Elastic Load Balancing access logs need: the load balancer writes no access logs; give the stack an env or pass accessLogBucket');
    }
    return lb;
  }

  private newAccessLogBucket(): s3.IBucket | undefined {
    if (Token.isUnresolved(Stack.of(this).region)) {
      return undefined;
    }
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the load balancer access logs; logging access to the log bucket itself would need yet another bucket',
    });
    return bucket;
  }

  private addListener(lb: elbv2.IApplicationLoadBalancer, props: ManagedFargateServiceProps): elbv2.IApplicationListener {
    const peers = props.loadBalancerPeers ?? [ec2.Peer.anyIpv4()];
    const port = props.certificate ? 443 : 80;
    const listener = lb.addListener('Listener', {
      port,
      protocol: props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: props.certificate ? [props.certificate] : undefined,
      sslPolicy: props.certificate ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      defaultTargetGroups: [this.targetGroup],
      open: false,
    });
    for (const peer of peers) {
      lb.connections.allowFrom(peer, ec2.Port.tcp(port), `clients of ${this.node.path}`);
    }
    if (props.certificate) {
      lb.addListener('Redirect', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ port: '443', protocol: elbv2.ApplicationProtocol.HTTPS, permanent: true }),
      });
      for (const peer of peers) {
        lb.connections.allowFrom(peer, ec2.Port.tcp(80), `clients of ${this.node.path} (redirect to HTTPS)`);
      }
    } else {
      Annotations.of(this).addWarningV2('cdk-eni-patterns:plain-http-listener',
        'the load balancer listens on plain HTTP (port 80): pass certificate for HTTPS on 443');
    }
    if (peers.some((p) => isAnyAddress(peerCidr(p) ?? ''))) {
      for (const sg of lb.connections.securityGroups) {
        Validations.of(sg).acknowledge({
          id: 'AwsSolutions-EC23',
          reason: 'An internet-facing load balancer admits its listener ports from anywhere by design; the tasks behind it admit only the load balancer and the management network',
        });
      }
    }
    return listener;
  }
}


function validateApplicationSubnets(vpc: ec2.IVpc, subnets: ec2.ISubnet[], selection: ec2.SubnetSelection): void {
  if (subnets.length === 0) {
    throw new Error(`applicationSubnets ${JSON.stringify(selection, (k, v) => (k === 'subnets' ? undefined : v))} selects no subnet of the VPC: select the private application subnets, e.g. { subnets: managementNetwork.applicationSubnets.subnets }`);
  }
  for (const subnet of subnets) {
    if (subnetIsPublic(vpc, subnet)) {
      const [route] = internetGatewayRoutesOf(subnet);
      throw new Error(`applicationSubnets includes ${subnetName(subnet)}, a public subnet (${route ? `route ${route.path} goes to an internet gateway` : 'the VPC lists it as public'}): Fargate tasks of this service get no public IP and must run in private subnets; select the application subnets and reach the internet through a NAT device or VPC endpoints`);
    }
  }
}

function validateManagementAccess(peers: ec2.IPeer[], adminPorts: ec2.Port[]): void {
  for (const peer of peers) {
    const cidr = peerCidr(peer);
    if (cidr && isAnyAddress(cidr)) {
      throw new Error(`managementPeers includes ${cidr}: admin ports are never opened to the whole internet; pass the management network's CIDRs or security group (ManagementNetwork.managementPeers)`);
    }
  }
  if (adminPorts.length > 0 && peers.length === 0) {
    throw new Error(`adminPorts [${adminPorts.map((p) => p.toString()).join(', ')}] are given but managementPeers is empty: pass the peers that may reach them, or drop adminPorts`);
  }
}
