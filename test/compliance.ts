import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * cdk-nag AwsSolutions findings for a scope, one line each: `<rule> <resource path>: <description>`.
 * Acknowledged findings (NagSuppressions with a reason) are not reported.
 */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId ?? r.constructPath}: ${v.description.split('\n')[0]}`));
}

/**
 * Runs Python cfn-lint (installed by scripts/test-setup.sh) on template files and returns its output;
 * an empty string means clean. Two warnings are ignored because they flag how CDK works, not a defect:
 * W3005 (CDK's own redundant DependsOn) and W3010 (environment-specific stacks pin the Availability
 * Zones they looked up, by design: https://docs.aws.amazon.com/cdk/v2/guide/context.html).
 */
export function cfnLint(templateFiles: string[]): string {
  try {
    execFileSync('cfn-lint', ['-i', 'W3005', 'W3010', '--', ...templateFiles], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
  }
}

/** Synthesizes the stacks' stage and lints each stack template with cfn-lint. */
export function cfnLintStacks(...stacks: Stack[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  const files = stacks.map((stack) => {
    const template = Stage.of(stack)!.synth().getStackArtifact(stack.artifactId).template;
    const file = path.join(dir, `${stack.artifactId}.template.json`);
    fs.writeFileSync(file, JSON.stringify(template));
    return file;
  });
  return cfnLint(files);
}
