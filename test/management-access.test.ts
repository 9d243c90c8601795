import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ClientVpnAccess, ClientVpnAccessOptions, InstanceConnectEndpointAccess, ManagementAccess, ManagementNetwork, ManagementNetworkProps,
  SessionManagerAccess, VpnGatewayAccess, VpnGatewayAccessOptions,
} from '../src';
import { testApp, testStack, testVpc } from './util';

const SERVER_CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111';
const CLIENT_CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/22222222-2222-2222-2222-222222222222';
const DX_GATEWAY = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

function network(access: ManagementAccess[], props: ManagementNetworkProps = {}) {
  const stack = testStack();
  const net = new ManagementNetwork(stack, 'Net', { access, ...props });
  return { stack, net, template: Template.fromStack(stack) };
}

function clientVpn(options: Partial<ClientVpnAccessOptions> = {}) {
  return ManagementAccess.clientVpn({ cidr: '10.100.0.0/22', serverCertificateArn: SERVER_CERT, clientCertificateArn: CLIENT_CERT, ...options });
}

function vpnGateway(options: Partial<VpnGatewayAccessOptions> = {}) {
  return ManagementAccess.vpnGateway({ onPremisesCidrs: ['192.168.0.0/16'], ...options });
}

describe('ManagementAccess.clientVpn', () => {
  test('creates a mutual-TLS, split-tunnel endpoint in the management subnets with the management security group and connection logs', () => {
    const { template, stack, net } = network([clientVpn()]);
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      ClientCidrBlock: '10.100.0.0/22',
      ServerCertificateArn: SERVER_CERT,
      AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: CLIENT_CERT } }],
      SplitTunnel: true,
      SecurityGroupIds: [stack.resolve(net.managementSecurityGroup.securityGroupId)],
      ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: { Ref: Match.stringLikeRegexp('^NetClientVpnLogGroup') } },
      VpcId: stack.resolve(net.vpc.vpcId),
    });
    const associated = Object.values(template.findResources('AWS::EC2::ClientVpnTargetNetworkAssociation')).map((r) => r.Properties.SubnetId);
    expect(associated).toEqual(net.managementSubnets.subnets.map((s) => stack.resolve(s.subnetId)));
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    expect(net.clientVpnEndpoint).toBeDefined();
  });

  test('authorizes only the management subnets, never the whole VPC', () => {
    const { template } = network([clientVpn()], { applicationSubnetCidrMask: 24 });
    const rules = Object.values(template.findResources('AWS::EC2::ClientVpnAuthorizationRule')).map((r) => r.Properties);
    expect(rules).toEqual([
      expect.objectContaining({ TargetNetworkCidr: '10.0.2.0/24', AuthorizeAllGroups: true }),
      expect.objectContaining({ TargetNetworkCidr: '10.0.3.0/24', AuthorizeAllGroups: true }),
    ]);
  });

  test('with a group, authorizes that group only', () => {
    const { template } = network([clientVpn({ authorizedGroupId: 'admins' })]);
    template.hasResourceProperties('AWS::EC2::ClientVpnAuthorizationRule', { TargetNetworkCidr: '10.0.2.0/24', AccessGroupId: 'admins', AuthorizeAllGroups: false });
  });

  test('supports SAML federation', () => {
    const stack = testStack();
    const saml = iam.SamlProvider.fromSamlProviderArn(stack, 'Saml', 'arn:aws:iam::123456789012:saml-provider/corp');
    new ManagementNetwork(stack, 'Net', { access: [clientVpn({ clientCertificateArn: undefined, samlProvider: saml })] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      AuthenticationOptions: [{ Type: 'federated-authentication', FederatedAuthentication: { SAMLProviderArn: 'arn:aws:iam::123456789012:saml-provider/corp' } }],
    });
  });

  test('the client CIDR becomes a management CIDR and peer, admitted by the network ACL', () => {
    const { template, net } = network([clientVpn()]);
    expect(net.managementCidrs).toEqual(['10.100.0.0/22']);
    expect(net.managementPeers.map((p) => p.uniqueId)).toEqual([net.managementSecurityGroup.uniqueId, '10.100.0.0/22']);
    for (const egress of [false, true]) {
      template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: '10.100.0.0/22', Egress: egress, RuleNumber: 110, RuleAction: 'allow' });
    }
  });

  test('configurable log retention and DNS servers', () => {
    const { template } = network([clientVpn({ logRetention: logs.RetentionDays.ONE_MONTH, dnsServers: ['10.0.0.2'] })]);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { DnsServers: ['10.0.0.2'] });
  });

  test('a full tunnel is allowed but warns that clients lose internet access', () => {
    const { stack, template } = network([clientVpn({ splitTunnel: false })]);
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SplitTunnel: false });
    Annotations.fromStack(stack).hasWarning('/TestStack/Net', Match.stringLikeRegexp('clientVpn splitTunnel is false.*cdk-eni-patterns:client-vpn-full-tunnel'));
  });

  test.each<[string, Partial<ClientVpnAccessOptions>, RegExp]>([
    ['a /24 client CIDR', { cidr: '10.100.0.0/24' }, /^clientVpn cidr '10\.100\.0\.0\/24' is a \/24: AWS Client VPN needs a client CIDR from \/12 to \/22 \(for example 10\.100\.0\.0\/22\)$/],
    ['a /11 client CIDR', { cidr: '10.96.0.0/11' }, /^clientVpn cidr '10\.96\.0\.0\/11' is a \/11: AWS Client VPN needs a client CIDR from \/12 to \/22/],
    ['a client CIDR overlapping the VPC', { cidr: '10.0.4.0/22' }, /^clientVpn cidr '10\.0\.4\.0\/22' overlaps the VPC CIDR 10\.0\.0\.0\/16: management traffic must come from outside the VPC/],
    ['a client CIDR that is not a CIDR', { cidr: 'ten.0.0.0/22' }, /^clientVpn cidr 'ten\.0\.0\.0\/22' is not an IPv4 CIDR block/],
    ['a client CIDR of the whole internet', { cidr: '0.0.0.0/0' }, /^clientVpn cidr '0\.0\.0\.0\/0' is the whole address space/],
    ['no authentication', { clientCertificateArn: undefined }, /^clientVpn needs an authentication method: give clientCertificateArn \(mutual TLS\) or samlProvider \(SAML federation\), or both$/],
    ['three DNS servers', { dnsServers: ['10.0.0.2', '1.1.1.1', '8.8.8.8'] }, /^clientVpn dnsServers \["10\.0\.0\.2","1\.1\.1\.1","8\.8\.8\.8"\] lists 3 servers: AWS Client VPN pushes at most two$/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => network([clientVpn(options)])).toThrow(message);
  });

  test('rejects a self-service SAML provider without federation', () => {
    const stack = testStack();
    const saml = iam.SamlProvider.fromSamlProviderArn(stack, 'Saml', 'arn:aws:iam::123456789012:saml-provider/corp');
    expect(() => new ManagementNetwork(stack, 'Net', { access: [clientVpn({ selfServiceSamlProvider: saml })] }))
      .toThrow(/^clientVpn selfServiceSamlProvider needs samlProvider: the self-service portal is part of federated authentication$/);
  });

  test('rejects a client CIDR overlapping the on-premises networks', () => {
    expect(() => network([vpnGateway({ onPremisesCidrs: ['10.100.0.0/16'] }), clientVpn()]))
      .toThrow(/^clientVpn cidr '10\.100\.0\.0\/22' overlaps vpnGateway onPremisesCidrs '10\.100\.0\.0\/16': management CIDRs must not overlap; choose separate blocks$/);
  });

  test('an imported management subnet without a CIDR cannot be authorized', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-1',
      vpcCidrBlock: '10.20.0.0/16',
      availabilityZones: ['eu-west-1a'],
      publicSubnetIds: ['subnet-pub1'],
      isolatedSubnetIds: ['subnet-mgmt1'],
    });
    expect(() => new ManagementNetwork(stack, 'Net', { vpc, access: [clientVpn()] }))
      .toThrow(/^clientVpn authorizes the management subnets by CIDR, but the CIDR of management subnet subnet-mgmt1 is unknown: import the subnet with its ipv4CidrBlock/);
  });
});

