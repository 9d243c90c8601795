import { awscdk, DependencyType, javascript } from 'projen';
import { JobStep } from 'projen/lib/github/workflows-model';

/** GitHub workflow steps that install the test tools that do not come from npm. */
function testToolSteps(): JobStep[] {
  return [
    { name: 'Setup Python', uses: 'actions/setup-python@v7.0.0', with: { 'python-version': '3.11' } },
    { name: 'Install test tools', run: 'bash scripts/test-setup.sh' },
  ];
}

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-eni-patterns',
  description:
    'AWS CDK constructs for Elastic Network Interfaces: a typed ENI L2, management networks, dual-homed instances, routing appliances and level-triggered ENI failover.',
  author: 'cdk-eni-patterns contributors',
  authorAddress: 'maintainers@cdk-eni-patterns.dev',
  repositoryUrl: 'https://github.com/cdk-eni-patterns/cdk-eni-patterns.git',
  license: 'Apache-2.0',
  keywords: ['aws', 'cdk', 'awscdk', 'ec2', 'eni', 'network-interface', 'failover', 'vpn', 'management-network'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The toolchain floor, measured: @aws-cdk/integ-runner 2.197.10 understands cloud-assembly schema 53
  // only, which aws-cdk-lib 2.257 writes (2.258 and later write 54: AssemblyVersionMismatch);
  // integ-tests-alpha 2.245.0-alpha.0 needs >= 2.245 and cdk-nag 3.0.2 needs >= 2.257. After a change
  // of cdkVersion delete package-lock.json and reinstall: a stale lock breaks synth.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  // Node 20 reached end of life in April 2026 and the AWS SDK drops it in 2027. 22.13 is the lowest
  // release every dev tool in the lock file accepts (eslint-visitor-keys: ^22.13.0), so `npm ci` on
  // any Node >= 22.13 prints no EBADENGINE warning. `scripts/run.sh` supplies Node 22 where the
  // machine's own is older.
  minNodeVersion: '22.13.0',
  workflowNodeVersion: '22.x',
  // Pre-1.0: the API may still change between minor versions.
  stability: 'experimental',

  // Bindings for other languages. Only the js package can be built on the project's machines;
  // `test:bindings` proves the other targets generate.
  publishToPypi: { distName: 'cdk-eni-patterns', module: 'cdk_eni_patterns' },
  publishToMaven: {
    javaPackage: 'io.github.cdkenipatterns',
    mavenGroupId: 'io.github.cdk-eni-patterns',
    mavenArtifactId: 'cdk-eni-patterns',
  },
  publishToNuget: { dotNetNamespace: 'CdkEniPatterns', packageId: 'CdkEniPatterns' },
  publishToGo: { moduleName: 'github.com/cdk-eni-patterns/cdk-eni-patterns-go' },

  lambdaOptions: {
    // nodejs24.x: Lambda deprecates nodejs22.x on 2027-04-30 (creates blocked 2027-06-01) and
    // nodejs24.x on 2028-04-30 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html);
    // aws-cdk-lib 2.257 knows lambda.Runtime.NODEJS_24_X.
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    // Cold start is failover time: the AWS SDK is bundled (see the bundle tasks below).
    bundlingOptions: { externals: [], sourcemap: false },
  },

  eslintOptions: { dirs: ['src'], devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'] },

  experimentalIntegRunner: true,
  integrationTestAutoDiscover: true,

  devDeps: [
    'typescript@~6.0.3',
    'cdk-nag@3.0.2',
    '@aws-sdk/client-ec2@^3.1169.0',
    '@aws-lambda-powertools/logger@^2.36.0',
    '@aws-lambda-powertools/metrics@^2.36.0',
    '@types/aws-lambda@^8.10.164',
    'fast-check@^4.10.2',
    'esbuild@^0.28.2',
    '@aws-sdk/client-sns@^3.1169.0',
    '@aws-sdk/client-cloudwatch@^3.1164.0',
    '@aws-sdk/client-auto-scaling@^3.1169.0',
    // The emulator deployment test (test/deploy) creates the example stacks in moto's CloudFormation.
    '@aws-sdk/client-cloudformation@^3.1169.0',
    '@aws-sdk/client-lambda@^3.1164.0',
  ],

  jestOptions: {
    jestConfig: {
      testTimeout: 60_000,
      coverageReporters: ['text-summary', 'lcov'],
    },
  },
  gitignore: ['/.rosetta-env', '/.jsii.tabl.json', '/dist', '/examples/cdk.out', '/cdk.out', '/.test-env', '/bench/out', '*.tsbuildinfo'],
  githubOptions: { mergify: false },
  // The tests need Python tools (cfn-lint, moto_server) and Debian packages (shellcheck, ...):
  // scripts/test-setup.sh installs them, on the runner as on a laptop.
  buildWorkflowOptions: { preBuildSteps: testToolSteps() },
  releaseWorkflowSetupSteps: testToolSteps(),
  depsUpgrade: false,
});

