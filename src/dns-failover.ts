import * as route53 from 'aws-cdk-lib/aws-route53';
import { Duration, Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { parseIpv4, ipv4InCidr } from './private/ip';

/**
 * How Route 53 health checkers probe an endpoint.
 */
export enum DnsHealthCheckProtocol {
  /** A TCP connection, then an HTTP request that must answer with a status from 200 to 399. */
  HTTP = 'HTTP',
  /** A TCP connection, then an HTTPS request that must answer with a status from 200 to 399. */
  HTTPS = 'HTTPS',
  /** A TCP connection only. */
  TCP = 'TCP',
}

/**
 * Properties of a {@link DnsFailover}.
 */
export interface DnsFailoverProps {
  /** The hosted zone that gets the two failover records. */
  readonly zone: route53.IHostedZone;

  /**
   * The record name, relative to the zone (`www`) or fully qualified (`www.example.com.`).
   */
  readonly recordName: string;

  /**
   * The public IPv4 address the PRIMARY record answers with while its health check passes,
   * typically the primary instance's Elastic IP (`eni.elasticIps[0].publicIp`).
   */
  readonly primaryAddress: string;

  /**
   * The public IPv4 address the SECONDARY record answers with while the primary is unhealthy,
   * typically the standby instance's Elastic IP.
   */
  readonly secondaryAddress: string;

  /**
   * How Route 53 probes the endpoints.
   *
   * @default DnsHealthCheckProtocol.HTTP
   */
  readonly protocol?: DnsHealthCheckProtocol;

  /**
   * The port Route 53 probes.
   *
   * @default - 80 for HTTP, 443 for HTTPS; required for TCP
   */
  readonly port?: number;

  /**
   * The path Route 53 requests (HTTP and HTTPS only); it must start with `/`.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * The domain name Route 53 sends in the `Host` header and, for HTTPS, as TLS SNI.
   *
   * @default - the record's fully qualified name when the zone name is known, otherwise none
   */
  readonly healthCheckDomainName?: string;

  /**
   * Time between two probes of one Route 53 health checker: 10 seconds (a "fast" health check,
   * at extra cost) or 30 seconds.
   *
   * @default Duration.seconds(30)
   */
  readonly requestInterval?: Duration;

  /**
   * How many consecutive probes must fail (or pass) before Route 53 changes the endpoint's status:
   * 1 to 10.
   *
   * @default 3
   */
  readonly failureThreshold?: number;

  /**
   * The Time To Live of both records: how long resolvers may keep answering with an address
   * after Route 53 has switched.
   *
   * @default Duration.seconds(60)
   */
  readonly ttl?: Duration;

  /**
   * Whether the SECONDARY record has a health check of its own. With one, Route 53 answers with
   * the primary when both are unhealthy (it then treats both as healthy); without one, the
   * secondary is always considered healthy.
   *
   * @default false
   */
  readonly checkSecondary?: boolean;

  /**
   * Regions the Route 53 health checkers probe from (at least 3).
   *
   * @default - every Region Route 53 health checkers run in
   */
  readonly regions?: string[];
}

/**
 * DNS failover between a primary and a standby endpoint: two Route 53 failover records for one
 * name (PRIMARY on the primary's public address, SECONDARY on the standby's) and Route 53 health
 * checks that decide which one is served.
 *
 * Clients see a different address after a switch, and only once their cached answer expires
 * (`ttl`); the detection time is about `requestInterval` x `failureThreshold`. Compare with
 * `EniFailover`, which keeps the address and moves the interface instead.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html
 */
export class DnsFailover extends Construct {
  /** The PRIMARY failover record. */
  public readonly primaryRecord: route53.ARecord;

  /** The SECONDARY failover record. */
  public readonly secondaryRecord: route53.ARecord;

  /** The health check of the primary endpoint. */
  public readonly primaryHealthCheck: route53.IHealthCheck;

  /**
   * The health check of the secondary endpoint.
   *
   * @default - none unless `checkSecondary` is true
   */
  public readonly secondaryHealthCheck?: route53.IHealthCheck;

  /**
   * The worst-case seconds from the primary failing to Route 53 serving the secondary:
   * `requestInterval` x `failureThreshold` (before resolvers' caches expire, see `ttl`).
   */
  public readonly detectionSeconds: number;

  constructor(scope: Construct, id: string, props: DnsFailoverProps) {
    super(scope, id);

    const protocol = props.protocol ?? DnsHealthCheckProtocol.HTTP;
    const interval = props.requestInterval ?? Duration.seconds(30);
    const failureThreshold = props.failureThreshold ?? 3;
    const ttl = props.ttl ?? Duration.seconds(60);
    const port = props.port ?? defaultPort(protocol);
    validate(props, protocol, port, interval, failureThreshold, ttl);

    this.detectionSeconds = interval.toSeconds() * failureThreshold;
    const domainName = props.healthCheckDomainName ?? recordFqdn(props.zone, props.recordName);

    const healthCheck = (childId: string, ipAddress: string): route53.HealthCheck => new route53.HealthCheck(this, childId, {
      type: protocol === DnsHealthCheckProtocol.HTTP ? route53.HealthCheckType.HTTP
        : protocol === DnsHealthCheckProtocol.HTTPS ? route53.HealthCheckType.HTTPS : route53.HealthCheckType.TCP,
      ipAddress,
      port,
      resourcePath: protocol === DnsHealthCheckProtocol.TCP ? undefined : (props.path ?? '/'),
      fqdn: protocol === DnsHealthCheckProtocol.TCP ? undefined : domainName,
      requestInterval: interval,
      failureThreshold,
      regions: props.regions,
    });

    this.primaryHealthCheck = healthCheck('PrimaryHealthCheck', props.primaryAddress);
    if (props.checkSecondary) {
      this.secondaryHealthCheck = healthCheck('SecondaryHealthCheck', props.secondaryAddress);
    }

    this.primaryRecord = new route53.ARecord(this, 'PrimaryRecord', {
      zone: props.zone,
      recordName: props.recordName,
      target: route53.RecordTarget.fromIpAddresses(props.primaryAddress),
      ttl,
      failover: route53.Failover.PRIMARY,
      setIdentifier: 'primary',
      healthCheck: this.primaryHealthCheck,
      comment: 'PRIMARY failover record: served while the primary health check passes',
    });
    this.secondaryRecord = new route53.ARecord(this, 'SecondaryRecord', {
      zone: props.zone,
      recordName: props.recordName,
      target: route53.RecordTarget.fromIpAddresses(props.secondaryAddress),
      ttl,
      failover: route53.Failover.SECONDARY,
      setIdentifier: 'secondary',
      healthCheck: this.secondaryHealthCheck,
      comment: 'SECONDARY failover record: served while the primary is unhealthy',
    });
  }
}

/**
 * Address ranges Route 53 health checkers cannot reach: local, private, shared, link-local,
 * multicast and reserved ranges (see the IPAddress element of the HealthCheckConfig API).
 */
const UNREACHABLE_RANGES = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
];

