import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { cfnLintStacks, nagFindings } from './compliance';
import { testStack } from './util';
import { DnsFailover, DnsFailoverProps, DnsHealthCheckProtocol } from '../src';

function zoneStack(): { stack: Stack; zone: route53.IHostedZone } {
  const stack = testStack();
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  return { stack, zone };
}

function build(props: Partial<DnsFailoverProps> = {}): { stack: Stack; failover: DnsFailover; template: Template } {
  const { stack, zone } = zoneStack();
  const failover = new DnsFailover(stack, 'Dns', {
    zone,
    recordName: 'www',
    primaryAddress: '203.0.113.10',
    secondaryAddress: '198.51.100.20',
    ...props,
  });
  return { stack, failover, template: Template.fromStack(stack) };
}

describe('DnsFailover', () => {
  test('the PRIMARY record answers with the primary address and carries the primary health check', () => {
    const { template } = build();
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'www.example.com.',
      Type: 'A',
      Failover: 'PRIMARY',
      SetIdentifier: 'primary',
      ResourceRecords: ['203.0.113.10'],
      TTL: '60',
      HealthCheckId: { Ref: Match.stringLikeRegexp('^DnsPrimaryHealthCheck') },
    });
  });

  test('the SECONDARY record answers with the standby address and has no health check by default', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'www.example.com.',
      Failover: 'SECONDARY',
      SetIdentifier: 'secondary',
      ResourceRecords: ['198.51.100.20'],
      TTL: '60',
      HealthCheckId: Match.absent(),
    });
    template.resourceCountIs('AWS::Route53::HealthCheck', 1);
  });

  test('the default health check is HTTP on port 80, path /, every 30 s, 3 failures, with the record name as Host', () => {
    const { template, failover } = build();
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTP',
        IPAddress: '203.0.113.10',
        Port: 80,
        ResourcePath: '/',
        FullyQualifiedDomainName: 'www.example.com',
        RequestInterval: 30,
        FailureThreshold: 3,
      },
    });
    expect(failover.detectionSeconds).toBe(90);
  });

  test.each([
    [DnsHealthCheckProtocol.HTTP, undefined, 80, '/'],
    [DnsHealthCheckProtocol.HTTPS, undefined, 443, '/'],
    [DnsHealthCheckProtocol.HTTPS, 8443, 8443, '/'],
    [DnsHealthCheckProtocol.TCP, 22, 22, undefined],
  ])('protocol %s with port %s probes port %s', (protocol, port, expectedPort, expectedPath) => {
    const { template } = build({ protocol, port });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: protocol,
        Port: expectedPort,
        ResourcePath: expectedPath ?? Match.absent(),
        FullyQualifiedDomainName: protocol === DnsHealthCheckProtocol.TCP ? Match.absent() : 'www.example.com',
      }),
    });
  });

  test('interval, threshold, path, TTL, Host name and Regions are configurable', () => {
    const { template, failover } = build({
      requestInterval: Duration.seconds(10),
      failureThreshold: 2,
      path: '/healthz',
      ttl: Duration.seconds(30),
      healthCheckDomainName: 'health.example.com',
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
    });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        RequestInterval: 10,
        FailureThreshold: 2,
        ResourcePath: '/healthz',
        FullyQualifiedDomainName: 'health.example.com',
        Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      }),
    });
    template.allResourcesProperties('AWS::Route53::RecordSet', { TTL: '30' });
    expect(failover.detectionSeconds).toBe(20);
  });

  test('checkSecondary gives the SECONDARY record a health check on the standby address', () => {
    const { template, failover } = build({ checkSecondary: true });
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ IPAddress: '198.51.100.20' }),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Failover: 'SECONDARY',
      HealthCheckId: { Ref: Match.stringLikeRegexp('^DnsSecondaryHealthCheck') },
    });
    expect(failover.secondaryHealthCheck).toBeDefined();
  });

  test('a fully qualified record name is used as is', () => {
    const { template } = build({ recordName: 'api.example.com.' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.' });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'api.example.com' }),
    });
  });

  test('an imported zone works, and a record name that already ends in the zone name is not doubled', () => {
    const stack = testStack();
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.org.' });
    new DnsFailover(stack, 'Dns', { zone, recordName: 'www.example.org', primaryAddress: '203.0.113.10', secondaryAddress: '198.51.100.20' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'www.example.org' }),
    });
    template.allResourcesProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z0123456789ABC', Name: 'www.example.org.' });
  });

  test('a record name given as a token sends no Host name', () => {
    const { stack, zone } = zoneStack();
    new DnsFailover(stack, 'Dns', {
      zone,
      recordName: Token.asString({ Ref: 'RecordNameParam' }),
      primaryAddress: '203.0.113.10',
      secondaryAddress: '198.51.100.20',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: Match.absent() }),
    });
  });

  test('addresses given as tokens (Elastic IPs created in the stack) are not parsed', () => {
    const { stack, zone } = zoneStack();
    const a = new ec2.CfnEIP(stack, 'A', { domain: 'vpc' });
    const b = new ec2.CfnEIP(stack, 'B', { domain: 'vpc' });
    new DnsFailover(stack, 'Dns', { zone, recordName: 'www', primaryAddress: a.attrPublicIp, secondaryAddress: b.attrPublicIp });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ IPAddress: { 'Fn::GetAtt': ['A', 'PublicIp'] } }),
    });
  });

  test.each<[string, Partial<DnsFailoverProps>, string]>([
    ['a malformed address', { primaryAddress: 'web-1' },
      "primaryAddress 'web-1' is not an IPv4 address: pass the endpoint's public IPv4 address, such as its Elastic IP"],
    ['a private address', { secondaryAddress: '10.0.2.15' },
      "secondaryAddress '10.0.2.15' is in 10.0.0.0/8, which Route 53 health checkers on the internet cannot reach: pass the endpoint's public IPv4 address, such as its Elastic IP"],
    ['a link-local address', { primaryAddress: '169.254.169.254' },
      "primaryAddress '169.254.169.254' is in 169.254.0.0/16, which Route 53 health checkers on the internet cannot reach"],
    ['the same address twice', { secondaryAddress: '203.0.113.10' },
      "primaryAddress and secondaryAddress are both '203.0.113.10': failover needs two different endpoints"],
    ['TCP without a port', { protocol: DnsHealthCheckProtocol.TCP },
      'port is required for protocol TCP: give the TCP port Route 53 connects to'],
    ['a port out of range', { port: 70000 },
      'port 70000 is not allowed: use a TCP port from 1 to 65535'],
    ['a path for TCP', { protocol: DnsHealthCheckProtocol.TCP, port: 22, path: '/health' },
      "path '/health' is given for protocol TCP, which sends no request: drop path or use HTTP or HTTPS"],
    ['a path without a leading slash', { path: 'health' },
      "path 'health' is not allowed: use a path that starts with '/' and is at most 255 characters long"],
    ['a Host name for TCP', { protocol: DnsHealthCheckProtocol.TCP, port: 22, healthCheckDomainName: 'a.example.com' },
      "healthCheckDomainName 'a.example.com' is given for protocol TCP, which sends no Host header or SNI"],
    ['an interval of 15 s', { requestInterval: Duration.seconds(15) },
      'requestInterval 15 seconds is not allowed: Route 53 health checks probe every 10 seconds (fast) or 30 seconds (standard)'],
    ['an interval of 1 minute', { requestInterval: Duration.minutes(1) },
      'requestInterval 1 minute is not allowed'],
    ['a threshold of 0', { failureThreshold: 0 },
      'failureThreshold 0 is not allowed: use a whole number from 1 to 10'],
    ['a threshold of 11', { failureThreshold: 11 },
      'failureThreshold 11 is not allowed: use a whole number from 1 to 10'],
    ['a fractional threshold', { failureThreshold: 2.5 },
      'failureThreshold 2.5 is not allowed'],
    ['a fractional TTL', { ttl: Duration.millis(1500) },
      'ttl 1 second 500 millis is not allowed: use whole seconds from 0 to 2147483647'],
    ['two Regions', { regions: ['us-east-1', 'eu-west-1'] },
      'regions ["us-east-1","eu-west-1"] lists 2: Route 53 needs at least 3 health checker Regions; list 3 or more, or leave regions unset for all'],
  ])('%s is an error', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('has no cdk-nag finding and the template is cfn-lint clean', () => {
    const { stack } = build({ checkSecondary: true, protocol: DnsHealthCheckProtocol.HTTPS, requestInterval: Duration.seconds(10) });
    expect(nagFindings(stack)).toEqual([]);
    expect(cfnLintStacks(stack)).toEqual('');
  });
});
