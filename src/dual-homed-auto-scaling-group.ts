import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Annotations, ArnFormat, Aws, Duration, Fn, Names, Size, Stack, Token, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { DualHomedAutoScalingGroupProps } from './dual-homed-auto-scaling-group-props';
import { DualHomedOs } from './dual-homed-instance';
import { LAUNCH_HOOK_NAME, MGMT_ENV, MGMT_TAGS, renderSubnets, TERMINATE_HOOK_NAME } from './engine/management-interfaces/contract';
import { ManagementInterfacesFunction } from './engine/management-interfaces/management-interfaces-function';
import { adminPortsOpenToInternet, DEFAULT_ADMIN_PORTS, peerCidr } from './private/admin-ports';
import { groupArn, MANAGEMENT_DEVICE_INDEX, renderUserData } from './private/dual-homed-auto-scaling-group-render';
import { adminPortsOnPrimary, checkDuration, detectOperatingSystem, selectManagementSubnets, validateCapacity, validatePeersAndPorts } from './private/dual-homed-auto-scaling-group-validation';
import { checkEniCount } from './private/instance-limits-check';
import { isAnyAddress } from './private/ip';
import { acknowledgeEc2Wildcard, acknowledgeRuntime } from './private/nag';

export * from './dual-homed-auto-scaling-group-props';

/**
 * A multi-AZ Auto Scaling group of dual-homed instances: each instance's primary interface is in
 * the group's (public or application) subnets, and a management interface in the management
 * subnet of the instance's own Availability Zone is created and attached at device index 1 by a
 * level-triggered handler when the instance launches, and detached and deleted when it terminates.
 *
 * Launch and terminate lifecycle hooks hold each instance until the handler has done its part;
 * EventBridge delivers the lifecycle events to the handler, and a schedule runs it over the whole
 * group to delete orphans and repair instances whose event was lost. On the instance, a boot hook
 * restricts sshd to the loopback address before it serves any network; a service configures policy
 * routing and binds sshd to the management address whenever the interface arrives, then completes
 * the instance's launch lifecycle action.
 */
export class DualHomedAutoScalingGroup extends Construct implements ec2.IConnectable {
  /** The Auto Scaling group. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  /** The launch template of the group's instances (IMDSv2, encrypted root volume). */
  public readonly launchTemplate: ec2.LaunchTemplate;

  /** The management subnets, one per Availability Zone. */
  public readonly managementSubnets: ec2.ISubnet[];

  /** The security groups of the primary interfaces. */
  public readonly connections: ec2.Connections;

  /** The security groups of the management interfaces. */
  public readonly managementConnections: ec2.Connections;

  /** The instance role. */
  public readonly role: iam.IRole;

  /**
   * The user data (MIME multipart): a boot hook restricting sshd to the loopback address, then the
   * setup service (configures the management interface whenever it arrives, then completes the
   * launch lifecycle action) and `userDataCommands`. `addCommands` appends to the shell part.
   */
  public readonly userData: ec2.UserData;

  /** The handler that creates, attaches, detaches and deletes the management interfaces. */
  public readonly function: lambda.IFunction;

  /** Lifecycle events and runs the handler failed to process after retries. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** The topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;

  /** Alarms: handler errors, dead-lettered events, InService instances without a management interface. */
  public readonly alarms: cloudwatch.IAlarm[];

  /** The operating system the user data was written for. */
  public readonly operatingSystem: DualHomedOs;

