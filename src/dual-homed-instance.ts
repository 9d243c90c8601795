import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, CfnParameter, Lazy, Reference, Resource, Size, Stack, Token, Tokenization } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';
import { NetworkInterface } from './network-interface';
import { peerCidr, portsOverlap, ruleJson } from './private/admin-ports';
import { claimDeviceIndex } from './private/device-indexes';
import { DualHomedOsFlavour, renderUserDataCommands } from './private/dual-homed-user-data';
import { checkEniCount, checkIpv4PerEni } from './private/instance-limits-check';
import { knownSubnetAz, knownSubnetIpv4Cidr, selectExactlyOneSubnet, subnetName, subnetZoneKey } from './private/introspect';
import { isAnyAddress } from './private/ip';

/**
 * The operating systems whose network configuration a {@link DualHomedInstance} writes.
 */
export enum DualHomedOs {
  /**
   * Amazon Linux 2023: policy routing by amazon-ec2-net-utils (verified at boot), sshd bound to the
   * management address.
   */
  AMAZON_LINUX_2023 = 'AMAZON_LINUX_2023',
  /**
   * Ubuntu 22.04 LTS: policy routing by cloud-init where it renders it, otherwise by a netplan file;
   * sshd bound to the management address.
   */
  UBUNTU_22_04 = 'UBUNTU_22_04',
  /**
   * Ubuntu 24.04 LTS: as Ubuntu 22.04, and sshd is moved from socket activation (`ssh.socket`) to
   * `ssh.service` so that binding the management address cannot fail at boot.
   */
  UBUNTU_24_04 = 'UBUNTU_24_04',
}

/**
 * Options shared by {@link DualHomedInstance} and {@link DualHomedFleet}.
 */
export interface DualHomedInstanceOptions {
  /** The VPC of both subnets. */
  readonly vpc: ec2.IVpc;

  /**
   * The public subnet of the primary interface (device index 0, service traffic). A subnet with a
   * route to an internet gateway. For a single instance the selection must resolve to one subnet
   * (or to one per Availability Zone together with `availabilityZone`).
   */
  readonly publicSubnet: ec2.SubnetSelection;

  /**
   * The management subnet of the secondary interface (device index 1, administration). A private
   * subnet in the same Availability Zone as the public one.
   */
  readonly managementSubnet: ec2.SubnetSelection;

  /** The instance type; it must support at least two network interfaces. */
  readonly instanceType: ec2.InstanceType;

  /**
   * The machine image: Amazon Linux 2023, Ubuntu 22.04 or Ubuntu 24.04 (see `operatingSystem`).
   */
  readonly machineImage: ec2.IMachineImage;

  /**
   * Where SSH and the admin ports are admitted from on the management interface: the management
   * network's CIDRs, prefix lists or security groups (for example `ManagementNetwork.managementPeers`).
   * `0.0.0.0/0` and `::/0` are refused. An empty list leaves the management interface closed
   * (administration through Session Manager only).
   */
  readonly managementPeers: ec2.IPeer[];

  /**
   * The ports the application serves on the public interface.
   *
   * @default - none: the public interface admits nothing until ports are added through `connections`
   */
  readonly servicePorts?: ec2.Port[];

  /**
   * Where the service ports are admitted from.
   *
   * @default - [ec2.Peer.anyIpv4()]
   */
  readonly servicePeers?: ec2.IPeer[];

  /**
   * The TCP port of SSH: sshd listens on it on the management address only, and the management
   * security group admits it from `managementPeers`.
   *
   * @default 22
   */
  readonly sshPort?: number;

  /**
   * Further administration ports admitted from `managementPeers` on the management interface
   * (for example a metrics exporter or a web console). None of them may also be a service port.
   *
   * @default - none: SSH only
   */
  readonly adminPorts?: ec2.Port[];

