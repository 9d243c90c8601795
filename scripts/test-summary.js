#!/usr/bin/env node
// Prints the jest totals of the last run (test-reports/junit.xml, written by jest-junit) as one
// plain closing line, "<N> passed, <N> failed, <N> skipped", after the number of integration scenarios.
const fs = require('fs');
const path = require('path');

const file = path.join(__dirname, '..', 'test-reports', 'junit.xml');
if (!fs.existsSync(file)) {
  console.error(`test-summary: ${file} is missing: jest did not run`);
  process.exit(1);
}
const head = fs.readFileSync(file, 'utf8').slice(0, 2000);
const attr = (name) => Number((new RegExp(`<testsuites[^>]*\\b${name}="(\\d+)"`).exec(head) || [])[1] || 0);
const tests = attr('tests');
const failed = attr('failures') + attr('errors');
const skipped = (fs.readFileSync(file, 'utf8').match(/<skipped\s*\/>/g) || []).length;
const integ = fs.readdirSync(path.join(__dirname, '..', 'test')).filter((f) => /^integ\..*\.ts$/.test(f)).length;
console.log(`integration scenarios: ${integ} (snapshots checked by integ-runner in the test task)`);
console.log(`jest: ${tests - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
if (tests === 0 || failed > 0) process.exit(1);
