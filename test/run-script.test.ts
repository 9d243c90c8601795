import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * scripts/run.sh in a scratch project: a package-lock.json of three packages, and on PATH stand-ins
 * for npm and npx (they record their arguments; `npm ci` creates node_modules), for uname (the
 * operating system) and for node's version (everything else goes to the real node).
 */
function scratch(options: { nodeVersion?: string; os?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-sh-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.join(__dirname, '..', 'scripts', 'run.sh'), path.join(dir, 'scripts', 'run.sh'));
  const lock = { lockfileVersion: 3, packages: { '': {}, 'node_modules/a': {}, 'node_modules/b': {}, 'node_modules/c': {} } };
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const log = path.join(dir, 'calls.log');
  const write = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  write('npm', `echo "npm $*" >>'${log}'\nif [ "$1" = --version ]; then echo 10.9.0; fi\nif [ "$1" = ci ]; then mkdir -p node_modules; fi`);
  write('npx', `echo "npx $*" >>'${log}'`);
  write('uname', `if [ "$1" = -s ]; then echo ${options.os ?? 'Linux'}; else echo x86_64; fi`);
  write('node', `if [ "$1" = -p ] && [ "$2" = process.versions.node ]; then echo ${options.nodeVersion ?? '22.23.5'}; else exec '${process.execPath}' "$@"; fi`);
  const run = (args: string[], env: Record<string, string> = {}) => {
    const result = spawnSync('bash', [path.join(dir, 'scripts', 'run.sh'), ...args], {
      encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, ...env },
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    fs.rmSync(log, { force: true });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  };
  return { dir, run };
}

describe('scripts/run.sh', () => {
  test('-h and --help print the usage before anything is installed', () => {
    const { run } = scratch({ nodeVersion: '20.20.2', os: 'Darwin' });
    for (const flag of ['-h', '--help']) {
      const result = run([flag]);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^usage: scripts\/run.sh <projen task>/);
      expect(result.calls).toEqual([]);
    }
    expect(run([]).status).toBe(2);
  });

  test('on macOS with an old Node it says how to get Node 22 instead of installing a Linux binary', () => {
    const { run } = scratch({ nodeVersion: '20.20.2', os: 'Darwin' });
    const result = run(['example']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('run: this machine has Node 20.20.2; the project needs Node >= 22.13.');
    expect(result.stderr).toContain('install Node 22 first');
    expect(result.calls).toEqual([]);
  });

  test('says what npm ci installs, then skips it while node_modules matches the lock file (unless CI=true)', () => {
    const { dir, run } = scratch();
    const first = run(['example']);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('run: npm ci: installing 3 packages, about 1-2 minutes');
    expect(first.calls).toEqual(['npm --version', 'npm ci --no-audit --no-fund', 'npx projen example']);

    const second = run(['example']);
    expect(second.stdout).toContain('run: node_modules matches package-lock.json; skipping npm ci');
    expect(second.calls).toEqual(['npm --version', 'npx projen example']);

    expect(run(['example'], { CI: 'true' }).calls).toContain('npm ci --no-audit --no-fund');

    fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {} } }));
    const changed = run(['test:all']);
    expect(changed.stdout).toContain('run: npm ci: installing 0 packages');
    expect(changed.calls).toEqual(['npm --version', 'npm ci --no-audit --no-fund', 'npx projen test:all']);
  });
});
