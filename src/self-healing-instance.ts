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
import { Annotations, ArnFormat, Aws, Duration, Fn, Names, Stack, Token, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { DualHomedOs } from './dual-homed-instance';
import { ENV } from './engine/contract';
import { AssociatedElasticIp, INetworkInterface, NetworkInterface } from './network-interface';
import { createAlarmTopic, subscribeEmails } from './private/alarm-topic';
import { checkReservedConcurrency, ENGINE_FUNCTION_ID, EngineFunction } from './private/engine-function';
import { floatingUserData } from './private/floating-interface';
import { checkEniCount } from './private/instance-limits-check';
import { knownSubnetAz, selectExactlyOneSubnet, subnetName } from './private/introspect';
import { acknowledgeEc2Wildcard } from './private/nag';

/** The device index the static interface is attached at on every instance of the group. */
const DEVICE_INDEX = 1;

/**
 * Properties of a {@link SelfHealingInstance}.
 */
export interface SelfHealingInstanceProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /**
   * The one subnet of the Auto Scaling group and of the static network interface (an interface
   * can only be attached in its own Availability Zone, so the group is confined to it).
   *
   * @default - the VPC's default (private) subnet in its first Availability Zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** The instance type. */
  readonly instanceType: ec2.InstanceType;

  /**
   * The machine image. Needs no AWS CLI: the interface is attached from outside the instance.
   *
   * @default - none: required unless `launchTemplate` is given (the template names the image)
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * User data of every instance the group launches.
   *
   * @default - none
   */
  readonly userData?: ec2.UserData;

  /**
   * The operating system of the machine image. When set, every instance's user data gets the
   * configuration that gives the static interface its address and policy routing when it is
   * attached after boot (on Ubuntu a udev rule and a systemd unit; on Amazon Linux 2023 a check
   * that amazon-ec2-net-utils, which does it, is installed); `userData` is created when not given.
   *
   * User data runs once, at an instance's first boot: setting this on a deployed
   * `SelfHealingInstance` changes the launch template only, and the running instance stays
   * unconfigured until it is replaced (terminate it, or let the next replacement happen).
   *
   * @default - nothing is added: the image must configure a hot-attached interface itself (Amazon
   * Linux 2023 does through amazon-ec2-net-utils; Ubuntu does not)
   */
  readonly operatingSystem?: DualHomedOs;

  /**
   * The IAM role of the instances. Give at most one of `role` and `instanceProfile`.
   *
   * @default - a new role with no permissions
   */
  readonly role?: iam.IRole;

  /**
   * The instance profile of the instances (for example one shared with other instances).
   *
   * @default - a new instance profile for `role`
   */
  readonly instanceProfile?: iam.IInstanceProfile;

  /**
   * A launch template of your own for the group, instead of the one the construct builds. It then
   * carries the image, user data, role or profile, security groups and volumes, so `machineImage`,
   * `userData`, `role`, `instanceProfile`, `securityGroup` and `rootDeviceName` are refused with it.
   * `instanceType` must be the template's type (it is checked for two network interfaces). The
   * template must not set network interfaces at device index 1, where the static interface goes.
   *
   * @default - a launch template with IMDSv2 required, an encrypted gp3 root volume and detailed monitoring
   */
  readonly launchTemplate?: ec2.ILaunchTemplate;

  /**
   * The security group of the instances' primary interfaces.
   *
   * @default - a new security group with no inbound rule and all outbound traffic
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * The static network interface every replacement receives. It must be in the group's subnet
   * and must not be attached with `attachToInstance()`.
   *
   * @default - a new interface in the group's subnet
   */
  readonly networkInterface?: INetworkInterface;

  /**
   * A fixed private IPv4 address for the new static interface. Ignored with `networkInterface`.
   *
   * @default - AWS assigns an address from the subnet
   */
  readonly privateIpAddress?: string;

  /**
   * Whether the new static interface gets an Elastic IP. Ignored with `networkInterface`.
   *
   * @default false
   */
  readonly elasticIp?: boolean;

  /**
   * How long Auto Scaling waits after a launch before it checks the instance's health.
   *
   * @default Duration.minutes(5)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * The topic the alarms raised when a replacement did not get its interface (`alarms`) notify.
   * A topic given here also receives the group's launch, termination and failure notifications.
   *
   * @default - a new topic, encrypted with a new KMS key that CloudWatch alarms may use
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Email addresses to subscribe to `topic`. Each address must confirm the subscription.
   *
   * @default - no email subscription
   */
  readonly alarmEmails?: string[];

  /**
   * Reserved concurrency of the attach function. Nothing is reserved by default: an account whose
   * concurrency quota is 10 (new accounts) cannot reserve any, and the engine re-reads the state
   * before every action, so runs may overlap.
   *
   * @default - no reservation
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * The device name of the image's root volume, which is created encrypted (gp3, 8 GiB or the
   * image's size, whichever the image asks for). Amazon Linux uses `/dev/xvda`, Ubuntu `/dev/sda1`.
   *
   * @default '/dev/xvda'
   */
  readonly rootDeviceName?: string;

  /**
   * Retention of the attach function's logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * An Auto Scaling group of exactly one instance whose every replacement receives the same
 * static network interface (and so the same private IP and Elastic IP).
 *
 * When the group launches an instance, the `EC2 Instance Launch Successful` event invokes the
 * failover engine's reconcile Lambda with `{ action: 'move', to: <new instance> }`; the engine
 * detaches the interface from the old instance if it still holds it and attaches it to the new
 * one at device index 1. Nothing runs on the instance, so the image needs no AWS CLI. The group
 * is confined to the interface's subnet, since an interface only attaches in its own
 * Availability Zone.
 */
export class SelfHealingInstance extends Construct implements ec2.IConnectable {
  /** The Auto Scaling group (min = max = desired = 1). */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  /** The static network interface. */
  public readonly networkInterface: INetworkInterface;

  /**
   * The Elastic IP of the static interface.
   *
   * @default - none
   */
  public readonly elasticIp?: AssociatedElasticIp;

  /** The function that attaches the interface to each new instance (the failover engine). */
  public readonly function: lambda.IFunction;

  /** The rule that sends the group's launch events to the function. */
  public readonly launchRule: events.Rule;

  /** Launch events that could not be delivered to the function, or that it failed to process after retries. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** Alarms on failed attachments: function errors and dead-lettered events. */
  public readonly alarms: cloudwatch.IAlarm[];

  /** The topic the alarms notify: `notificationTopic`, or the one created. */
  public readonly topic: sns.ITopic;

  /** The security groups of the static interface. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: SelfHealingInstanceProps) {
    super(scope, id);

    const adopted = props.networkInterface;
    if (adopted && (props.privateIpAddress !== undefined || props.elasticIp !== undefined)) {
      const given = [props.privateIpAddress !== undefined ? 'privateIpAddress' : undefined, props.elasticIp !== undefined ? 'elasticIp' : undefined].filter(Boolean).join(', ');
      throw new Error(`${given} ${given.includes(',') ? 'apply' : 'applies'} to the interface SelfHealingInstance creates, but networkInterface ${adopted.node.path} is given: configure the adopted interface itself`);
    }
    const subnet = this.selectSubnet(props);
    const az = knownSubnetAz(subnet);
    if (adopted) {
      const eniAz = adopted.availabilityZone && !Token.isUnresolved(adopted.availabilityZone) ? adopted.availabilityZone : undefined;
      if (eniAz && az && eniAz !== az) {
        throw new Error(`networkInterface ${adopted.node.path} is in ${eniAz} but vpcSubnets selects ${subnetName(subnet)} in ${az}: the group's instances must be in the interface's Availability Zone to receive it; select a subnet in ${eniAz}`);
      }
      if (adopted instanceof NetworkInterface && adopted.node.tryFindChild('Attachment')) {
        throw new Error(`networkInterface ${adopted.node.path} is attached statically with attachToInstance(): every replacement instance must be able to take it; remove the attachToInstance() call`);
      }
    }
    validateLaunchSettings(this, props);
    if (props.launchTemplate) {
      checkOwnLaunchTemplate(this, props.launchTemplate);
    }
    checkEniCount(this, props.instanceType.toString(), DEVICE_INDEX + 1, `${this.node.path} (device indexes 0, ${DEVICE_INDEX})`);

    const eni = adopted ?? new NetworkInterface(this, 'NetworkInterface', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [subnet] },
      privateIpAddress: props.privateIpAddress,
      elasticIps: props.elasticIp ? [{}] : undefined,
      description: `Static network interface of ${this.node.path}`.slice(0, 255),
    });
    this.networkInterface = eni;
    this.connections = eni.connections;
    this.elasticIp = eni instanceof NetworkInterface ? eni.elasticIps[0] : undefined;

    // The group has a fixed name so the launch rule can match it before the group launches anything.
    // It starts with the stack's name: the same stack deployed under two names in one account and
    // Region gets two groups (a construct path alone would collide). At most 128 + 1 + 100 = 229
    // characters, within the group name's 255.
    const groupName = Fn.join('-', [Aws.STACK_NAME, Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })]);

    const launchTemplate = props.launchTemplate ?? new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: props.instanceType,
      machineImage: props.machineImage,
      userData: floatingUserData(props.userData, props.operatingSystem, eni.networkInterfaceId),
      role: props.role,
      instanceProfile: props.instanceProfile,
      securityGroup: props.securityGroup ?? new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
        vpc: props.vpc,
        description: `${this.node.path} instances (primary interfaces)`,
        allowAllOutbound: true,
      }),
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: props.rootDeviceName ?? '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });

    this.topic = props.notificationTopic ?? createAlarmTopic(this, 'Self-healing instance', 'alarm topic');
    subscribeEmails(this.topic, props.alarmEmails, 'alarmEmails');
    const engine = this.addEngine(eni, groupName, props);
    this.function = engine.function;
    this.deadLetterQueue = engine.deadLetterQueue;
    this.alarms = engine.alarms;
    this.launchRule = renderLaunchRule(this, groupName, engine);

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [subnet] },
      launchTemplate,
      minCapacity: 1,
      maxCapacity: 1,
      desiredCapacity: 1,
      autoScalingGroupName: groupName,
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: props.healthCheckGracePeriod ?? Duration.minutes(5) }),
      notifications: props.notificationTopic ? [{ topic: props.notificationTopic }] : undefined,
    });
    if (!props.notificationTopic) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: 'AwsSolutions-AS3',
        reason: 'Replacements are expected here; what matters is whether the new instance got its interface, which the ErrorsAlarm and DeadLetterQueueAlarm report to the topic. Pass notificationTopic for Auto Scaling notifications',
      });
    }
    // The rule and its target must exist before the group launches its first instance.
    this.autoScalingGroup.node.addDependency(this.launchRule, engine.function);
    // The engine function's id `Default` would otherwise compete with the group as default child.
    this.node.defaultChild = this.autoScalingGroup;
  }

  /**
   * The failover engine in self-healing mode: the candidates are the group's instances, named by
   * launch events.
   */
  private addEngine(eni: INetworkInterface, groupName: string, props: SelfHealingInstanceProps): EngineFunction {
    checkReservedConcurrency(props.reservedConcurrentExecutions, 'reservedConcurrentExecutions');
    const engine = new EngineFunction(this, ENGINE_FUNCTION_ID, {
      roleDescription: `Attaches the static network interface of ${this.node.path} to its instances`,
      description: `Attaches the static network interface of ${this.node.path} to each new instance`,
      environment: {
        [ENV.ENI_ID]: eni.networkInterfaceId,
        [ENV.AUTOSCALING_GROUP_NAME]: groupName,
        [ENV.DEVICE_INDEX]: String(DEVICE_INDEX),
        [ENV.DEADLINE_SECONDS]: '120',
        POWERTOOLS_SERVICE_NAME: 'self-healing-instance',
        POWERTOOLS_METRICS_NAMESPACE: 'EniFailover',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      timeout: Duration.minutes(3),
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // No schedule repairs a missed launch here: retry twice, for as long as the rule itself does.
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      alarmAction: new cw_actions.SnsAction(this.topic),
      errorsAlarmDescription: `The attach function of ${this.node.path} failed: the new instance may be without its static interface (see the function's logs)`,
      deadLetterAlarmDescription: `Launch events of ${this.node.path} that could not be processed are in the dead-letter queue`,
    });
    grantAttachToGroup(engine.role, eni, groupName);
    return engine;
  }

  private selectSubnet(props: SelfHealingInstanceProps): ec2.ISubnet {
    if (!props.vpcSubnets && props.networkInterface instanceof NetworkInterface) {
      return props.networkInterface.subnet;
    }
    const selection = props.vpcSubnets ?? { availabilityZones: [props.vpc.availabilityZones[0]] };
    return selectExactlyOneSubnet(this, props.vpc, selection, {
      prop: 'vpcSubnets',
      why: 'the group is confined to the static interface\'s subnet; select one with { subnets: [subnet] } or add availabilityZones: [\'<az>\']',
    });
  }
}

function validateLaunchSettings(scope: Construct, props: SelfHealingInstanceProps): void {
  if (props.launchTemplate) {
    const given = (['machineImage', 'userData', 'operatingSystem', 'role', 'instanceProfile', 'securityGroup', 'rootDeviceName'] as const)
      .filter((k) => props[k] !== undefined);
    if (given.length > 0) {
      throw new Error(`${given.join(', ')} of ${scope.node.path} ${given.length > 1 ? 'are' : 'is'} set together with launchTemplate ${props.launchTemplate.node.path}: the template carries the instances' settings; put them in the template or drop launchTemplate`);
    }
    return;
  }
  if (!props.machineImage) {
    throw new Error(`machineImage of ${scope.node.path} is missing: give the instances' image, or a launchTemplate that names one`);
  }
  if (props.role && props.instanceProfile) {
    throw new Error(`role and instanceProfile of ${scope.node.path} are both given: the instance profile carries the role; give only instanceProfile, or only role (a profile is created for it)`);
  }
}

/**
 * The safe defaults the construct's own template has, required of a template of the user's: an
 * in-app template is read after aspects ran (`requireImdsv2` is an aspect), at validation; an
 * imported one cannot be read and gets a warning.
 */
function checkOwnLaunchTemplate(scope: Construct, launchTemplate: ec2.ILaunchTemplate): void {
  const cfn = launchTemplate.node.defaultChild;
  if (!(cfn instanceof ec2.CfnLaunchTemplate)) {
    Annotations.of(scope).addWarningV2('cdk-eni-patterns:self-healing-template-unchecked',
      `launchTemplate ${launchTemplate.node.path} is imported, so its settings cannot be checked at synth: make sure it names an image and an instance type, requires IMDSv2 (HttpTokens required), encrypts its volumes and has no network interface at device index ${DEVICE_INDEX} (the static interface's)`);
    return;
  }
  scope.node.addValidation({
    validate: () => {
      const data = (Stack.of(scope).resolve(cfn.launchTemplateData) ?? {}) as Record<string, any>;
      const where = `launchTemplate ${launchTemplate.node.path} of ${scope.node.path}`;
      const errors: string[] = [];
      for (const [key, what] of [['imageId', 'an image (machineImage)'], ['instanceType', 'an instance type (instanceType)']] as const) {
        if (data[key] === undefined) errors.push(`${where} has no ${key}: the group launches from the template alone; give it ${what}`);
      }
      const tokens = data.metadataOptions?.httpTokens;
      if (tokens !== 'required') {
        errors.push(`${where} has HttpTokens ${tokens === undefined ? 'unset' : JSON.stringify(tokens)}: the instances must require IMDSv2; set requireImdsv2: true or httpTokens: HttpTokens.REQUIRED`);
      }
      for (const device of (data.blockDeviceMappings ?? []) as any[]) {
        if (device.ebs && device.ebs.encrypted !== true && device.ebs.snapshotId === undefined) {
          errors.push(`${where} has an unencrypted volume ${device.deviceName}: create it with BlockDeviceVolume.ebs(size, { encrypted: true })`);
        }
      }
      for (const nic of (data.networkInterfaces ?? []) as any[]) {
        if (Number(nic.deviceIndex) === DEVICE_INDEX) {
          errors.push(`${where} has a network interface at device index ${DEVICE_INDEX}: that index is the static interface's, attached to each new instance; remove it from the template`);
        }
      }
      return errors;
    },
  });
}

/**
 * Attach and detach on the interface, and on the instances of the group: their ids are unknown at
 * deploy time, so any instance that carries the group's tag.
 */
function grantAttachToGroup(role: iam.Role, eni: INetworkInterface, groupName: string): void {
  const actions = ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'];
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [eni.networkInterfaceArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions,
    resources: [Stack.of(role).formatArn({ service: 'ec2', resource: 'instance', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    conditions: { StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': groupName } },
  }));
  acknowledgeEc2Wildcard(role, 'instance',
    'The group launches instances whose ids are unknown at deploy time: attach and detach on instances are limited by the aws:autoscaling:groupName tag condition');
}

/**
 * The group's launch events invoke the engine with a forced move to the new instance. Events the
 * rule cannot deliver go to the engine's dead-letter queue too.
 */
function renderLaunchRule(scope: Construct, groupName: string, engine: EngineFunction): events.Rule {
  return new events.Rule(scope, 'LaunchRule', {
    description: `Launches of the group of ${scope.node.path}: attach the static network interface`.slice(0, 512),
    eventPattern: {
      source: ['aws.autoscaling'],
      detailType: ['EC2 Instance Launch Successful'],
      detail: { AutoScalingGroupName: [groupName] },
    },
    targets: [new targets.LambdaFunction(engine.function, {
      // A new instance's status checks are still initializing: the group has launched it, so force.
      event: events.RuleTargetInput.fromObject({ action: 'move', to: events.EventField.fromPath('$.detail.EC2InstanceId'), force: true }),
      deadLetterQueue: engine.deadLetterQueue,
      retryAttempts: 8,
      maxEventAge: Duration.hours(1),
    })],
  });
}