// Run-time code imports the AWS SDK and Powertools, which esbuild bundles into the Lambda handlers and
// the CLI: they are devDependencies by design, never runtime dependencies of the construct library.
// Only run-time files may: everything under src/engine/ (handlers, CLI, the ports that build AWS SDK
// clients, and the dependency-free contract) and any Lambda handler (`*.lambda.ts`). The generated
// Lambda function constructs (`*-function.ts`) sit next to their handlers but are construct code:
// they stay under the default rule, like every other construct.
project.eslint?.addOverride({
  files: ['src/engine/**/*.ts', 'src/**/*.lambda.ts'],
  excludedFiles: ['src/**/*-function.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// integ-runner and integ-tests-alpha are pinned exactly (projen's integ support asks for `latest`):
// integ-runner 2.197.10 reads cloud-assembly schema 53, which aws-cdk-lib 2.257.0 writes.
for (const [name, version] of [['@aws-cdk/integ-runner', '2.197.10'], ['@aws-cdk/integ-tests-alpha', '2.245.0-alpha.0']]) {
  project.deps.removeDependency(name, DependencyType.DEVENV);
  project.deps.addDependency(`${name}@${version}`, DependencyType.DEVENV);
}

// Cold start is failover time: the Lambda bundles take the AWS SDK from its ESM entry points
// (tree-shaken, minified) rather than loading the runtime's whole SDK; bench/failover.ts measures both.
for (const handler of ['engine/reconcile.lambda', 'engine/probe.lambda']) {
  const task = project.tasks.tryFind(`bundle:${handler}`);
  if (!task) throw new Error(`no bundle task for ${handler}`);
  task.reset(`esbuild --bundle src/${handler}.ts --target=node22 --platform=node --outfile=assets/${handler}/index.js ` +
    '--tsconfig=test/tsconfig.json --minify --main-fields=module,main');
}

// The `eni-failover` CLI ships in the npm package as one self-contained file (AWS SDK included).
const cliBundle = project.bundler.addBundle('src/engine/cli-main.ts', {
  platform: 'node',
  target: 'node22',
  outfile: 'eni-failover.js',
  minify: true,
  executable: true,
});
project.addBins({
  'eni-failover': cliBundle.outfile,
  // Reads a synthesized cloud assembly and prints the network table, findings and a mermaid diagram.
  'cdk-eni-topology': 'lib/topology/cli.js',
});

// jest runs through ts-jest with isolatedModules: type-check the tests (and the sources they import) first.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json && tsc --noEmit -p examples/tsconfig.json');

// Snapshot synthesis of integration scenarios does not need type information. Without stack traces
// the snapshots' metadata carries no paths of the machine that wrote them.
for (const name of ['integ', 'integ:update']) {
  project.tasks.tryFind(name)?.env('TS_NODE_TRANSPILE_ONLY', 'true');
  project.tasks.tryFind(name)?.env('CDK_DISABLE_STACK_TRACE', '1');
}

// integ-runner verifies a snapshot by its templates (asset hashes canonicalized; see
// snapshot-test-runner.js in @aws-cdk/integ-runner): it never reads the asset directories. The
// bundles (the same Lambda code in every scenario, megabytes each) stay out of git; what remains
// is generated and collapsed in reviews.
project.gitignore.exclude('/test/*.snapshot/asset.*');
project.gitattributes.addAttributes('/test/*.snapshot/**', 'linguist-generated');

// Installs what the tests need beyond node_modules: Python cfn-lint and moto (server), shellcheck.
const testSetup = project.addTask('test:setup', {
  description: 'Install the test tools that do not come from npm (cfn-lint, moto_server, shellcheck, the OS harness packages)',
  exec: 'bash scripts/test-setup.sh',
});

// The user data on a real Linux network stack (network namespaces, systemd-networkd, netplan, sshd):
// part of `test`; this task runs it alone. Needs root or passwordless sudo (see docs/os-harness.md).
project.addTask('test:os', {
  description: 'Run the user data of the constructs on a real Linux network stack (needs root or sudo)',
  exec: 'jest --coverage=false test/os',
});

// README code samples are compiled against the API, so the docs cannot drift.
// The examples import the package by name: a scratch directory resolves 'cdk-eni-patterns' to this checkout.
const docsCheck = project.addTask('test:docs', {
  description: 'Compile every TypeScript example in README.md and the API docs against the built .jsii assembly',
});
docsCheck.exec('rm -rf .rosetta-env && mkdir -p .rosetta-env/node_modules && ln -s ../.. .rosetta-env/node_modules/cdk-eni-patterns');
docsCheck.exec('jsii-rosetta extract --strict --fail --compile --directory .rosetta-env .jsii');

// jsii-pacmak can only package the js target on this machine; prove the other bindings generate.
const bindings = project.addTask('test:bindings', {
  description: 'Generate Python, Java, .NET and Go bindings (code only) to prove the API is jsii-compatible',
  exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go --outdir dist/bindings-check',
});

// The one command CI and the README run: install tools, build (compile, bundle the Lambda handlers,
// generate API.md), run every test, package the js target, then the docs and bindings checks.
// The steps of `build` are spelled out so that only the js package is built whether or not CI is
// set: the other targets need Maven, setuptools, dotnet and go, which the project's machines lack.
const ci = project.addTask('test:all', {
  description: 'Install test tools, build, run every test, compile README samples and generate bindings',
});
ci.spawn(testSetup);
for (const name of ['default', 'pre-compile', 'compile', 'post-compile', 'test', 'package:js']) {
  ci.spawn(project.tasks.tryFind(name)!);
}
ci.spawn(docsCheck);
ci.spawn(bindings);
ci.exec('node scripts/test-summary.js', { name: 'summary' });

// `build` leaves out the docs and bindings checks that `test:all` (the README's and .ci/run's
// command) runs: the build workflow runs them after it, before the self-mutation check (both write
// only ignored paths), and drops the bindings so that the uploaded artifact is the js package alone.
project.buildWorkflow!.addPostBuildSteps(
  { name: 'Compile the README and API samples', run: `npx projen ${docsCheck.name}` },
  { name: 'Generate the Python, Java, .NET and Go bindings', run: `npx projen ${bindings.name}` },
  { name: 'Remove the generated bindings from the artifact', run: 'rm -rf dist/bindings-check' },
);

// The instance-limits table is generated from a DescribeInstanceTypes-shaped data file.
project.addTask('generate:instance-limits', {
  description: 'Generate src/private/instance-limits-table.ts from data/instance-types.json',
  exec: 'ts-node --project bench/tsconfig.json scripts/generate-instance-limits.ts',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});

// Benchmarks print markdown tables; they are never part of the tests.
const bench = project.addTask('bench', {
  description: 'Synthesis and failover benchmarks (markdown tables)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});
bench.exec('ts-node --project bench/tsconfig.json bench/synth.ts');
bench.exec('ts-node --project bench/tsconfig.json bench/failover.ts');
project.addTask('bench:os', {
  description: 'Repeat the OS harness (50 boots per flavour) and time floating-interface attach to first reply (needs root or sudo)',
  exec: 'ts-node --project bench/tsconfig.json bench/os-harness.ts',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});
project.addTask('bench:picture', {
  description: 'Render the topology diagram of the example app and of 12- and 60-host apps to PNG (mermaid-cli 11, Debian chromium) and check their size',
  exec: 'ts-node --project bench/tsconfig.json bench/topology-picture.ts',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});
project.addTask('bench:tests', {
  description: 'Time the type check and the jest suite on this machine',
  exec: 'ts-node --project bench/tsconfig.json bench/test-suite.ts',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});

// The main job: synthesize the example app (no AWS account needed) and print a summary of it.
// The Lambda handlers are bundled first: the example app's failover stacks reference their assets.
const example = project.addTask('example', {
  description: 'Bundle the Lambda handlers, synthesize the example app in examples/ and print what it built',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});
example.spawn(project.tasks.tryFind('bundle')!);
example.exec('ts-node --project examples/tsconfig.json examples/main.ts');

for (const p of ['/examples', '/bench', '/scripts', '/.ci', '/rosetta', '/docs', '/data']) {
  project.addPackageIgnore(p);
}

project.synth();