  /**
   * Whether an Elastic IP is associated with the public interface's primary address. It is the
   * only public IPv4 the instance gets: AWS does not assign an automatic public IP to an instance
   * launched with more than one network interface.
   *
   * @default true
   */
  readonly elasticIp?: boolean;

  /**
   * How many secondary private IPv4 addresses the public interface gets (for example one per TLS
   * site). Checked against the instance type's limit of addresses per interface.
   *
   * @default 0
   */
  readonly secondaryPublicAddressCount?: number;

  /**
   * Whether the public interface's security group created by default allows all outbound traffic.
   * The management security group created by default allows no outbound traffic (replies to
   * inbound connections are always allowed).
   *
   * @default true
   */
  readonly allowAllOutbound?: boolean;

  /**
   * The security group of the public interface; rules for `servicePorts` are added to it.
   *
   * @default - a new security group
   */
  readonly publicSecurityGroup?: ec2.ISecurityGroup;

  /**
   * The security group of the management interface; rules for SSH and `adminPorts` are added to it.
   *
   * @default - a new security group with no outbound rule
   */
  readonly managementSecurityGroup?: ec2.ISecurityGroup;

  /**
   * The operating system the user data configures.
   *
   * @default - detected from the machine image's SSM parameter name (`latestAmazonLinux2023()`,
   * `fromSsmParameter('/aws/service/canonical/ubuntu/server/24.04/...')`); an error when it cannot
   * be detected
   */
  readonly operatingSystem?: DualHomedOs;

  /**
   * The instance role. Give at most one of `role` and `instanceProfile`.
   *
   * @default - a new role assumable by EC2 (a fleet creates one for all its instances)
   */
  readonly role?: iam.IRole;

  /**
   * Whether the instance can be reached through Session Manager (adds the AWS managed policy
   * `AmazonSSMManagedInstanceCore` to the role). The SSM agent reaches AWS through the public
   * interface.
   *
   * @default false
   */
  readonly ssmManagedInstance?: boolean;

  /**
   * Whether CloudWatch detailed (1-minute) monitoring is enabled.
   *
   * @default false
   */
  readonly detailedMonitoring?: boolean;

  /**
   * Whether the instance is protected against termination through the API.
   *
   * @default false
   */
  readonly terminationProtection?: boolean;

  /**
   * The key pair for SSH.
   *
   * @default - no key pair: use Session Manager or EC2 Instance Connect
   */
  readonly keyPair?: ec2.IKeyPair;

  /**
   * The size of the encrypted gp3 root volume.
   *
   * @default Size.gibibytes(16)
   */
  readonly rootVolumeSize?: Size;

  /**
   * Commands run by the user data after the network configuration. More can be added later
   * through `userData.addCommands()`.
   *
   * @default - none
   */
  readonly userDataCommands?: string[];

  /**
   * The instance profile of the instance (its `role` is the instance role). Give either `role` or
   * `instanceProfile`. The profile must carry its role: import one with
   * `iam.InstanceProfile.fromInstanceProfileAttributes({ instanceProfileArn, role })`.
   *
   * @default - a new instance profile for `role` (a fleet shares one profile between its instances)
   */
  readonly instanceProfile?: iam.IInstanceProfile;

  /**
   * A launch template the instance is launched from, for settings this construct does not expose
   * (placement group, capacity reservation, tenancy, tags...). The construct's own settings
   * (network interfaces, image, type, user data, root volume, IMDSv2, profile) take precedence;
   * a template defined in this app must not set network interfaces or security groups, which the
   * construct's two interfaces own.
   *
   * @default - no launch template
   */
  readonly launchTemplate?: ec2.ILaunchTemplate;
}

/**
 * Properties of a {@link DualHomedInstance}.
 */
export interface DualHomedInstanceProps extends DualHomedInstanceOptions {
  /**
   * The Availability Zone of the instance, used to pick one subnet from each selection when the
   * selections span several zones.
   *
   * @default - the zone of the selected subnets, which must be the same for both
   */
  readonly availabilityZone?: string;
}

