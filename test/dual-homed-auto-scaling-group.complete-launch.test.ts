/**
 * The helper that completes the instance's launch lifecycle action, run with python3 against a
 * local server (127.0.0.1) that plays IMDSv2 and the Auto Scaling query endpoint.
 */
import { execFile } from 'child_process';
import { createHash, createHmac } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { renderCompleteLaunchScript } from '../src/private/asg-user-data';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

async function withServer(autoscaling: (body: string) => { status: number; text: string }, fn: (port: number, seen: Seen[]) => Promise<void>) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const imds: Record<string, string> = {
        '/latest/meta-data/placement/region': 'eu-west-1',
        '/latest/meta-data/services/domain': 'amazonaws.com',
        '/latest/meta-data/instance-id': 'i-0123456789abcdef0',
        '/latest/meta-data/iam/security-credentials/': 'web-role',
        '/latest/meta-data/iam/security-credentials/web-role': JSON.stringify({ AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', Token: 'session-token' }),
      };
      if (req.url === '/latest/api/token' && req.method === 'PUT') { res.end('imds-token'); return; }
      if (req.url!.startsWith('/latest/')) {
        if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-token' || imds[req.url!] === undefined) { res.statusCode = 401; res.end(); return; }
        res.end(imds[req.url!]);
        return;
      }
      const answer = autoscaling(body);
      res.statusCode = answer.status;
      res.end(answer.text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn((server.address() as AddressInfo).port, seen);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function runScript(port: number): Promise<{ code: number; stderr: string }> {
  const file = path.join(fs.mkdtempSync(path.join(tmpdir(), 'complete-launch-')), 'complete.py');
  fs.writeFileSync(file, renderCompleteLaunchScript('TestStack-Web-295BC7D3', 'management-interface-launch'));
  return new Promise((resolve) => {
    execFile('python3', [file], {
      env: { ...process.env, DUAL_HOMED_IMDS: `http://127.0.0.1:${port}`, DUAL_HOMED_AUTOSCALING_ENDPOINT: `http://127.0.0.1:${port}/` },
      timeout: 30_000,
    }, (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }));
  });
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

describe('the instance completes its own launch lifecycle action', () => {
  test('with IMDSv2 credentials and a valid Signature Version 4 on CompleteLifecycleAction', async () => {
    await withServer(() => ({ status: 200, text: '<CompleteLifecycleActionResponse/>' }), async (port, seen) => {
      const { code, stderr } = await runScript(port);
      expect(stderr).toContain('completed the launch lifecycle action of i-0123456789abcdef0');
      expect(code).toBe(0);
      const call = seen.find((s) => s.method === 'POST')!;
      expect(Object.fromEntries(new URLSearchParams(call.body))).toEqual({
        Action: 'CompleteLifecycleAction',
        Version: '2011-01-01',
        AutoScalingGroupName: 'TestStack-Web-295BC7D3',
        LifecycleHookName: 'management-interface-launch',
        InstanceId: 'i-0123456789abcdef0',
        LifecycleActionResult: 'CONTINUE',
      });
      expect(call.headers['x-amz-security-token']).toEqual('session-token');
      // Recompute the signature independently.
      const amzDate = String(call.headers['x-amz-date']);
      const day = amzDate.slice(0, 8);
      const signedHeaders = ['content-type', 'host', 'x-amz-date', 'x-amz-security-token'];
      const canonical = ['POST', '/', '', ...signedHeaders.map((h) => `${h}:${call.headers[h]}`), '', signedHeaders.join(';'), sha256(call.body)].join('\n');
      const scope = `${day}/eu-west-1/autoscaling/aws4_request`;
      const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
      let key: Buffer = hmac('AWS4secret', day);
      for (const part of ['eu-west-1', 'autoscaling', 'aws4_request']) key = hmac(key, part);
      const signature = createHmac('sha256', key).update(toSign).digest('hex');
      expect(call.headers.authorization).toEqual(`AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`);
    });
  });

  test('no active lifecycle action (a reboot, an instance in service) is success: the service is not restarted', async () => {
    const text = '<ErrorResponse><Error><Code>ValidationError</Code><Message>No active Lifecycle Action found with instance ID i-0123456789abcdef0</Message></Error></ErrorResponse>';
    await withServer(() => ({ status: 400, text }), async (port, seen) => {
      const { code, stderr } = await runScript(port);
      expect(stderr).toContain('nothing to complete');
      expect(code).toBe(0);
      expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);
    });
  });
});
