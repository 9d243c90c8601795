/**
 * The health probe of `EniFailover` (`FailoverTrigger.healthProbe()`). Runs on a schedule inside
 * the VPC, connects to every candidate instance's private address (TCP connect, or an HTTP GET
 * that must answer 2xx/3xx) and emits one `ProbeSuccess` metric (1 or 0) per instance with the
 * dimension `InstanceId`, as CloudWatch embedded metric format through Powertools. An alarm per
 * instance turns a hung application into an `ALARM` that reaches the reconcile Lambda.
 *
 * Metrics go out through the function's log stream, so the probe needs no route to the
 * CloudWatch API and no IAM permission to put metrics.
 */
import * as http from 'http';
import * as net from 'net';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Names of the environment variables the probe reads. */
export const PROBE_ENV = {
  TARGETS: 'PROBE_TARGETS',
  PORT: 'PROBE_PORT',
  PROTOCOL: 'PROBE_PROTOCOL',
  PATH: 'PROBE_PATH',
  TIMEOUT_MS: 'PROBE_TIMEOUT_MS',
} as const;

/** Name of the metric the probe emits per instance. */
export const PROBE_METRIC = 'ProbeSuccess';

/** One instance to probe. */
export interface ProbeTarget {
  readonly instanceId: string;
  readonly address: string;
}

/** Configuration of the probe, read from its environment. */
export interface ProbeSettings {
  readonly targets: readonly ProbeTarget[];
  readonly port: number;
  readonly protocol: 'TCP' | 'HTTP';
  readonly path: string;
  readonly timeoutMs: number;
}

/** Outcome of probing one target. */
export interface ProbeResult {
  readonly instanceId: string;
  readonly address: string;
  readonly healthy: boolean;
  readonly latencyMs: number;
  /** Why the probe failed. */
  readonly reason?: string;
}

/** Reads and validates the probe's environment. */
export function probeSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): ProbeSettings {
  const raw = env[PROBE_ENV.TARGETS] ?? '';
  const targets = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((entry) => {
    const [instanceId, address, ...rest] = entry.split('=');
    if (!instanceId || !address || rest.length > 0 || net.isIP(address) === 0) {
      throw new Error(`${PROBE_ENV.TARGETS} entry '${entry}' is not of the form <instance id>=<IP address>`);
    }
    return { instanceId, address };
  });
  if (targets.length === 0) {
    throw new Error(`${PROBE_ENV.TARGETS} '${raw}' is empty: give <instance id>=<IP address> pairs separated by commas`);
  }
  const port = Number(env[PROBE_ENV.PORT]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${PROBE_ENV.PORT} '${env[PROBE_ENV.PORT]}' is not a port number from 1 to 65535`);
  }
  const protocol = (env[PROBE_ENV.PROTOCOL] ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'HTTP') {
    throw new Error(`${PROBE_ENV.PROTOCOL} '${env[PROBE_ENV.PROTOCOL]}' is not supported: use TCP or HTTP`);
  }
  const path = env[PROBE_ENV.PATH] || '/';
  if (!path.startsWith('/')) {
    throw new Error(`${PROBE_ENV.PATH} '${path}' must start with '/'`);
  }
  const timeoutMs = env[PROBE_ENV.TIMEOUT_MS] === undefined ? 3000 : Number(env[PROBE_ENV.TIMEOUT_MS]);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000) {
    throw new Error(`${PROBE_ENV.TIMEOUT_MS} '${env[PROBE_ENV.TIMEOUT_MS]}' is not an integer from 100 to 60000`);
  }
  return { targets, port, protocol, path, timeoutMs };
}

/** Opens a TCP connection and closes it again. */
export function probeTcp(target: ProbeTarget, port: number, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.address, port });
    const done = (healthy: boolean, reason?: string) => {
      socket.destroy();
      resolve({ ...target, healthy, latencyMs: Date.now() - started, reason });
    };
    socket.setTimeout(timeoutMs, () => done(false, `no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(true));
    socket.once('error', (err) => done(false, err.message));
  });
}

/** Sends `GET path` and expects a 2xx or 3xx answer within the timeout. */
export function probeHttp(target: ProbeTarget, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (healthy: boolean, reason?: string) => {
      if (settled) return;
      settled = true;
      resolve({ ...target, healthy, latencyMs: Date.now() - started, reason });
    };
    const request = http.get({ host: target.address, port, path, timeout: timeoutMs, headers: { 'user-agent': 'eni-failover-probe' } }, (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      done(status >= 200 && status < 400, status >= 200 && status < 400 ? undefined : `HTTP status ${status}`);
      request.destroy();
    });
    request.once('timeout', () => {
      done(false, `no answer within ${timeoutMs} ms`);
      request.destroy();
    });
    request.once('error', (err) => done(false, err.message));
  });
}

/** The parts of Powertools the probe uses. */
export interface ProbeDeps {
  readonly settings: ProbeSettings;
  readonly logger: { info(message: string, fields: object): void; warn(message: string, fields: object): void };
  /** Emits one value of `ProbeSuccess` for an instance. */
  readonly emit: (instanceId: string, value: number) => void;
}

/** Builds the handler around injected dependencies (created once, on first use). */
export function createProbeHandler(makeDeps: () => ProbeDeps) {
  let deps: ProbeDeps | undefined;
  return async (): Promise<ProbeResult[]> => {
    deps ??= makeDeps();
    const { settings, logger, emit } = deps;
    const results = await Promise.all(settings.targets.map((t) => settings.protocol === 'HTTP'
      ? probeHttp(t, settings.port, settings.path, settings.timeoutMs)
      : probeTcp(t, settings.port, settings.timeoutMs)));
    for (const r of results) {
      emit(r.instanceId, r.healthy ? 1 : 0);
      (r.healthy ? logger.info : logger.warn).call(logger, 'health probe', { ...r, port: settings.port, protocol: settings.protocol });
    }
    return results;
  };
}

function defaultDeps(): ProbeDeps {
  const settings = probeSettingsFromEnv(process.env);
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eni-failover-probe' });
  const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EniFailover', serviceName: 'eni-failover-probe' });
  return {
    settings,
    logger,
    emit: (instanceId, value) => {
      // A single metric is flushed on addMetric, so each instance gets its own dimension set.
      const single = metrics.singleMetric();
      single.addDimension('InstanceId', instanceId);
      single.addMetric(PROBE_METRIC, MetricUnit.Count, value);
    },
  };
}

/** Lambda entry point. */
export const handler = createProbeHandler(defaultDeps);
