/**
 * Renders the topology diagram of the example app and of a generated app with N dual-homed hosts
 * (12 and 60; 60 dual-homed hosts are about 440 resources, near the 500 a stack may have) to PNG with mermaid-cli 11 and Debian's chromium, and prints a table of the
 * picture sizes. Exits 1 when a picture is larger than a screen can show legibly (see MAX_* below)
 * or a render fails.
 *
 *   npx projen bench:picture            (renders into bench/out/)
 *
 * Needs: apt `chromium`; mermaid-cli is installed into .test-env/mermaid on first use
 * (PUPPETEER_SKIP_DOWNLOAD=1: the Debian chromium is used, no browser download).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { buildExampleApp } from '../examples/app';
import { DualHomedInstance, Topology } from '../src';

/**
 * The PNGs are rendered at the diagram's natural size (text at mermaid's default font size), so
 * they are legible by construction; what can go wrong is size. A picture wider than this does not
 * fit a 4K screen at 100 %, and one with more pixels than MAX_PIXELS is a poster, not a picture.
 */
const MAX_WIDTH = 3840;
const MAX_PIXELS = 16_000_000;

const root = path.join(__dirname, '..');
const outDir = path.join(__dirname, 'out');
const toolDir = path.join(root, '.test-env', 'mermaid');
const mmdc = path.join(toolDir, 'node_modules', '.bin', 'mmdc');

function say(text: string) {
  process.stderr.write(`bench:picture: ${text}\n`);
}

/** An app with `hosts` dual-homed hosts (Host0, Host1, ...) over three zones, and two planted findings. */
export function hostsApp(hosts: number, outdir: string): App {
  const env = { account: '111111111111', region: 'eu-west-1' };
  const app = new App({
    outdir,
    context: { [`availability-zones:account=${env.account}:region=${env.region}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
  });
  const stack = new Stack(app, `Hosts${hosts}`, { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: 3,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Management', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const managementPeers = vpc.isolatedSubnets.map((s) => ec2.Peer.ipv4(s.ipv4CidrBlock));
  for (let i = 0; i < hosts; i++) {
    new DualHomedInstance(stack, `Host${i}`, {
      vpc,
      publicSubnet: { subnetGroupName: 'Public' },
      managementSubnet: { subnetGroupName: 'Management' },
      availabilityZone: vpc.availabilityZones[i % 3],
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      managementPeers,
      servicePorts: [ec2.Port.tcp(443)],
      elasticIp: false,
    });
  }
  // Planted findings, written with L1s (the constructs refuse them): a management interface with an
  // Elastic IP and SSH from anywhere (HIGH), an interface with the source/dest check off and no route (MEDIUM).
  const open = new ec2.SecurityGroup(stack, 'OpenSg', { vpc, description: 'too open' });
  open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH from anywhere');
  const planted = new Construct(stack, 'Planted');
  const eni = new ec2.CfnNetworkInterface(planted, 'Resource', { subnetId: vpc.isolatedSubnets[0].subnetId, groupSet: [open.securityGroupId] });
  const eip = new ec2.CfnEIP(planted, 'ElasticIp', { domain: 'vpc' });
  new ec2.CfnEIPAssociation(planted, 'Association', { allocationId: eip.attrAllocationId, networkInterfaceId: eni.ref });
  new ec2.CfnNetworkInterface(stack, 'Unrouted', { subnetId: vpc.isolatedSubnets[1].subnetId, sourceDestCheck: false });
  return app;
}

function ensureMermaidCli(): void {
  if (fs.existsSync(mmdc)) return;
  say('installing @mermaid-js/mermaid-cli@11 into .test-env/mermaid (once)');
  fs.mkdirSync(toolDir, { recursive: true });
  execFileSync('npm', ['install', '--prefix', toolDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', '@mermaid-js/mermaid-cli@11'], {
    stdio: 'inherit', env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  });
}

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const header = fs.readFileSync(file).subarray(16, 24);
  return { width: header.readUInt32BE(0), height: header.readUInt32BE(4) };
}

const mermaidConfig = path.join(outDir, 'mermaid.json');

function render(name: string, mermaid: string, puppeteerConfig: string): { width: number; height: number; seconds: number } {
  const input = path.join(outDir, `${name}.mmd`);
  const output = path.join(outDir, `${name}.png`);
  fs.writeFileSync(input, mermaid);
  const started = Date.now();
  say(`rendering ${path.relative(root, input)} (${mermaid.split('\n').length} lines) with mmdc`);
  // useMaxWidth off: the PNG has the diagram's natural size instead of being shrunk to the page.
  execFileSync(mmdc, ['-p', puppeteerConfig, '-c', mermaidConfig, '-i', input, '-o', output, '-b', 'white', '-s', '1', '--quiet'], { stdio: 'inherit' });
  return { ...pngSize(output), seconds: (Date.now() - started) / 1000 };
}

function main(): number {
  if (!fs.existsSync('/usr/bin/chromium')) {
    process.stderr.write('bench:picture: /usr/bin/chromium is missing: apt-get install chromium\n');
    return 1;
  }
  fs.mkdirSync(outDir, { recursive: true });
  ensureMermaidCli();
  const puppeteerConfig = path.join(outDir, 'puppeteer.json');
  fs.writeFileSync(puppeteerConfig, JSON.stringify({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  }));

  fs.writeFileSync(mermaidConfig, JSON.stringify({ flowchart: { useMaxWidth: false }, maxTextSize: 200000 }));

  const cases: Array<[string, () => Topology]> = [
    ['example-app', () => Topology.fromAssembly(buildExampleApp(path.join(outDir, 'example.out')).synth())],
    ...[12, 60].map((n): [string, () => Topology] => [`hosts-${n}`, () => Topology.fromAssembly(hostsApp(n, path.join(outDir, `hosts-${n}.out`)).synth())]),
  ];
  const rows: string[] = [];
  let failed = false;
  for (const [name, build] of cases) {
    say(`synthesizing ${name}`);
    const topology = build();
    const mermaid = topology.toMermaid();
    const { width, height, seconds } = render(name, mermaid, puppeteerConfig);
    const ok = width <= MAX_WIDTH && width * height <= MAX_PIXELS;
    failed ||= !ok;
    rows.push(`| ${name} | ${topology.networkInterfaces.length} | ${topology.instances.length} | ${mermaid.split('\n').length} | ${width} x ${height} | ${seconds.toFixed(1)} s | ${ok ? 'ok' : `wider than ${MAX_WIDTH} px or more than ${MAX_PIXELS / 1e6} Mpx`} |`);
  }
  console.log('| picture | interfaces | instances | mermaid lines | PNG (px) | render | check |');
  console.log('| --- | ---: | ---: | ---: | --- | ---: | --- |');
  for (const row of rows) console.log(row);
  console.log(`\nPNGs in ${path.relative(root, outDir)}/`);
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