/**
 * An EC2 instance connected to two subnets: a public interface (device index 0) for the
 * application and a management interface (device index 1) that is the only way to administer it.
 * Each interface has its own security group, so the security groups are the firewall between the
 * two networks; the operating system routes replies out of the interface they arrived on and
 * binds sshd to the management address only.
 *
 * The construct is itself an `ec2.IInstance`; `instance` is the underlying `ec2.Instance` for APIs
 * that need the concrete class (for example `elbv2-targets.InstanceTarget`).
 */
export class DualHomedInstance extends Resource implements ec2.IInstance {
  /** The underlying instance, launched with both network interfaces. */
  public readonly instance: ec2.Instance;

  /** The primary interface (device index 0) in the public subnet. */
  public readonly publicInterface: NetworkInterface;

  /** The secondary interface (device index 1) in the management subnet. */
  public readonly managementInterface: NetworkInterface;

  /** The security groups of the public interface. */
  public readonly connections: ec2.Connections;

  /** The security groups of the management interface. */
  public readonly managementConnections: ec2.Connections;

  /** The instance role. */
  public readonly role: iam.IRole;

  /** The principal of the instance role. */
  public readonly grantPrincipal: iam.IPrincipal;

  /** The user data: the network configuration, then `userDataCommands`. */
  public readonly userData: ec2.UserData;

  /** The operating system the user data was written for. */
  public readonly operatingSystem: DualHomedOs;

  /** The ID of the instance. */
  public readonly instanceId: string;

  /** The Availability Zone of the instance: the zone name when the subnets' zone is known at synth. */
  public readonly instanceAvailabilityZone: string;

  /** The private DNS name of the instance (on the public interface). */
  public readonly instancePrivateDnsName: string;

  /** The primary private IPv4 address of the instance: the public interface's address. */
  public readonly instancePrivateIp: string;

  /** The public DNS name of the instance. */
  public readonly instancePublicDnsName: string;

  /** The private IPv4 address of the management interface. */
  public readonly managementPrivateIp: string;

  private readonly managementPorts: ec2.Port[];

