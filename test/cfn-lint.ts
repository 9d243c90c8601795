import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * Rules ignored for every CDK template:
 * - W3005: CDK writes a DependsOn that a reference already implies.
 * - W3010: stacks with an explicit environment get their Availability Zones as literals from the
 *   account lookup; that is how CDK places subnets, not a mistake in the template.
 */
const IGNORED = ['W3005', 'W3010'];

/**
 * Synthesizes the stack, writes its template to a temporary directory and runs Python `cfn-lint`
 * on it; fails with cfn-lint's findings unless it exits 0.
 */
export function expectCfnLintClean(stack: Stack): void {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  try {
    const file = join(dir, `${stack.stackName}.template.json`);
    writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON(), null, 1));
    const result = spawnSync('cfn-lint', ['-i', ...IGNORED, '--', file], { encoding: 'utf8' });
    if (result.error) {
      throw new Error(`cfn-lint could not run (${result.error.message}): install it with 'npx projen test:setup'`);
    }
    expect({ status: result.status, findings: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, findings: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
