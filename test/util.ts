import { App, Resource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Account and Region used by every test stack, so that Availability Zones are known strings. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

/**
 * An App whose validation plugins report instead of failing synth: on aws-cdk-lib 2.257 a failing
 * plugin does not throw, it sets process.exitCode to 1 and jest exits 1 with every test green.
 */
export function testApp(): App {
  return new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
}

/** A stack with a fixed environment. */
export function testStack(app: App = testApp(), id = 'TestStack'): Stack {
  return new Stack(app, id, { env: TEST_ENV });
}

/**
 * A VPC with a public and a private subnet per AZ in two AZs, fixed CIDRs:
 * public 10.0.0.0/24 (dummy1a), 10.0.1.0/24 (dummy1b); private 10.0.2.0/24, 10.0.3.0/24.
 */
export function testVpc(stack: Stack, id = 'Vpc', props: Partial<ec2.VpcProps> = {}): ec2.Vpc {
  return new ec2.Vpc(stack, id, {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    ...props,
  });
}

/** An Amazon Linux 2023 instance in the given subnet. */
export function testInstance(stack: Stack, id: string, vpc: ec2.IVpc, subnet: ec2.ISubnet, instanceType = 't3.micro'): ec2.Instance {
  return new ec2.Instance(stack, id, {
    vpc,
    vpcSubnets: { subnets: [subnet] },
    instanceType: new ec2.InstanceType(instanceType),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    requireImdsv2: true,
  });
}

/** An instance known only by id and AZ, as a user would reference one created elsewhere. */
export function importedInstance(scope: Construct, instanceId: string, availabilityZone: string): ec2.IInstance {
  class Imported extends Resource implements ec2.IInstance {
    public readonly instanceId = instanceId;
    public readonly instanceAvailabilityZone = availabilityZone;
    public readonly instancePrivateDnsName = `ip-${instanceId}.internal`;
    public readonly instancePrivateIp = '10.0.2.200';
    public readonly instancePublicDnsName = '';
    public readonly instancePublicIp = '';
    public readonly connections = new ec2.Connections();
    public readonly grantPrincipal: iam.IPrincipal = new iam.AccountRootPrincipal();
    public get instanceRef() {
      return { instanceId };
    }
  }
  return new Imported(scope, `Imported-${instanceId}`);
}