  constructor(scope: Construct, id: string, props: DualHomedInstanceProps) {
    super(scope, id);

    // Validate.
    const publicSubnet = selectExactlyOneSubnet(this, props.vpc, props.publicSubnet, { prop: 'publicSubnet', availabilityZone: props.availabilityZone, why: SUBNET_WHY, unknownZoneWarning: AZ_UNKNOWN });
    const managementSubnet = selectExactlyOneSubnet(this, props.vpc, props.managementSubnet, { prop: 'managementSubnet', availabilityZone: props.availabilityZone, why: SUBNET_WHY, unknownZoneWarning: AZ_UNKNOWN });
    validateSubnets(this, props.vpc, publicSubnet, managementSubnet);
    const sshPort = props.sshPort ?? 22;
    if (!Token.isUnresolved(sshPort) && (!Number.isInteger(sshPort) || sshPort < 1 || sshPort > 65535)) {
      throw new Error(`sshPort ${sshPort} is not a TCP port: use an integer from 1 to 65535`);
    }
    this.managementPorts = [ec2.Port.tcp(sshPort), ...(props.adminPorts ?? [])];
    validatePeersAndPorts(props, this.managementPorts);
    const secondaryCount = props.secondaryPublicAddressCount ?? 0;
    if (!Token.isUnresolved(secondaryCount) && (!Number.isInteger(secondaryCount) || secondaryCount < 0)) {
      throw new Error(`secondaryPublicAddressCount ${secondaryCount} is not allowed: use a whole number of 0 or more`);
    }
    validateLaunchSettings(this, props);
    const instanceType = props.instanceType.toString();
    checkEniCount(this, instanceType, 2, `${this.node.path} (public and management interfaces)`);
    checkIpv4PerEni(this, instanceType, 1 + secondaryCount, `${this.node.path}/PublicInterface`);
    const imageConfig = props.machineImage.getImage(this);
    this.operatingSystem = props.operatingSystem ?? detectOperatingSystem(this, props.machineImage, imageConfig);
    if (imageConfig.osType !== ec2.OperatingSystemType.LINUX) {
      throw new Error(`machineImage of ${this.node.path} is a ${ec2.OperatingSystemType[imageConfig.osType]} image: DualHomedInstance configures Amazon Linux 2023 and Ubuntu 22.04/24.04 only`);
    }
    if (props.managementPeers.length === 0 && !props.ssmManagedInstance) {
      Annotations.of(this).addWarningV2('cdk-eni-patterns:dual-homed-no-management-access',
        'managementPeers is empty and ssmManagedInstance is off: nothing can reach SSH or the admin ports; add the management network\'s peers or enable Session Manager');
    }

    // Build: the two interfaces, each with its own security group.
    this.publicInterface = new NetworkInterface(this, 'PublicInterface', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [publicSubnet] },
      description: `${this.node.path} public interface (device index 0)`.slice(-255),
      adminPorts: this.managementPorts,
      secondaryPrivateIpAddressCount: secondaryCount > 0 ? secondaryCount : undefined,
      securityGroups: [props.publicSecurityGroup ?? new ec2.SecurityGroup(this, 'PublicSecurityGroup', {
        vpc: props.vpc,
        description: `${this.node.path} public interface: service ports`,
        allowAllOutbound: props.allowAllOutbound ?? true,
      })],
    });
    this.managementInterface = new NetworkInterface(this, 'ManagementInterface', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [managementSubnet] },
      description: `${this.node.path} management interface (device index 1)`.slice(-255),
      adminPorts: this.managementPorts,
      securityGroups: [props.managementSecurityGroup ?? new ec2.SecurityGroup(this, 'ManagementSecurityGroup', {
        vpc: props.vpc,
        description: `${this.node.path} management interface: SSH and admin ports`,
        allowAllOutbound: false,
      })],
    });
    if (props.ssmManagedInstance) {
      // Session Manager interface endpoints usually sit in the management subnets. The OS reaches an
      // endpoint address in its own management subnet through the management interface, whose group
      // has no egress by default: HTTPS to the management subnet lets the SSM agent through.
      const managementCidr = knownSubnetIpv4Cidr(managementSubnet);
      if (managementCidr) {
        this.managementInterface.connections.allowTo(ec2.Peer.ipv4(managementCidr), ec2.Port.tcp(443), 'Session Manager endpoints in the management subnet');
      } else {
        Annotations.of(this).addWarningV2('cdk-eni-patterns:ssm-egress-unknown-cidr',
          'ssmManagedInstance: the management subnet\'s CIDR is unknown (imported without ipv4CidrBlock), so no HTTPS egress was added to the management interface\'s group; allow tcp 443 to your Session Manager endpoints yourself');
      }
    }
    this.connections = this.publicInterface.connections;
    this.managementConnections = this.managementInterface.connections;
    this.managementPrivateIp = this.managementInterface.primaryPrivateIpAddress;

    for (const peer of props.servicePeers ?? [ec2.Peer.anyIpv4()]) {
      for (const port of props.servicePorts ?? []) {
        this.connections.allowFrom(peer, port, `service ${port}`);
      }
    }
    for (const peer of props.managementPeers) {
      for (const port of this.managementPorts) {
        this.managementConnections.allowFrom(peer, port, `administration ${port}`);
      }
    }

    if (props.elasticIp ?? true) {
      this.publicInterface.addElasticIp();
    }

    // Build: the instance, launched with both interfaces.
    this.userData = ec2.UserData.forLinux();
    this.userData.addCommands(...renderUserDataCommands({
      os: flavourOf(this.operatingSystem),
      managementDeviceIndex: 1,
      sshPort,
    }));
    this.userData.addCommands(...(props.userDataCommands ?? []));

    const rootDevice = this.operatingSystem === DualHomedOs.AMAZON_LINUX_2023 ? '/dev/xvda' : '/dev/sda1';
    const rootSize = props.rootVolumeSize ?? Size.gibibytes(16);
    const publicInterface = this.publicInterface;
    this.instance = new DualHomedEc2Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [publicSubnet] },
      instanceType: props.instanceType,
      machineImage: props.machineImage,
      userData: this.userData,
      role: props.role,
      instanceProfile: props.instanceProfile,
      securityGroup: this.connections.securityGroups[0],
      keyPair: props.keyPair,
      // Added below, once per role: a fleet's instances share one role.
      ssmSessionPermissions: false,
      detailedMonitoring: props.detailedMonitoring ?? false,
      disableApiTermination: props.terminationProtection ?? false,
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpEndpoint: true,
      blockDevices: [{
        deviceName: rootDevice,
        volume: ec2.BlockDeviceVolume.ebs(rootSize.toGibibytes(), {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
    }, (sg) => publicInterface.addSecurityGroup(sg));

    // Both interfaces at launch, so the OS sees them at boot. No AssociatePublicIpAddress: AWS
    // refuses it with more than one interface (the Elastic IP gives the public address).
    const cfnInstance = this.instance.node.defaultChild as ec2.CfnInstance;
    // The interfaces place the instance: no SubnetId, SecurityGroupIds or AvailabilityZone of its own.
    cfnInstance.subnetId = undefined;
    cfnInstance.securityGroupIds = undefined;
    cfnInstance.availabilityZone = undefined;
    cfnInstance.networkInterfaces = [
      { deviceIndex: '0', networkInterfaceId: this.publicInterface.networkInterfaceId },
      { deviceIndex: '1', networkInterfaceId: this.managementInterface.networkInterfaceId },
    ];
    // Groups added through `instance.connections` land on the public interface too.
    const instanceConnections = this.instance.connections;
    this.publicInterface.resource.groupSet = Lazy.list({
      produce: () => uniqueGroups([...this.connections.securityGroups, ...instanceConnections.securityGroups]).map((sg) => sg.securityGroupId),
    });
    this.node.defaultChild = cfnInstance;
    for (const owner of [this, this.instance]) {
      claimDeviceIndex(owner, 1, this.managementInterface.node.path);
    }

    if (props.launchTemplate) {
      cfnInstance.launchTemplate = renderLaunchTemplate(this, props.launchTemplate);
    }
    if (props.ssmManagedInstance) {
      addSessionManagerPolicy(this, this.instance.role);
    }

    this.role = this.instance.role;
    this.grantPrincipal = this.instance.grantPrincipal;
    this.instanceId = this.instance.instanceId;
    // The zone of the interfaces' subnets when known at synth (so attachments can be checked), else the attribute.
    this.instanceAvailabilityZone = this.publicInterface.availabilityZone ?? this.instance.instanceAvailabilityZone;
    this.instancePrivateDnsName = this.instance.instancePrivateDnsName;
    this.instancePrivateIp = this.instance.instancePrivateIp;
    this.instancePublicDnsName = this.instance.instancePublicDnsName;

  }

  /** A reference to the instance. */
  public get instanceRef(): ec2.InstanceReference {
    return this.instance.instanceRef;
  }

  /**
   * The public IPv4 address: the Elastic IP of the public interface, or the instance's public IP
   * attribute (empty) when `elasticIp` is off.
   */
  public get instancePublicIp(): string {
    return this.publicInterface.elasticIps[0]?.publicIp ?? this.instance.instancePublicIp;
  }

  /** Adds a security group to the public interface. */
  public addSecurityGroup(securityGroup: ec2.ISecurityGroup): void {
    this.publicInterface.addSecurityGroup(securityGroup);
  }

  /** Adds a security group to the management interface. */
  public addManagementSecurityGroup(securityGroup: ec2.ISecurityGroup): void {
    this.managementInterface.addSecurityGroup(securityGroup);
  }


}

