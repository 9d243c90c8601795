import * as fs from 'fs';
import * as path from 'path';
import { buildExampleApp } from './app';
import { Topology } from '../src';

// Synthesizes the example app (no AWS account needed), prints every stack with its resources by
// type and a table of its network interfaces, and writes the topology as a mermaid diagram.
const assembly = buildExampleApp().synth();
const topology = Topology.fromAssembly(assembly);
console.log(topology.toTable({ resourceCounts: true }));

const diagram = path.join(__dirname, 'topology.mmd');
fs.writeFileSync(diagram, topology.toMermaid());
console.log(`Cloud assembly written to ${assembly.directory}`);
console.log(`Mermaid diagram written to ${path.relative(process.cwd(), diagram)} (GitHub renders it in a mermaid block)`);