describe('ManagementAccess.vpnGateway', () => {
  test('attaches a new virtual private gateway and propagates routes into the management route tables only', () => {
    const { template, stack, net } = network([vpnGateway()], { applicationSubnetCidrMask: 24 });
    template.hasResourceProperties('AWS::EC2::VPNGateway', { Type: 'ipsec.1' });
    template.hasResourceProperties('AWS::EC2::VPCGatewayAttachment', {
      VpcId: stack.resolve(net.vpc.vpcId),
      VpnGatewayId: { Ref: Match.stringLikeRegexp('^NetVpnGateway') },
    });
    template.resourceCountIs('AWS::EC2::VPNGatewayRoutePropagation', 1);
    template.hasResourceProperties('AWS::EC2::VPNGatewayRoutePropagation', {
      RouteTableIds: net.managementSubnets.subnets.map((s) => stack.resolve(s.routeTable.routeTableId)),
    });
    template.hasResource('AWS::EC2::VPNGatewayRoutePropagation', { DependsOn: [Match.stringLikeRegexp('^NetVpnGatewayAttachment')] });
    template.resourceCountIs('AWS::EC2::CustomerGateway', 0);
    template.resourceCountIs('AWS::EC2::VPNConnection', 0);
    template.resourceCountIs('AWS::DirectConnect::DirectConnectGatewayAssociation', 0);
    expect(stack.resolve(net.vpnGatewayId)).toEqual({ Ref: expect.stringMatching(/^NetVpnGateway/) });
  });

  test('the on-premises CIDRs become management CIDRs admitted by the network ACL', () => {
    const { template, net } = network([vpnGateway({ onPremisesCidrs: ['192.168.0.0/16', '172.16.0.0/12'] })]);
    expect(net.managementCidrs).toEqual(['192.168.0.0/16', '172.16.0.0/12']);
    template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: '172.16.0.0/12', Egress: false, RuleNumber: 120 });
  });

  test('a customer gateway and BGP VPN connection', () => {
    const { template, net } = network([vpnGateway({ customerGateway: { ipAddress: '203.0.113.12', bgpAsn: 65010 }, amazonSideAsn: 64600 })]);
    expect(net.vpnConnection?.staticRoutesOnly).toBe(false);
    template.hasResourceProperties('AWS::EC2::VPNGateway', { AmazonSideAsn: 64600 });
    template.hasResourceProperties('AWS::EC2::CustomerGateway', { IpAddress: '203.0.113.12', BgpAsn: 65010, Type: 'ipsec.1' });
    template.hasResourceProperties('AWS::EC2::VPNConnection', {
      Type: 'ipsec.1',
      StaticRoutesOnly: false,
      CustomerGatewayId: { Ref: Match.stringLikeRegexp('^NetCustomerGateway') },
      VpnGatewayId: { Ref: Match.stringLikeRegexp('^NetVpnGateway') },
    });
    template.resourceCountIs('AWS::EC2::VPNConnectionRoute', 0);
  });

  test('a static VPN connection routes every on-premises CIDR', () => {
    const { template } = network([vpnGateway({ onPremisesCidrs: ['192.168.0.0/16', '172.16.0.0/12'], customerGateway: { ipAddress: '203.0.113.12', staticRoutesOnly: true } })]);
    template.hasResourceProperties('AWS::EC2::CustomerGateway', { BgpAsn: 65000 });
    template.hasResourceProperties('AWS::EC2::VPNConnection', { StaticRoutesOnly: true });
    const routes = Object.values(template.findResources('AWS::EC2::VPNConnectionRoute')).map((r) => r.Properties.DestinationCidrBlock);
    expect(routes).toEqual(['192.168.0.0/16', '172.16.0.0/12']);
  });

  test('a Direct Connect gateway association after the attachment', () => {
    const { template } = network([vpnGateway({ directConnectGatewayId: DX_GATEWAY })]);
    template.hasResource('AWS::DirectConnect::DirectConnectGatewayAssociation', {
      Properties: { DirectConnectGatewayId: DX_GATEWAY, AssociatedGatewayId: { Ref: Match.stringLikeRegexp('^NetVpnGateway') } },
      DependsOn: [Match.stringLikeRegexp('^NetVpnGatewayAttachment')],
    });
  });

  test('reuses a gateway given by id: only propagation is added', () => {
    const { template } = network([vpnGateway({ vpnGatewayId: 'vgw-0123456789abcdef0', directConnectGatewayId: DX_GATEWAY })]);
    template.resourceCountIs('AWS::EC2::VPNGateway', 0);
    template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 1); // the internet gateway's only
    template.hasResourceProperties('AWS::EC2::VPNGatewayRoutePropagation', { VpnGatewayId: 'vgw-0123456789abcdef0' });
    template.hasResourceProperties('AWS::DirectConnect::DirectConnectGatewayAssociation', { AssociatedGatewayId: 'vgw-0123456789abcdef0' });
  });

  test("reuses the VPC's own gateway", () => {
    const stack = testStack();
    const vpc = testVpc(stack, 'Vpc', { vpnGateway: true, vpnRoutePropagation: [] });
    new ManagementNetwork(stack, 'Net', { vpc, access: [vpnGateway()] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPNGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPNGatewayRoutePropagation', {
      VpnGatewayId: stack.resolve(vpc.vpnGatewayId),
      RouteTableIds: vpc.isolatedSubnets.map((s) => stack.resolve(s.routeTable.routeTableId)),
    });
  });

  test.each<[string, Partial<VpnGatewayAccessOptions>, RegExp]>([
    ['no on-premises CIDRs', { onPremisesCidrs: [] }, /^vpnGateway onPremisesCidrs is empty: name the on-premises networks that administer the management subnets/],
    ['an on-premises CIDR of the whole internet', { onPremisesCidrs: ['0.0.0.0/0'] }, /^vpnGateway onPremisesCidrs '0\.0\.0\.0\/0' is the whole address space/],
    ['an on-premises CIDR of the whole IPv6 internet', { onPremisesCidrs: ['::/0'] }, /^vpnGateway onPremisesCidrs '::\/0' is the whole address space/],
    ['an on-premises CIDR inside the VPC', { onPremisesCidrs: ['10.0.0.0/8'] }, /^vpnGateway onPremisesCidrs '10\.0\.0\.0\/8' overlaps the VPC CIDR 10\.0\.0\.0\/16/],
    ['overlapping on-premises CIDRs', { onPremisesCidrs: ['192.168.0.0/16', '192.168.10.0/24'] }, /^vpnGateway onPremisesCidrs '192\.168\.10\.0\/24' overlaps vpnGateway onPremisesCidrs '192\.168\.0\.0\/16'/],
    ['a bad customer gateway address', { customerGateway: { ipAddress: 'vpn.example.com' } }, /^vpnGateway customerGateway\.ipAddress 'vpn\.example\.com' is not an IPv4 address/],
    ['a bad customer gateway ASN', { customerGateway: { ipAddress: '203.0.113.12', bgpAsn: 0 } }, /^vpnGateway customerGateway\.bgpAsn 0 is out of range: use an ASN from 1 to 2147483647$/],
    ['a public Amazon-side ASN', { amazonSideAsn: 16509 }, /^vpnGateway amazonSideAsn 16509 is not a private ASN AWS accepts: use 64512-65534 or 4200000000-4294967294$/],
    ['an Amazon-side ASN for an existing gateway', { vpnGatewayId: 'vgw-1', amazonSideAsn: 64512 }, /^vpnGateway amazonSideAsn 64512 applies only to a new gateway, but the VPC already has virtual private gateway vgw-1: drop amazonSideAsn$/],
    ['a malformed Direct Connect gateway id', { directConnectGatewayId: 'dxgw-1' }, /^vpnGateway directConnectGatewayId 'dxgw-1' is not a Direct Connect gateway ID: AWS gives them as UUIDs/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => network([vpnGateway(options)])).toThrow(message);
  });

  test('an imported management subnet without a route table cannot receive propagated routes', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-1',
      vpcCidrBlock: '10.20.0.0/16',
      availabilityZones: ['eu-west-1a'],
      publicSubnetIds: ['subnet-pub1'],
      isolatedSubnetIds: ['subnet-mgmt1'],
    });
    expect(() => new ManagementNetwork(stack, 'Net', { vpc, access: [vpnGateway()] }))
      .toThrow(/^vpnGateway propagates routes into the management route tables, but the route table of management subnet subnet-mgmt1 is unknown: import the subnet with its routeTableId$/);
  });
});

