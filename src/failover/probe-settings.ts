import * as net from 'net';

/**
 * Configuration of the health probe Lambda (`probe.lambda.ts`). Kept apart from the handler so
 * the construct can use the names without loading the handler's dependencies.
 */

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

