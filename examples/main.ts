import { buildExampleApp } from './app';
import { summarize } from './summary';

// Synthesizes the example app (no AWS account needed) and prints what it built.
const assembly = buildExampleApp().synth();
console.log(summarize(assembly));
console.log(`\nCloud assembly written to ${assembly.directory}`);