describe('ManagementAccess.instanceConnectEndpoint', () => {
  test('places the endpoint in the first management subnet with the management security group, client IP not preserved', () => {
    const { template, stack, net } = network([ManagementAccess.instanceConnectEndpoint()]);
    template.resourceCountIs('AWS::EC2::InstanceConnectEndpoint', 1);
    template.hasResourceProperties('AWS::EC2::InstanceConnectEndpoint', {
      SubnetId: stack.resolve(net.managementSubnets.subnets[0].subnetId),
      SecurityGroupIds: [stack.resolve(net.managementSecurityGroup.securityGroupId)],
      PreserveClientIp: false,
    });
    expect(net.instanceConnectEndpoint).toBeDefined();
    // Adds no CIDR: connections come from the endpoint's address inside the management subnet.
    expect(net.managementCidrs).toEqual([]);
  });

  test('can be placed in a chosen Availability Zone', () => {
    const { template, stack, net } = network([ManagementAccess.instanceConnectEndpoint({ availabilityZone: 'dummy1b' })]);
    template.hasResourceProperties('AWS::EC2::InstanceConnectEndpoint', { SubnetId: stack.resolve(net.managementSubnets.subnets[1].subnetId) });
  });

  test('rejects an Availability Zone without a management subnet', () => {
    expect(() => network([ManagementAccess.instanceConnectEndpoint({ availabilityZone: 'eu-west-1c' })]))
      .toThrow(/^instanceConnectEndpoint availabilityZone 'eu-west-1c' has no management subnet: choose one of \["dummy1a","dummy1b"\]$/);
  });
});