/** The ec2.Instance whose `addSecurityGroup` adds to the public interface (it has no group set of its own). */
class DualHomedEc2Instance extends ec2.Instance {
  constructor(scope: Construct, id: string, props: ec2.InstanceProps, private readonly onAddSecurityGroup: (sg: ec2.ISecurityGroup) => void) {
    super(scope, id, props);
  }

  public addSecurityGroup(securityGroup: ec2.ISecurityGroup): void {
    this.onAddSecurityGroup(securityGroup);
  }
}


const AZ_UNKNOWN = 'cdk-eni-patterns:dual-homed-az-unknown';
const SUBNET_WHY = 'a dual-homed instance has one interface per subnet; select exactly one subnet (for example { subnets: [subnet] }) or pass availabilityZone';

function validateSubnets(scope: IConstruct, vpc: ec2.IVpc, publicSubnet: ec2.ISubnet, managementSubnet: ec2.ISubnet): void {
  const stack = Stack.of(scope);
  // Each subnet ID is resolved at most once per call: resolving a Ref allocates the logical ID anew.
  const resolvedIds = new Map<ec2.ISubnet, string>();
  const resolvedId = (subnet: ec2.ISubnet) => {
    let id = resolvedIds.get(subnet);
    if (id === undefined) {
      id = JSON.stringify(stack.resolve(subnet.subnetId));
      resolvedIds.set(subnet, id);
    }
    return id;
  };
  // Two distinct subnets defined in this app are different subnets (each refers to its own
  // AWS::EC2::Subnet); imported subnets can name the same subnet twice, so their IDs are compared.
  const definedHere = (subnet: ec2.ISubnet) => subnet instanceof ec2.Subnet;
  const same = (a: ec2.ISubnet, b: ec2.ISubnet) => a === b
    || (!(definedHere(a) && definedHere(b)) && resolvedId(a) === resolvedId(b));
  if (same(publicSubnet, managementSubnet)) {
    throw new Error(`publicSubnet and managementSubnet of ${scope.node.path} are the same subnet ${subnetName(publicSubnet)}: the management interface must be in a separate, private management subnet`);
  }
  const publicAz = knownSubnetAz(publicSubnet);
  const managementAz = knownSubnetAz(managementSubnet);
  if (publicAz && managementAz && publicAz !== managementAz) {
    throw new Error(`publicSubnet ${subnetName(publicSubnet)} is in ${publicAz} but managementSubnet ${subnetName(managementSubnet)} is in ${managementAz}: both interfaces of an instance must be in one Availability Zone; select subnets in the same zone`);
  }
  if ((!publicAz || !managementAz) && !sameZoneToken(scope, publicSubnet, managementSubnet)) {
    Annotations.of(scope).addWarningV2(AZ_UNKNOWN,
      `the Availability Zones of publicSubnet ${subnetName(publicSubnet)} and managementSubnet ${subnetName(managementSubnet)} are unknown at synth, so that both are in one zone cannot be checked (the launch fails if they are not): give the stack an env (account and region) or select subnets of the same zone`);
  }
  const kind = (subnet: ec2.ISubnet): 'public' | 'private' | undefined => {
    if (vpc.publicSubnets.some((s) => same(s, subnet))) {
      return 'public';
    }
    if ([...vpc.privateSubnets, ...vpc.isolatedSubnets].some((s) => same(s, subnet))) {
      return 'private';
    }
    return undefined;
  };
  const publicKind = kind(publicSubnet);
  const managementKind = kind(managementSubnet);
  if (managementKind === 'public') {
    throw new Error(`managementSubnet ${subnetName(managementSubnet)} is a public subnet (it routes to an internet gateway): the management interface must be in a private management subnet`);
  }
  if (publicKind === 'private') {
    throw new Error(`publicSubnet ${subnetName(publicSubnet)} is a private subnet: the public interface must be in a public subnet (one with a route to an internet gateway)${managementKind === 'private' ? '; both subnets are private' : ''}`);
  }
}

