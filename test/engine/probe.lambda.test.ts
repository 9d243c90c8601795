import * as http from 'http';
import * as net from 'net';
import { AddressInfo } from 'net';
import { createProbeHandler, probeHttp, probeTcp } from '../../src/engine/probe.lambda';
import { probeSettingsFromEnv } from '../../src/failover/probe-settings';

// Every probe talks to servers on 127.0.0.1 started by the test.
const servers: Array<net.Server> = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const target = { instanceId: 'i-0aaaaaaaaaaaaaaaa', address: '127.0.0.1' };

describe('probe settings', () => {
  test('reads targets, port, protocol, path and timeout', () => {
    expect(probeSettingsFromEnv({
      PROBE_TARGETS: 'i-0aaaaaaaaaaaaaaaa=10.0.0.5, i-0bbbbbbbbbbbbbbbb=10.0.0.6',
      PROBE_PORT: '8080',
      PROBE_PROTOCOL: 'http',
      PROBE_PATH: '/health',
      PROBE_TIMEOUT_MS: '2000',
    })).toEqual({
      targets: [{ instanceId: 'i-0aaaaaaaaaaaaaaaa', address: '10.0.0.5' }, { instanceId: 'i-0bbbbbbbbbbbbbbbb', address: '10.0.0.6' }],
      port: 8080,
      protocol: 'HTTP',
      path: '/health',
      timeoutMs: 2000,
    });
  });

  test.each([
    [{ PROBE_TARGETS: '', PROBE_PORT: '80' }, "PROBE_TARGETS '' is empty: give <instance id>=<IP address> pairs separated by commas"],
    [{ PROBE_TARGETS: 'i-1=not-an-ip', PROBE_PORT: '80' }, "PROBE_TARGETS entry 'i-1=not-an-ip' is not of the form <instance id>=<IP address>"],
    [{ PROBE_TARGETS: 'i-1=10.0.0.1', PROBE_PORT: '0' }, "PROBE_PORT '0' is not a port number from 1 to 65535"],
    [{ PROBE_TARGETS: 'i-1=10.0.0.1', PROBE_PORT: '80', PROBE_PROTOCOL: 'UDP' }, "PROBE_PROTOCOL 'UDP' is not supported: use TCP or HTTP"],
    [{ PROBE_TARGETS: 'i-1=10.0.0.1', PROBE_PORT: '80', PROBE_PATH: 'health' }, "PROBE_PATH 'health' must start with '/'"],
    [{ PROBE_TARGETS: 'i-1=10.0.0.1', PROBE_PORT: '80', PROBE_TIMEOUT_MS: '5' }, "PROBE_TIMEOUT_MS '5' is not an integer from 100 to 60000"],
  ])('%j is rejected', (env, message) => {
    expect(() => probeSettingsFromEnv(env)).toThrow(message);
  });
});

describe('TCP probe', () => {
  test('a listening port is healthy', async () => {
    const port = await listen(net.createServer((socket) => socket.end()));
    await expect(probeTcp(target, port, 1000)).resolves.toMatchObject({ healthy: true, instanceId: target.instanceId });
  });

  test('a refused connection is unhealthy, with the reason', async () => {
    const result = await probeTcp(target, await freePort(), 1000);
    expect(result.healthy).toBe(false);
    expect(result.reason).toMatch(/ECONNREFUSED/);
  });
});

describe('HTTP probe', () => {
  test.each([
    [200, true],
    [302, true],
    [500, false],
    [404, false],
  ])('status %d counts as healthy: %s', async (status, healthy) => {
    const port = await listen(http.createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 418;
      res.end();
    }));
    const result = await probeHttp(target, port, '/health', 1000);
    expect(result.healthy).toBe(healthy);
    if (!healthy) expect(result.reason).toBe(`HTTP status ${status}`);
  });

  test('a hung application that accepts but never answers is unhealthy after the timeout', async () => {
    // The case the probe exists for: the port is open, the process is stuck.
    const port = await listen(net.createServer(() => undefined));
    const result = await probeHttp(target, port, '/', 200);
    expect(result).toMatchObject({ healthy: false, reason: 'no answer within 200 ms' });
  });
});

test('the handler emits one ProbeSuccess value per candidate', async () => {
  const port = await listen(net.createServer((socket) => socket.end()));
  const emitted: Array<[string, number]> = [];
  const lines: string[] = [];
  const handler = createProbeHandler(() => ({
    settings: { targets: [target, { instanceId: 'i-0bbbbbbbbbbbbbbbb', address: '127.0.0.2' }], port, protocol: 'TCP', path: '/', timeoutMs: 300 },
    logger: { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) },
    emit: (id, value) => emitted.push([id, value]),
  }));
  const results = await handler();
  expect(results.map((r) => r.instanceId)).toEqual(['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb']);
  expect(emitted[0]).toEqual(['i-0aaaaaaaaaaaaaaaa', 1]);
  // 127.0.0.2 has nothing listening on the port: refused (Linux routes all of 127/8 to loopback).
  expect(emitted[1]).toEqual(['i-0bbbbbbbbbbbbbbbb', 0]);
  expect(lines).toEqual(['info health probe', 'warn health probe']);
});
