import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ApplianceRole, RoutingAppliance } from '../src';

// Scenario: a NAT appliance with a standby for two private subnets. On a real account the
// assertions check that the private route tables send 0.0.0.0/0 to the forwarding interface and
// the route is active; then the primary is stopped, and the interface (with its Elastic IP) must
// end up on the standby while the routes still target the same interface and are active again.
const app = new App();
const stack = new Stack(app, 'RoutingApplianceInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.51.0.0/16'),
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
    { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
  ],
});
const nat = new RoutingAppliance(stack, 'Nat', {
  vpc,
  role: ApplianceRole.nat(),
  vpcSubnets: { subnetGroupName: 'Public', availabilityZones: [vpc.availabilityZones[0]] },
  routedSubnets: { subnetGroupName: 'Private' },
  standby: true,
});

const integ = new IntegTest(app, 'RoutingApplianceTest', { testCases: [stack] });
// Private route tables hold the local route and the default route to the forwarding interface.
const defaultRouteToEni = (subnet: ec2.ISubnet) => integ.assertions
  .awsApiCall('EC2', 'describeRouteTables', { RouteTableIds: [subnet.routeTable.routeTableId] })
  .expect(ExpectedResult.objectLike({
    RouteTables: [{
      Routes: [
        { DestinationCidrBlock: '10.51.0.0/16', GatewayId: 'local' },
        { DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: nat.networkInterface.networkInterfaceId, State: 'active' },
      ],
    }],
  }));

const before = defaultRouteToEni(vpc.isolatedSubnets[0]);
const stopPrimary = integ.assertions.awsApiCall('EC2', 'stopInstances', { InstanceIds: [nat.instance.instanceId] });
const movedToStandby = integ.assertions
  .awsApiCall('EC2', 'describeNetworkInterfaces', { NetworkInterfaceIds: [nat.networkInterface.networkInterfaceId] })
  .expect(ExpectedResult.objectLike({
    NetworkInterfaces: [{ Status: 'in-use', SourceDestCheck: false, Attachment: { InstanceId: nat.standbyInstance!.instanceId, DeviceIndex: 1 } }],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) });
const after = defaultRouteToEni(vpc.isolatedSubnets[1]);
before.next(stopPrimary).next(movedToStandby).next(after);