/**
 * Whether two subnets' zones are the same unresolved zone (subnets in one zone of a stack without
 * env), compared by resolved expression: two VPCs' zone tokens are different objects.
 */
function sameZoneToken(scope: IConstruct, a: ec2.ISubnet, b: ec2.ISubnet): boolean {
  const za = subnetZoneKey(scope, a);
  return za !== undefined && za.startsWith('{') && za === subnetZoneKey(scope, b);
}

function validateLaunchSettings(scope: IConstruct, props: DualHomedInstanceOptions): void {
  if (props.role && props.instanceProfile) {
    throw new Error(`role and instanceProfile of ${scope.node.path} are both given: the instance profile carries the role; give only instanceProfile, or only role (a profile is created for it)`);
  }
  if (props.instanceProfile && !props.instanceProfile.role) {
    throw new Error(`instanceProfile ${props.instanceProfile.node.path} of ${scope.node.path} has no role: the construct grants to the instance role; import the profile with iam.InstanceProfile.fromInstanceProfileAttributes({ instanceProfileArn, role })`);
  }
  const template = props.launchTemplate?.node.defaultChild;
  if (template instanceof ec2.CfnLaunchTemplate) {
    const data = Stack.of(scope).resolve(template.launchTemplateData) as Record<string, unknown> | undefined;
    const owned = ['networkInterfaces', 'securityGroupIds', 'securityGroups']
      .filter((k) => data?.[k] !== undefined);
    if (owned.length > 0) {
      throw new Error(`launchTemplate ${props.launchTemplate!.node.path} of ${scope.node.path} sets ${owned.join(', ')}: a dual-homed instance owns its two network interfaces and their security groups; remove them from the template and use securityGroup props or addSecurityGroup()`);
    }
  }
}

