import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { DualHomedInstance, DualHomedInstanceOptions } from './dual-homed-instance';
import { subnetZoneKey, zoneKey } from './private/introspect';

/**
 * Properties of a {@link DualHomedFleet}.
 */
export interface DualHomedFleetProps extends DualHomedInstanceOptions {
  /**
   * The Availability Zones to place one instance in each.
   *
   * @default - every zone in which both subnet selections have a subnet
   */
  readonly availabilityZones?: string[];
}

/**
 * One {@link DualHomedInstance} per Availability Zone, sharing one public and one management
 * security group, for example as the targets of a load balancer in the public subnets.
 *
 * Give the stack an `env` (account and region) before the first deployment: without it the
 * instances are named after the zones' positions (`InstanceAz1`), with it after the zones
 * (`InstanceEuWest1a`), so adding an `env` later replaces every instance, and with them their
 * Elastic IPs (new public addresses).
 *
 * The instances share one role and one instance profile (`role`): a grant to the role of one
 * instance reaches all of them. Upgrading from a version that created a role per instance
 * replaces those roles with the shared one. With an imported role and `ssmManagedInstance`, the
 * Session Manager policy cannot be attached by the app: a construct warning says so, and the
 * policy must be attached to the role outside the app.
 */
export class DualHomedFleet extends Construct implements ec2.IConnectable {
  /** The instances, in the order of `availabilityZones`. */
  public readonly instances: DualHomedInstance[];

  /** The Availability Zones of the instances. */
  public readonly availabilityZones: string[];

  /** The public security group shared by every instance's public interface. */
  public readonly connections: ec2.Connections;

  /** The management security group shared by every instance's management interface. */
  public readonly managementConnections: ec2.Connections;

  /** The instance profile shared by every instance: `instanceProfile`, or one created for `role`. */
  public readonly instanceProfile: iam.IInstanceProfile;

  /** The instance role shared by every instance. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: DualHomedFleetProps) {
    super(scope, id);

    const zones = props.availabilityZones ?? commonZones(this, props.vpc, props.publicSubnet, props.managementSubnet);
    if (zones.length === 0) {
      throw new Error(`${this.node.path}: publicSubnet and managementSubnet have no Availability Zone in common: select subnets in the same zones or pass availabilityZones`);
    }
    if (new Set(zones.map((z) => zoneKey(this, z))).size !== zones.length) {
      throw new Error(`availabilityZones ${zones.some((z) => Token.isUnresolved(z)) ? '' : `${JSON.stringify(zones)} `}of ${this.node.path} lists a zone twice: give each zone once`);
    }
    this.availabilityZones = [...zones];

    const publicSecurityGroup = props.publicSecurityGroup ?? new ec2.SecurityGroup(this, 'PublicSecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} public interfaces: service ports`,
      allowAllOutbound: props.allowAllOutbound ?? true,
    });
    const managementSecurityGroup = props.managementSecurityGroup ?? new ec2.SecurityGroup(this, 'ManagementSecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path} management interfaces: SSH and admin ports`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [publicSecurityGroup] });
    this.managementConnections = new ec2.Connections({ securityGroups: [managementSecurityGroup] });

    // One role and one instance profile for the whole fleet, not one of each per instance.
    if (props.role && props.instanceProfile) {
      throw new Error(`role and instanceProfile of ${this.node.path} are both given: the instance profile carries the role; give only instanceProfile, or only role (one profile is created for it)`);
    }
    this.instanceProfile = props.instanceProfile ?? new iam.InstanceProfile(this, 'InstanceProfile', {
      role: props.role ?? new iam.Role(this, 'InstanceRole', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        description: `Instances of ${this.node.path}`.slice(0, 1000),
      }),
    });
    if (!this.instanceProfile.role) {
      throw new Error(`instanceProfile ${this.instanceProfile.node.path} of ${this.node.path} has no role: import the profile with iam.InstanceProfile.fromInstanceProfileAttributes({ instanceProfileArn, role })`);
    }
    this.role = this.instanceProfile.role;

    this.instances = zones.map((zone) => new DualHomedInstance(this, instanceId(this, props.vpc, zone), {
      ...props,
      availabilityZone: zone,
      publicSecurityGroup,
      managementSecurityGroup,
      role: undefined,
      instanceProfile: this.instanceProfile,
    }));
  }
}

/**
 * The zones in which both selections have a subnet. In a stack without env the zones are tokens
 * (`Fn::Select` of `Fn::GetAZs`), compared by their resolved expression (see `zoneKey`), so the
 * same zone pairs up whichever token object names it.
 */
function commonZones(scope: Construct, vpc: ec2.IVpc, publicSelection: ec2.SubnetSelection, managementSelection: ec2.SubnetSelection): string[] {
  const zonesOf = (selection: ec2.SubnetSelection) => {
    const byKey = new Map<string, string>();
    for (const subnet of vpc.selectSubnets(selection).subnets) {
      const key = subnetZoneKey(scope, subnet);
      if (key !== undefined && !byKey.has(key)) byKey.set(key, subnet.availabilityZone);
    }
    return byKey;
  };
  const management = zonesOf(managementSelection);
  return [...zonesOf(publicSelection)].filter(([key]) => management.has(key)).map(([, zone]) => zone);
}

/**
 * The id of a zone's instance: `Instance<ZoneName>` (`InstanceEuWest1a`), or, for a zone unknown
 * at synth, `InstanceAz<n>` after the zone's position in the VPC's zones (token strings change
 * between runs and cannot be ids). Giving the stack an env later renames the instances.
 */
function instanceId(scope: Construct, vpc: ec2.IVpc, zone: string): string {
  if (!Token.isUnresolved(zone)) {
    return `Instance${pascalCase(zone)}`;
  }
  const key = zoneKey(scope, zone);
  const position = vpc.availabilityZones.findIndex((z) => zoneKey(scope, z) === key);
  if (position < 0) {
    throw new Error('availabilityZones contains a zone that is unknown at synth and is not one of the VPC\'s zones: give the stack an env (account and region) or list the zones by name');
  }
  return `InstanceAz${position + 1}`;
}

function pascalCase(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