  constructor(scope: Construct, id: string, props: DualHomedAutoScalingGroupProps) {
    super(scope, id);

    const checked = this.checkProps(props);
    const { publicSubnets, sshPort, managementPorts, capacity, launchTimeout, repairInterval } = checked;
    this.managementSubnets = checked.managementSubnets;
    this.operatingSystem = checked.operatingSystem;

    // Defaults.
    const { publicSecurityGroup, managementSecurityGroup, connections, managementConnections } = this.buildSecurityGroups(props, managementPorts);
    this.connections = connections;
    this.managementConnections = managementConnections;
    this.role = props.role ?? new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Instances of ${this.node.path}`.slice(0, 1000),
    });
    const alarmTopic = props.alarmTopic ?? new sns.Topic(this, 'AlarmTopic', {
      displayName: `${this.node.path} management interfaces`.slice(0, 100),
      enforceSSL: true,
    });
    if (!props.alarmTopic) {
      Validations.of(alarmTopic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason: 'Alarm notifications carry no data beyond alarm names; pass alarmTopic to use a topic encrypted with your key',
      });
    }
    this.alarmTopic = alarmTopic;

    // Build.
    // The stack name is part of the group name: the same stack deployed under two stack names in one
    // account and Region (one per environment) must not ask for one group name twice.
    // The stack name is joined at deploy time: one template deployed under two stack names in one
    // account and Region (one per environment) must not ask for one group name twice.
    const groupName = Fn.join('-', [Aws.STACK_NAME, Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })]);
    this.grantCompleteLaunch(props, this.role, groupName);
    this.userData = renderUserData(this.operatingSystem, sshPort, groupName, props.userDataCommands ?? []);
    this.launchTemplate = this.buildLaunchTemplate(props, this.operatingSystem, this.userData, this.role, publicSecurityGroup);

    const { fn, deadLetterQueue } = this.buildHandler(props, groupName, managementSecurityGroup);
    this.function = fn;
    this.deadLetterQueue = deadLetterQueue;

    this.autoScalingGroup = this.buildGroup(props, {
      publicSubnets,
      launchTemplate: this.launchTemplate,
      groupName,
      capacity,
      alarmTopic,
      launchTimeout,
    });
    this.buildTriggers(groupName, fn, deadLetterQueue, repairInterval);
    this.alarms = this.buildAlarms(fn, deadLetterQueue, alarmTopic, groupName, repairInterval);
  }

  /** Checks the props (throwing errors that name them) and resolves the values the constructor needs. */
  private checkProps(props: DualHomedAutoScalingGroupProps) {
    const publicSubnets = props.vpc.selectSubnets(props.publicSubnets).subnets;
    if (publicSubnets.length === 0) {
      throw new Error(`publicSubnets of ${this.node.path} selects no subnet: select the subnets the group launches into`);
    }
    const managementSubnets = selectManagementSubnets(this, props.vpc, props.managementSubnets, publicSubnets);
    const sshPort = props.sshPort ?? 22;
    if (!Token.isUnresolved(sshPort) && (!Number.isInteger(sshPort) || sshPort < 1 || sshPort > 65535)) {
      throw new Error(`sshPort ${sshPort} is not a TCP port: use an integer from 1 to 65535`);
    }
    const managementPorts = [ec2.Port.tcp(sshPort), ...(props.adminPorts ?? [])];
    validatePeersAndPorts(props, managementPorts);
    const capacity = validateCapacity(props);
    checkEniCount(this, props.instanceType.toString(), MANAGEMENT_DEVICE_INDEX + 1, `${this.node.path} (device indexes 0, ${MANAGEMENT_DEVICE_INDEX})`);
    const operatingSystem = props.operatingSystem ?? detectOperatingSystem(this, props.machineImage);
    if (props.machineImage.getImage(this).osType !== ec2.OperatingSystemType.LINUX) {
      throw new Error(`machineImage of ${this.node.path} is not a Linux image: DualHomedAutoScalingGroup configures Amazon Linux 2023 and Ubuntu 22.04/24.04 only`);
    }
    const launchTimeout = props.launchHookTimeout ?? Duration.minutes(10);
    checkDuration('launchHookTimeout', launchTimeout, 30, 7200, 'a lifecycle hook heartbeat is 30 seconds to 2 hours');
    const repairInterval = props.repairInterval ?? Duration.minutes(5);
    checkDuration('repairInterval', repairInterval, 60, 86400, 'the schedule runs every minute at most and once a day at least');
    if (!repairInterval.isUnresolved() && repairInterval.toSeconds() % 60 !== 0) {
      throw new Error(`repairInterval ${repairInterval.toHumanString()} is not allowed: use whole minutes (an EventBridge rate is in minutes), for example Duration.minutes(5)`);
    }
    if (props.managementPeers.length === 0) {
      Annotations.of(this).addWarningV2('cdk-eni-patterns:asg-no-management-peers',
        `managementPeers of ${this.node.path} is empty: the management interfaces admit SSH from nowhere until you add peers through managementConnections`);
    }
    return { publicSubnets, managementSubnets, sshPort, managementPorts, capacity, operatingSystem, launchTimeout, repairInterval };
  }

  /** The security groups of the primary and management interfaces, with their service and administration rules. */
  private buildSecurityGroups(props: DualHomedAutoScalingGroupProps, managementPorts: ec2.Port[]) {
    const publicSecurityGroup = props.publicSecurityGroup ?? new ec2.SecurityGroup(this, 'PublicSecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} primary interfaces: service ports`,
      allowAllOutbound: true,
    });
    const managementSecurityGroup = props.managementSecurityGroup ?? new ec2.SecurityGroup(this, 'ManagementSecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} management interfaces: SSH and admin ports`,
      allowAllOutbound: false,
    });
    const connections = new ec2.Connections({ securityGroups: [publicSecurityGroup] });
    const managementConnections = new ec2.Connections({ securityGroups: [managementSecurityGroup] });
    const servicePeers = props.servicePeers ?? [ec2.Peer.anyIpv4()];
    for (const port of props.servicePorts ?? []) {
      for (const peer of servicePeers) {
        connections.allowFrom(peer, port, 'Service port');
      }
    }
    if (!props.publicSecurityGroup && (props.servicePorts ?? []).length > 0 && servicePeers.some((p) => isAnyAddress(peerCidr(p) ?? ''))) {
      Validations.of(publicSecurityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'The primary interfaces serve the application to the internet on servicePorts only; SSH and admin ports on them are refused at synth',
      });
    }
    for (const port of managementPorts) {
      for (const peer of props.managementPeers) {
        managementConnections.allowFrom(peer, port, 'Administration from the management network');
      }
    }
    this.node.addValidation({
      validate: () => [
        ...adminPortsOnPrimary(publicSecurityGroup, [...managementPorts, ...DEFAULT_ADMIN_PORTS], this.node.path),
        ...adminPortsOpenToInternet([managementSecurityGroup], managementPorts, `${this.node.path} (management interfaces)`),
      ],
    });
    if (props.publicSecurityGroup && !(props.publicSecurityGroup.node.defaultChild instanceof ec2.CfnSecurityGroup)) {
      Annotations.of(this).addWarningV2('cdk-eni-patterns:asg-public-sg-unchecked',
        `publicSecurityGroup of ${this.node.path} is imported: its existing rules cannot be checked; make sure it admits no SSH or admin port (${managementPorts.map((p) => p.toString()).join(', ')}) from anywhere`);
    }
    return { publicSecurityGroup, managementSecurityGroup, connections, managementConnections };
  }

  /**
   * The instance completes its own launch lifecycle action once its operating system configured
   * the management interface (an instance role scoped to this group's ARN).
   */
  private grantCompleteLaunch(props: DualHomedAutoScalingGroupProps, role: iam.IRole, groupName: string): void {
    const granted = role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CompleteOwnLaunchAction',
      actions: ['autoscaling:CompleteLifecycleAction'],
      resources: [groupArn(this, groupName)],
    }));
    if (granted.statementAdded && !props.role) {
      role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
        [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${Token.isUnresolved(Stack.of(this).region) ? '<AWS::Region>' : Stack.of(this).region}:${Token.isUnresolved(Stack.of(this).account) ? '<AWS::AccountId>' : Stack.of(this).account}:autoScalingGroup:*:autoScalingGroupName/<AWS::StackName>-${Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })}]`]:
          'The group id in an Auto Scaling group ARN is unknown before the group exists; the name pins the group',
      });
    }
    if (!granted.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-eni-patterns:asg-instance-role',
        `role of ${this.node.path} is imported: grant it autoscaling:CompleteLifecycleAction on the group's ARN, or every launch waits launchHookTimeout before the launch hook's default result`);
    }
  }

  /** The launch template: IMDSv2 only, encrypted gp3 root volume, detailed monitoring. */
  private buildLaunchTemplate(
    props: DualHomedAutoScalingGroupProps, operatingSystem: DualHomedOs, userData: ec2.UserData, role: iam.IRole, securityGroup: ec2.ISecurityGroup,
  ): ec2.LaunchTemplate {
    return new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: props.instanceType,
      machineImage: props.machineImage,
      userData,
      role,
      securityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: props.rootDeviceName ?? (operatingSystem === DualHomedOs.AMAZON_LINUX_2023 ? '/dev/xvda' : '/dev/sda1'),
        volume: ec2.BlockDeviceVolume.ebs((props.rootVolumeSize ?? Size.gibibytes(16)).toGibibytes(), {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
        }),
      }],
    });

  }

  /** The group, launching from the template into the public subnets, with its lifecycle hooks from creation on. */
  private buildGroup(props: DualHomedAutoScalingGroupProps, parts: {
    publicSubnets: ec2.ISubnet[];
    launchTemplate: ec2.LaunchTemplate;
    groupName: string;
    capacity: { minCapacity: number; maxCapacity: number; desiredCapacity?: number };
    alarmTopic: sns.ITopic;
    launchTimeout: Duration;
  }): autoscaling.AutoScalingGroup {
    const { publicSubnets, launchTemplate, groupName, capacity, alarmTopic, launchTimeout } = parts;
    const group = new autoscaling.AutoScalingGroup(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: { subnets: publicSubnets },
      launchTemplate,
      autoScalingGroupName: groupName,
      ...capacity,
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(5) }),
      notifications: [{ topic: alarmTopic, scalingEvents: autoscaling.ScalingEvents.ERRORS }],
    });
    Validations.of(group).acknowledge({
      id: 'AwsSolutions-AS3',
      reason: 'Launch and terminate errors go to the alarm topic; routine launches and terminations would drown the alarms, and the handler reports each one in its logs and metrics',
    });
    // The hooks exist when the group is created, so its first instances wait for their interfaces too.
    const cfnGroup = group.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    cfnGroup.lifecycleHookSpecificationList = [
      {
        lifecycleHookName: LAUNCH_HOOK_NAME,
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        defaultResult: props.launchHookDefaultResult ?? autoscaling.DefaultResult.CONTINUE,
        heartbeatTimeout: launchTimeout.toSeconds(),
      },
      {
        lifecycleHookName: TERMINATE_HOOK_NAME,
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        defaultResult: autoscaling.DefaultResult.CONTINUE,
        heartbeatTimeout: 300,
      },
    ];
    return group;
  }

  /** The handler's role: every EC2 action limited to the group's tag, instances and management subnets. */
  private buildHandlerRole(groupName: string, managementSecurityGroup: ec2.ISecurityGroup): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Creates, attaches, detaches and deletes the management interfaces of ${this.node.path}`.slice(0, 1000),
    });
    const arn = (service: string, resource: string, resourceName: string) =>
      stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const interfaces = arn('ec2', 'network-interface', '*');
    const instances = arn('ec2', 'instance', '*');
    const subnetArns = this.managementSubnets.map((s) => arn('ec2', 'subnet', s.subnetId));
    const tagged = { StringEquals: { [`aws:ResourceTag/${MGMT_TAGS.GROUP}`]: groupName } };

    // Create: only in the management subnets, only with the management security group, only tagged.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CreateTaggedInterfaces',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [interfaces],
      conditions: {
        StringEquals: { [`aws:RequestTag/${MGMT_TAGS.GROUP}`]: groupName },
        ArnEquals: { 'ec2:Subnet': subnetArns },
      },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CreateInManagementSubnets',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [...subnetArns, arn('ec2', 'security-group', managementSecurityGroup.securityGroupId)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TagOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [interfaces],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkInterface' } },
    }));
    // Change and delete: only interfaces carrying the group tag, in the management subnets.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ChangeTaggedInterfaces',
      actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute'],
      resources: [interfaces],
      conditions: { ...tagged, ArnEquals: { 'ec2:Subnet': subnetArns } },
    }));
    // Attach and detach: only on the group's instances (Auto Scaling tags them with its name).
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'OnGroupInstances',
      actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute'],
      resources: [instances],
      conditions: { StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': groupName } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CompleteHooks',
      actions: ['autoscaling:CompleteLifecycleAction'],
      resources: [groupArn(this, groupName)],
    }));
    // Describe calls support no resource-level permissions.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'Describe',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingGroups'],
      resources: ['*'],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only DescribeNetworkInterfaces, DescribeInstances and DescribeAutoScalingGroups are on *: AWS supports no resource-level permissions for them',
    });
    acknowledgeEc2Wildcard(role, 'network-interface',
      'Interfaces are created at run time: creation requires the group tag in the request and the management subnets; every change requires the group tag on the interface and a management subnet');
    acknowledgeEc2Wildcard(role, 'instance',
      'Instances are launched by the group at run time: attach and detach are limited by the aws:autoscaling:groupName tag condition');
    role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:autoScalingGroup:*:autoScalingGroupName/<AWS::StackName>-${Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })}]`]:
        'The group id in an Auto Scaling group ARN is unknown before the group exists; the name pins the group',
    });
    return role;
  }

  private buildHandler(props: DualHomedAutoScalingGroupProps, groupName: string, managementSecurityGroup: ec2.ISecurityGroup) {
    const role = this.buildHandlerRole(groupName, managementSecurityGroup);
    const logGroup = new logs.LogGroup(this, 'HandlerLogGroup', { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    logGroup.grantWrite(role);
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the handler and of its EventBridge targets',
    });
    const zones = this.managementSubnets.map((s) => ({ az: s.availabilityZone, subnetId: s.subnetId }));
    const fn = new ManagementInterfacesFunction(this, 'Handler', {
      description: `Management interfaces of ${this.node.path}`.slice(0, 256),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      memorySize: 256,
      timeout: Duration.minutes(2),
      deadLetterQueue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      environment: {
        [MGMT_ENV.GROUP_NAME]: groupName,
        [MGMT_ENV.SUBNETS]: renderSubnets(zones),
        [MGMT_ENV.SECURITY_GROUPS]: managementSecurityGroup.securityGroupId,
        [MGMT_ENV.DEVICE_INDEX]: String(MANAGEMENT_DEVICE_INDEX),
        [MGMT_ENV.LAUNCH_HOOK]: LAUNCH_HOOK_NAME,
        [MGMT_ENV.TERMINATE_HOOK]: TERMINATE_HOOK_NAME,
        [MGMT_ENV.DEADLINE_SECONDS]: '90',
        [MGMT_ENV.ORPHAN_GRACE_SECONDS]: '900',
        [MGMT_ENV.DESCRIPTION]: `Management interface of ${this.node.path}`.slice(-255),
        // The instance completes its launch action once its operating system configured the interface.
        [MGMT_ENV.LAUNCH_COMPLETED_BY]: 'instance',
        POWERTOOLS_SERVICE_NAME: 'dual-homed-auto-scaling-group',
        POWERTOOLS_METRICS_NAMESPACE: 'DualHomedAutoScalingGroup',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    fn.node.addDependency(role);
    acknowledgeRuntime(fn);
    return { fn, deadLetterQueue };
  }

  private buildTriggers(groupName: string, fn: lambda.IFunction, deadLetterQueue: sqs.IQueue, repairInterval: Duration): void {
    const target = () => new targets.LambdaFunction(fn, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(1) });
    const lifecycle = new events.Rule(this, 'LifecycleRule', {
      description: `Lifecycle actions of ${this.node.path}: create or delete the management interface`.slice(0, 512),
      eventPattern: {
        source: ['aws.autoscaling'],
        detailType: ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
        detail: { AutoScalingGroupName: [groupName], LifecycleHookName: [LAUNCH_HOOK_NAME, TERMINATE_HOOK_NAME] },
      },
      targets: [target()],
    });
    const repair = new events.Rule(this, 'RepairSchedule', {
      description: `Reconcile the management interfaces of ${this.node.path}: delete orphans, repair missed hooks`.slice(0, 512),
      schedule: events.Schedule.rate(repairInterval),
      targets: [target()],
    });
    // The rule and its target exist before the group launches its first instance.
    this.autoScalingGroup.node.addDependency(lifecycle, repair, fn);
  }

  private buildAlarms(
    fn: lambda.IFunction, deadLetterQueue: sqs.IQueue, topic: sns.ITopic, groupName: string, repairInterval: Duration,
  ): cloudwatch.IAlarm[] {
    // Three scheduled runs: an instance is counted by whole-group runs only, once per repairInterval.
    const unmanagedPeriod = repairInterval.isUnresolved()
      ? Duration.minutes(15)
      : Duration.minutes(Math.max(3 * repairInterval.toMinutes(), 1));
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric) => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new cw_actions.SnsAction(topic));
      return a;
    };
    return [
      alarm('ErrorsAlarm', `The management-interface handler of ${this.node.path} failed: instances may be without their management interface (see its logs)`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })),
      alarm('DeadLetterQueueAlarm', `Events of ${this.node.path} that the handler could not process are in the dead-letter queue`,
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM })),
      alarm('UnmanagedInstancesAlarm', `InService instances of ${this.node.path} have had no management interface in every scheduled run for ${unmanagedPeriod.toHumanString()}`,
        new cloudwatch.Metric({
          namespace: 'DualHomedAutoScalingGroup',
          metricName: 'InstancesWithoutManagementInterface',
          dimensionsMap: { service: 'dual-homed-auto-scaling-group', AutoScalingGroupName: groupName },
          period: unmanagedPeriod,
          statistic: cloudwatch.Stats.MINIMUM,
        })),
    ];
  }
}
