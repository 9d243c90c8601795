import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { buildExampleApp } from './app';
import { Topology } from '../src';

// Synthesizes the example app (no AWS account needed), prints a table of its network interfaces,
// then the totals, and writes the topology as a mermaid diagram. Every step says what it does.
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const step = (text: string) => process.stderr.write(`example: ${text}\n`);

const app = buildExampleApp();
step(`built the example app (${app.node.findAll().filter(Stack.isStack).length} stacks)`);
step(`synthesizing it into ${path.relative(process.cwd(), app.outdir)} (CloudFormation templates and assets; about 10-20 s)`);
const assembly = app.synth();
step(`synthesized in ${elapsed()}; reading the network topology`);
const topology = Topology.fromAssembly(assembly);

console.log(topology.toTable({ maxColumnWidth: 20 }));
console.log(topology.toTotals());

const diagram = path.join(__dirname, 'topology.mmd');
fs.writeFileSync(diagram, topology.toMermaid());
console.log(`Cloud assembly: ${path.relative(process.cwd(), assembly.directory)}`);
console.log(`Mermaid diagram: ${path.relative(process.cwd(), diagram)} (GitHub renders it in a mermaid block)`);
step(`done in ${elapsed()}`);