function defaultPort(protocol: DnsHealthCheckProtocol): number | undefined {
  switch (protocol) {
    case DnsHealthCheckProtocol.HTTP: return 80;
    case DnsHealthCheckProtocol.HTTPS: return 443;
    default: return undefined;
  }
}

function validate(props: DnsFailoverProps, protocol: DnsHealthCheckProtocol, port: number | undefined,
  interval: Duration, failureThreshold: number, ttl: Duration): void {
  for (const [name, address] of [['primaryAddress', props.primaryAddress], ['secondaryAddress', props.secondaryAddress]] as const) {
    if (Token.isUnresolved(address)) {
      continue;
    }
    if (parseIpv4(address) === undefined) {
      throw new Error(`${name} '${address}' is not an IPv4 address: pass the endpoint's public IPv4 address, such as its Elastic IP`);
    }
    const range = UNREACHABLE_RANGES.find((cidr) => ipv4InCidr(address, cidr));
    if (range) {
      throw new Error(`${name} '${address}' is in ${range}, which Route 53 health checkers on the internet cannot reach: pass the endpoint's public IPv4 address, such as its Elastic IP`);
    }
  }
  if (!Token.isUnresolved(props.primaryAddress) && props.primaryAddress === props.secondaryAddress) {
    throw new Error(`primaryAddress and secondaryAddress are both '${props.primaryAddress}': failover needs two different endpoints`);
  }
  if (port === undefined) {
    throw new Error(`port is required for protocol ${protocol}: give the TCP port Route 53 connects to`);
  }
  if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new Error(`port ${port} is not allowed: use a TCP port from 1 to 65535`);
  }
  if (props.path !== undefined && !Token.isUnresolved(props.path)) {
    if (protocol === DnsHealthCheckProtocol.TCP) {
      throw new Error(`path '${props.path}' is given for protocol TCP, which sends no request: drop path or use HTTP or HTTPS`);
    }
    if (!props.path.startsWith('/') || props.path.length > 255) {
      throw new Error(`path '${props.path}' is not allowed: use a path that starts with '/' and is at most 255 characters long`);
    }
  }
  if (props.healthCheckDomainName !== undefined && protocol === DnsHealthCheckProtocol.TCP) {
    throw new Error(`healthCheckDomainName '${props.healthCheckDomainName}' is given for protocol TCP, which sends no Host header or SNI: drop it or use HTTP or HTTPS`);
  }
  const seconds = interval.toSeconds({ integral: false });
  if (!Token.isUnresolved(seconds) && seconds !== 10 && seconds !== 30) {
    throw new Error(`requestInterval ${interval.toHumanString()} is not allowed: Route 53 health checks probe every 10 seconds (fast) or 30 seconds (standard)`);
  }
  if (!Token.isUnresolved(failureThreshold) && (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10)) {
    throw new Error(`failureThreshold ${failureThreshold} is not allowed: use a whole number from 1 to 10`);
  }
  const ttlSeconds = ttl.toSeconds({ integral: false });
  if (!Token.isUnresolved(ttlSeconds) && (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > 2147483647)) {
    throw new Error(`ttl ${ttl.toHumanString()} is not allowed: use whole seconds from 0 to 2147483647`);
  }
  if (props.regions !== undefined && props.regions.length < 3) {
    throw new Error(`regions ${JSON.stringify(props.regions)} lists ${props.regions.length}: Route 53 needs at least 3 health checker Regions; list 3 or more, or leave regions unset for all`);
  }
}

/** The record's fully qualified name (without the trailing dot), or undefined when the zone name is unknown. */
function recordFqdn(zone: route53.IHostedZone, recordName: string): string | undefined {
  if (Token.isUnresolved(recordName)) {
    return undefined;
  }
  if (recordName.endsWith('.')) {
    return recordName.slice(0, -1);
  }
  const zoneName = zone.zoneName;
  if (Token.isUnresolved(zoneName)) {
    return undefined;
  }
  const bare = zoneName.replace(/\.$/, '');
  return recordName === bare || recordName.endsWith(`.${bare}`) ? recordName : `${recordName}.${bare}`;
}
