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
import { PROBE_METRIC, ProbeResult, ProbeSettings, probeSettingsFromEnv, ProbeTarget } from '../failover/probe-settings';

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
  readonly logger: { info(message: string, fields: Record<string, unknown>): void; warn(message: string, fields: Record<string, unknown>): void };
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
      const fields = { ...r, port: settings.port, protocol: settings.protocol };
      if (r.healthy) logger.info('health probe', fields);
      else logger.warn('health probe', fields);
    }
    return results;
  };
}

function defaultDeps(): ProbeDeps {
  const settings = probeSettingsFromEnv(process.env);
  const powertools = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eni-failover-probe' });
  const logger = {
    info: (message: string, fields: Record<string, unknown>) => powertools.info(message, fields),
    warn: (message: string, fields: Record<string, unknown>) => powertools.warn(message, fields),
  };
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