/**
 * The launch template reference of an instance: by id when known, else by name; at its version.
 * AWS::EC2::Instance takes a version number only, not `$Default` or `$Latest` (what an imported
 * template without `versionNumber` carries): an in-app template is referenced at its default
 * version number instead, an imported one is refused.
 */
function renderLaunchTemplate(scope: IConstruct, template: ec2.ILaunchTemplate): ec2.CfnInstance.LaunchTemplateSpecificationProperty {
  let version = template.versionNumber;
  if (!Token.isUnresolved(version) && version.startsWith('$')) {
    const cfn = template.node.defaultChild;
    if (!(cfn instanceof ec2.CfnLaunchTemplate)) {
      throw new Error(`launchTemplate ${template.node.path} of ${scope.node.path} is at version ${version}, which an EC2 instance in CloudFormation does not accept: import it with a version number, e.g. LaunchTemplate.fromLaunchTemplateAttributes(scope, id, { launchTemplateId, versionNumber: '1' })`);
    }
    version = cfn.attrDefaultVersionNumber;
  }
  return {
    launchTemplateId: template.launchTemplateId,
    launchTemplateName: template.launchTemplateId ? undefined : template.launchTemplateName,
    version,
  };
}

/** Roles that already carry the Session Manager policy (a fleet's instances share one role). */
const SSM_ROLES = new WeakSet<iam.IRole>();

function addSessionManagerPolicy(scope: IConstruct, role: iam.IRole): void {
  if (!(role instanceof iam.Role)) {
    // An imported role's policies are not the app's: addManagedPolicy does nothing on it.
    Annotations.of(scope).addWarningV2('cdk-eni-patterns:ssm-policy-not-attached',
      `ssmManagedInstance: the role ${role.node.path} is imported, so the AmazonSSMManagedInstanceCore policy is not attached to it by this app: attach it to the role yourself, or Session Manager cannot reach the instance`);
  }
  if (!SSM_ROLES.has(role)) {
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
    SSM_ROLES.add(role);
  }
}