describe('ManagementAccess.sessionManager', () => {
  test('creates ssm, ssmmessages and ec2messages endpoints in the management subnets with private DNS', () => {
    const { template, stack, net } = network([ManagementAccess.sessionManager()]);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
    for (const service of ['ssm', 'ssmmessages', 'ec2messages']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: net.managementSubnets.subnets.map((s) => stack.resolve(s.subnetId)),
      });
    }
    expect(net.sessionManagerEndpoints).toHaveLength(3);
  });

  test('the endpoint security group admits HTTPS from the VPC only and sends nothing', () => {
    const { template } = network([ManagementAccess.sessionManager()]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'TestStack/Net Systems Manager endpoints',
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('private DNS can be turned off', () => {
    const { template } = network([ManagementAccess.sessionManager({ privateDnsEnabled: false })]);
    template.allResourcesProperties('AWS::EC2::VPCEndpoint', { PrivateDnsEnabled: false });
  });
});

describe('Combining access', () => {
  test('every kind together, with one management security group shared by the ways in', () => {
    const { template, net } = network([
      clientVpn(),
      vpnGateway(),
      ManagementAccess.instanceConnectEndpoint(),
      ManagementAccess.sessionManager(),
    ]);
    expect(net.accessKinds).toEqual(['clientVpn', 'vpnGateway', 'instanceConnectEndpoint', 'sessionManager']);
    expect(net.managementCidrs).toEqual(['10.100.0.0/22', '192.168.0.0/16']);
    template.resourceCountIs('AWS::EC2::ClientVpnEndpoint', 1);
    template.resourceCountIs('AWS::EC2::VPNGateway', 1);
    template.resourceCountIs('AWS::EC2::InstanceConnectEndpoint', 1);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
  });

  test('addAccess after construction', () => {
    const stack = testStack();
    const net = new ManagementNetwork(stack, 'Net');
    net.addAccess(vpnGateway());
    expect(net.accessKinds).toEqual(['vpnGateway']);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPNGateway', 1);
  });

  test.each([
    ['clientVpn', () => clientVpn()],
    ['vpnGateway', () => vpnGateway()],
    ['instanceConnectEndpoint', () => ManagementAccess.instanceConnectEndpoint()],
    ['sessionManager', () => ManagementAccess.sessionManager()],
  ])('%s can be added once', (kind, make) => {
    const stack = testStack();
    const net = new ManagementNetwork(stack, 'Net', { access: [make()] });
    expect(() => net.addAccess(make())).toThrow(`access ${kind} is already configured on TestStack/Net: each kind of management access can be added once`);
  });
});

describe('each access keeps what it creates', () => {
  test('the resources are read from the access, and the network shortcuts return the same objects', () => {
    const vpn = new ClientVpnAccess({ cidr: '10.100.0.0/22', serverCertificateArn: SERVER_CERT, clientCertificateArn: CLIENT_CERT });
    const gateway = new VpnGatewayAccess({
      onPremisesCidrs: ['192.168.0.0/16'],
      customerGateway: { ipAddress: '203.0.113.12' },
      directConnectGatewayId: DX_GATEWAY,
    });
    const eic = new InstanceConnectEndpointAccess();
    const ssm = new SessionManagerAccess();
    // Before the access joins a network it has created nothing.
    for (const resource of [vpn.endpoint, vpn.logGroup, gateway.vpnGatewayId, eic.endpoint, ssm.securityGroup]) {
      expect(resource).toBeUndefined();
    }
    expect(ssm.endpoints).toEqual([]);

    const { net, stack } = network([vpn, gateway, eic, ssm]);

    expect(vpn.endpoint).toBeInstanceOf(ec2.ClientVpnEndpoint);
    expect(net.clientVpnEndpoint).toBe(vpn.endpoint);
    expect(vpn.logGroup?.logGroupName).toBeDefined();
    expect(stack.resolve(gateway.vpnGatewayId)).toEqual({ Ref: 'NetVpnGatewayD251F029' });
    expect(net.vpnGatewayId).toBe(gateway.vpnGatewayId);
    expect(gateway.customerGateway?.ipAddress).toBe('203.0.113.12');
    expect(net.vpnConnection).toBe(gateway.vpnConnection);
    expect(gateway.directConnectGatewayAssociation?.directConnectGatewayId).toBe(DX_GATEWAY);
    expect(net.instanceConnectEndpoint).toBe(eic.endpoint);
    expect(ssm.endpoints).toHaveLength(3);
    expect(net.sessionManagerEndpoints).toEqual(ssm.endpoints);
    expect(ssm.securityGroup).toBeDefined();
    expect(net.clientVpnLogGroup).toBe(vpn.logGroup);
    expect(net.customerGateway).toBe(gateway.customerGateway);
    expect(net.directConnectGatewayAssociation).toBe(gateway.directConnectGatewayAssociation);
    expect(net.sessionManagerSecurityGroup).toBe(ssm.securityGroup);
  });

  test('without an access of a kind, the network shortcut is empty', () => {
    const { net } = network([vpnGateway()]);
    expect(net.clientVpnEndpoint).toBeUndefined();
    expect(net.instanceConnectEndpoint).toBeUndefined();
    expect(net.sessionManagerEndpoints).toEqual([]);
  });

  test('one access shared by two networks in two stacks: each synthesizes as with its own access', () => {
    // Sharing `access` across stacks worked before the accesses kept their resources, and must keep working.
    const shared = (): ManagementAccess[] => [
      clientVpn(), vpnGateway({ customerGateway: { ipAddress: '203.0.113.12' }, directConnectGatewayId: DX_GATEWAY }),
      ManagementAccess.instanceConnectEndpoint(), ManagementAccess.sessionManager(),
    ];
    const access = shared();
    const app = testApp();
    const stacks = ['First', 'Second'].map((id) => testStack(app, id));
    const nets = stacks.map((stack) => new ManagementNetwork(stack, 'Net', { access }));
    for (const [i, stack] of stacks.entries()) {
      const alone = testStack(testApp(), stack.stackName);
      new ManagementNetwork(alone, 'Net', { access: shared() });
      expect(Template.fromStack(stack).toJSON()).toEqual(Template.fromStack(alone).toJSON());
      expect(nets[i].accessKinds).toEqual(['clientVpn', 'vpnGateway', 'instanceConnectEndpoint', 'sessionManager']);
    }
    // Each network's getters return what was created in that network.
    const [first, second] = nets;
    expect(first.clientVpnEndpoint).toBeInstanceOf(ec2.ClientVpnEndpoint);
    expect(second.clientVpnEndpoint).toBeInstanceOf(ec2.ClientVpnEndpoint);
    expect(first.clientVpnEndpoint).not.toBe(second.clientVpnEndpoint);
    expect(Stack.of(second.clientVpnEndpoint!)).toBe(stacks[1]);
    expect(Stack.of(second.clientVpnLogGroup!)).toBe(stacks[1]);
    expect(Stack.of(second.customerGateway!)).toBe(stacks[1]);
    expect(Stack.of(second.vpnConnection!)).toBe(stacks[1]);
    expect(Stack.of(second.directConnectGatewayAssociation!)).toBe(stacks[1]);
    expect(Stack.of(second.instanceConnectEndpoint!)).toBe(stacks[1]);
    expect(Stack.of(second.sessionManagerSecurityGroup!)).toBe(stacks[1]);
    expect(second.sessionManagerEndpoints.map((e) => Stack.of(e))).toEqual([stacks[1], stacks[1], stacks[1]]);
    expect(first.sessionManagerEndpoints[0]).not.toBe(second.sessionManagerEndpoints[0]);
    expect(stacks[1].resolve(second.vpnGatewayId)).toEqual({ Ref: 'NetVpnGatewayD251F029' });
  });

  test("a shared access's own getters cannot tell the networks apart: they name them and point at the network's getters", () => {
    const app = testApp();
    const vpn = new ClientVpnAccess({ cidr: '10.100.0.0/22', serverCertificateArn: SERVER_CERT, clientCertificateArn: CLIENT_CERT });
    const ssm = new SessionManagerAccess();
    new ManagementNetwork(testStack(app, 'First'), 'Net', { access: [vpn, ssm] });
    expect(vpn.endpoint).toBeInstanceOf(ec2.ClientVpnEndpoint);
    new ManagementNetwork(testStack(app, 'Second'), 'Net', { access: [vpn, ssm] });
    expect(() => vpn.endpoint).toThrow('clientVpn endpoint is ambiguous: the access is added to 2 networks (First/Net, Second/Net) and created one in each; read clientVpnEndpoint from the ManagementNetwork instead');
    expect(() => vpn.logGroup).toThrow('read clientVpnLogGroup from the ManagementNetwork instead');
    expect(() => ssm.endpoints).toThrow('sessionManager endpoints is ambiguous: the access is added to 2 networks (First/Net, Second/Net)');
    expect(() => ssm.securityGroup).toThrow('read sessionManagerSecurityGroup from the ManagementNetwork instead');
  });

  test('a failed add records nothing: the access stays free for another network', () => {
    const app = testApp();
    // 10.0.0.0/16 overlaps the client CIDR: the first network rejects the access.
    const vpn = new ClientVpnAccess({ cidr: '10.0.0.0/22', serverCertificateArn: SERVER_CERT, clientCertificateArn: CLIENT_CERT });
    const rejecting = new ManagementNetwork(testStack(app, 'First'), 'Net', { cidr: '10.0.0.0/16' });
    expect(() => rejecting.addAccess(vpn)).toThrow(/clientVpn cidr '10\.0\.0\.0\/22'/);
    expect(rejecting.accessKinds).toEqual([]);
    expect(rejecting.clientVpnEndpoint).toBeUndefined();

    const accepting = new ManagementNetwork(testStack(app, 'Second'), 'Net', { cidr: '10.20.0.0/16', access: [vpn] });
    // The access was added to one network only, so its own getter answers for that network.
    expect(vpn.endpoint).toBeInstanceOf(ec2.ClientVpnEndpoint);
    expect(vpn.endpoint).toBe(accepting.clientVpnEndpoint);
    expect(vpn.logGroup).toBe(accepting.clientVpnLogGroup);
  });
});
