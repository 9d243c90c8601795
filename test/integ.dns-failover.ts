import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DnsFailover, NetworkInterface } from '../src';

// Scenario: two web servers with an Elastic IP each, and Route 53 failover records for one name.
// On a real account the assertions check that the hosted zone holds the PRIMARY and SECONDARY
// records and that Route 53 health checkers see the primary as healthy (its web server answers).
const app = new App();
const stack = new Stack(app, 'DnsFailoverInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.31.0.0/16'),
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
});
const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'dns-failover-integ.example.com' });

const userData = ec2.UserData.forLinux();
userData.addCommands(
  'mkdir -p /srv/www && echo ok > /srv/www/index.html',
  'nohup python3 -m http.server 80 --directory /srv/www >/var/log/http.log 2>&1 &',
);

const addresses = ['Primary', 'Standby'].map((name, i) => {
  const eni = new NetworkInterface(stack, `${name}Eni`, {
    vpc,
    vpcSubnets: { subnetGroupName: 'Public', availabilityZones: [vpc.availabilityZones[i]] },
    elasticIps: [{}],
  });
  eni.connections.allowFromAnyIpv4(ec2.Port.tcp(80), 'HTTP health checks from Route 53');
  const server = new ec2.Instance(stack, `${name}Server`, {
    vpc,
    vpcSubnets: { subnets: [eni.subnet] },
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    requireImdsv2: true,
    userData,
  });
  server.connections.allowFromAnyIpv4(ec2.Port.tcp(80), 'HTTP health checks from Route 53');
  eni.attachToInstance(server);
  return eni.elasticIps[0].publicIp!;
});

const failover = new DnsFailover(stack, 'Failover', {
  zone,
  recordName: 'www',
  primaryAddress: addresses[0],
  secondaryAddress: addresses[1],
  requestInterval: Duration.seconds(10),
  failureThreshold: 2,
  ttl: Duration.seconds(30),
  checkSecondary: true,
});

const integ = new IntegTest(app, 'DnsFailoverTest', { testCases: [stack] });
integ.assertions
  .awsApiCall('Route53', 'listResourceRecordSets', {
    HostedZoneId: zone.hostedZoneId,
    StartRecordName: 'www.dns-failover-integ.example.com',
    StartRecordType: 'A',
    MaxItems: '2',
  })
  .expect(ExpectedResult.objectLike({
    ResourceRecordSets: [
      { Name: 'www.dns-failover-integ.example.com.', Type: 'A', Failover: 'PRIMARY', TTL: 30 },
      { Name: 'www.dns-failover-integ.example.com.', Type: 'A', Failover: 'SECONDARY', TTL: 30 },
    ],
  }));
integ.assertions
  .awsApiCall('Route53', 'getHealthCheckStatus', { HealthCheckId: failover.primaryHealthCheck.healthCheckId })
  .assertAtPath('HealthCheckObservations.0.StatusReport.Status', ExpectedResult.stringLikeRegexp('^Success'))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