function validatePeersAndPorts(props: DualHomedInstanceOptions, managementPorts: ec2.Port[]): void {
  props.managementPeers.forEach((peer, i) => {
    const cidr = peerCidr(peer);
    if (cidr !== undefined && isAnyAddress(cidr)) {
      throw new Error(`managementPeers[${i}] '${cidr}' would open SSH and the admin ports (${managementPorts.join(', ')}) to the whole internet: list the management network's CIDRs, prefix lists or security groups instead`);
    }
  });
  for (const service of props.servicePorts ?? []) {
    const clash = managementPorts.find((m) => portsOverlap(ruleJson(m), ruleJson(service)));
    if (clash) {
      throw new Error(`servicePorts entry ${service} overlaps the administration port ${clash}: a port is either served publicly or administered from the management network, not both; move the service or change sshPort/adminPorts`);
    }
  }
}

function detectOperatingSystem(scope: Construct, image: ec2.IMachineImage, config: ec2.MachineImageConfig): DualHomedOs {
  if (image instanceof ec2.AmazonLinux2023ImageSsmParameter) {
    return DualHomedOs.AMAZON_LINUX_2023;
  }
  const name = ssmParameterNameOf(scope, image, config);
  if (name !== undefined) {
    if (/^\/aws\/service\/ami-amazon-linux-latest\/al2023-/.test(name)) {
      return DualHomedOs.AMAZON_LINUX_2023;
    }
    if (/^\/aws\/service\/canonical\/ubuntu\/server\/(24\.04|noble)\//.test(name)) {
      return DualHomedOs.UBUNTU_24_04;
    }
    if (/^\/aws\/service\/canonical\/ubuntu\/server\/(22\.04|jammy)\//.test(name)) {
      return DualHomedOs.UBUNTU_22_04;
    }
  }
  throw new Error(`cannot tell the operating system of machineImage ${name ? `(SSM parameter '${name}')` : `(${image.constructor.name})`} of ${scope.node.path}: set operatingSystem to DualHomedOs.AMAZON_LINUX_2023, DualHomedOs.UBUNTU_22_04 or DualHomedOs.UBUNTU_24_04`);
}

/** The SSM parameter an image is read from, when the image says so. */
function ssmParameterNameOf(scope: Construct, image: ec2.IMachineImage, config: ec2.MachineImageConfig): string | undefined {
  const declared = (image as { parameterName?: unknown }).parameterName;
  if (typeof declared === 'string' && !Token.isUnresolved(declared)) {
    return declared;
  }
  const stack = Stack.of(scope);
  const resolved = stack.resolve(config.imageId);
  if (typeof resolved === 'string') {
    const m = /^\{?\{?resolve:ssm:([^:}]+)/.exec(resolved);
    return m ? m[1] : undefined;
  }
  const ref = (resolved as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref === 'string') {
    const isReferenced = (c: IConstruct): c is CfnParameter => c instanceof CfnParameter && stack.resolve(c.logicalId) === ref;
    // The token usually says which parameter it refers to; scanning the whole stack for every
    // instance would make a fleet's synthesis quadratic in the stack's size.
    const token = Tokenization.reverse(config.imageId);
    const target = Reference.isReference(token) ? token.target : undefined;
    const parameter = target !== undefined && isReferenced(target) && Stack.of(target) === stack
      ? target
      : stack.node.findAll().find(isReferenced);
    const value = parameter?.default;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function flavourOf(os: DualHomedOs): DualHomedOsFlavour {
  switch (os) {
    case DualHomedOs.AMAZON_LINUX_2023: return 'al2023';
    case DualHomedOs.UBUNTU_22_04: return 'ubuntu-22.04';
    case DualHomedOs.UBUNTU_24_04: return 'ubuntu-24.04';
  }
}

function uniqueGroups(groups: ec2.ISecurityGroup[]): ec2.ISecurityGroup[] {
  return groups.filter((sg, i) => groups.indexOf(sg) === i);
}

