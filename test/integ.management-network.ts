import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { ManagementAccess, ManagementNetwork } from '../src';

/**
 * A management network with site-to-site VPN (customer gateway on a documentation address; the
 * tunnels stay down, the resources deploy), an Instance Connect Endpoint and Session Manager
 * endpoints. Client VPN is left out: it needs real ACM certificates in the account.
 *
 * On a real account the assertions check that the management route tables have no default
 * route and learn the virtual private gateway's routes, while the public route tables do not.
 */
const app = new App();
const stack = new Stack(app, 'ManagementNetworkInteg');

const network = new ManagementNetwork(stack, 'Network', {
  cidr: '10.30.0.0/16',
  access: [
    ManagementAccess.vpnGateway({
      onPremisesCidrs: ['192.168.0.0/16'],
      customerGateway: { ipAddress: '203.0.113.12', staticRoutesOnly: true },
    }),
    ManagementAccess.instanceConnectEndpoint(),
    ManagementAccess.sessionManager(),
  ],
});

const integ = new IntegTest(app, 'ManagementNetworkTest', { testCases: [stack] });

const managementTables = network.managementSubnets.subnets.map((s) => s.routeTable.routeTableId);
const publicTable = network.publicSubnets.subnets[0].routeTable.routeTableId;

// No management route table has a default route, to anything.
integ.assertions.awsApiCall('EC2', 'describeRouteTables', {
  Filters: [
    { Name: 'route-table-id', Values: managementTables },
    { Name: 'route.destination-cidr-block', Values: ['0.0.0.0/0'] },
  ],
}).expect(ExpectedResult.objectLike({ RouteTables: [] }));

// The management route tables learn routes from the virtual private gateway...
integ.assertions.awsApiCall('EC2', 'describeRouteTables', { RouteTableIds: [managementTables[0]] })
  .expect(ExpectedResult.objectLike({ RouteTables: [{ PropagatingVgws: [{ GatewayId: network.vpnGatewayId }] }] }));

// ...and the public route tables do not.
integ.assertions.awsApiCall('EC2', 'describeRouteTables', { RouteTableIds: [publicTable] })
  .expect(ExpectedResult.objectLike({ RouteTables: [{ PropagatingVgws: [] }] }));

// The Instance Connect Endpoint finished creating in a management subnet.
integ.assertions.awsApiCall('EC2', 'describeInstanceConnectEndpoints', {
  InstanceConnectEndpointIds: [network.instanceConnectEndpoint!.ref],
}).expect(ExpectedResult.objectLike({
  InstanceConnectEndpoints: [{ State: 'create-complete', SubnetId: network.managementSubnets.subnetIds[0] }],
})).waitForAssertions();

app.synth();
