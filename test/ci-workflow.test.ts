import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;

/**
 * The steps of the build job of build.yml (projen writes one `- name:` line per step, its `run:`
 * below it; a multi-line `run: |-` is kept as its first line).
 */
function buildSteps(): Array<{ name?: string; run?: string }> {
  const text = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'build.yml'), 'utf8');
  const job = text.slice(text.indexOf('\n  build:\n'), text.indexOf('\n  self-mutation:\n'));
  const steps: Array<{ name?: string; run?: string }> = [];
  for (const line of job.split('\n')) {
    const name = /^ {6}- name: (.*)$/.exec(line);
    if (name) steps.push({ name: name[1].trim() });
    const run = /^ {8}run: (.*)$/.exec(line);
    if (run && steps.length > 0) steps[steps.length - 1] = { ...steps[steps.length - 1], run: run[1].trim() };
  }
  return steps;
}
const steps = buildSteps();

/** The tasks a task spawns. */
const spawned = (task: string): string[] => tasks[task].steps.filter((s: any) => s.spawn).map((s: any) => s.spawn);

describe('the build workflow', () => {
  test('runs every check of test:all, the README and .ci/run command, before the self-mutation check', () => {
    const mutation = steps.findIndex((s) => s.name === 'Find mutations');
    expect(mutation).toBeGreaterThan(0);
    const runs = steps.slice(0, mutation).map((s) => s.run ?? '');
    const covered = new Set<string>();
    for (const run of runs) {
      const task = /^npx projen (\S+)$/.exec(run.trim())?.[1];
      if (task) {
        covered.add(task);
        for (const t of spawned(task)) covered.add(t);
      }
    }
    // test:setup is the workflow's "Install test tools" step; package:js is part of package.
    expect(runs).toContain(tasks['test:setup'].steps[0].exec);
    if (covered.has('package')) covered.add('package:js');
    const missing = spawned('test:all').filter((t) => t !== 'test:setup' && !covered.has(t));
    expect(missing).toEqual([]);
  });

  test('the uploaded artifact holds the package, not the generated bindings', () => {
    const upload = steps.findIndex((s) => s.name === 'Upload artifact');
    const remove = steps.findIndex((s) => s.run === 'rm -rf dist/bindings-check');
    expect(remove).toBeGreaterThan(steps.findIndex((s) => s.run === 'npx projen test:bindings'));
    expect(remove).toBeLessThan(upload);
  });
});
