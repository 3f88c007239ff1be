#!/usr/bin/env node
// `npm test`: type-check, lint, build, then every vitest project (unit in Node, browser in
// Chromium, end-to-end over built pages) in one run. Ends with one line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const report = '.vitest-results.json';
let passed = 0;
let failed = 0;

function step(name, command, args, env = {}) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = result.status === 0;
  console.log(`${ok ? '✓' : '✗'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

function check(name, command, args) {
  if (step(name, command, args)) passed++;
  else failed++;
}

check('typecheck (tsc --noEmit)', 'npx', ['tsc', '--noEmit']);
check('lint and format (biome ci)', 'npx', ['biome', 'ci', '.']);
check('build (vite build + declarations)', 'npm', ['run', 'build', '--silent']);

rmSync(report, { force: true });
const extra = process.argv.slice(2);
const vitestOk = step('tests (vitest: unit, browser, e2e)', 'npx', ['vitest', 'run', ...extra], {
  LUMOS_JSON_REPORT: report,
});
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that fails to load has no failed tests of its own; count it.
  failed += results.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  ).length;
  if (!vitestOk && results.numFailedTests === 0) failed++;
} else if (!vitestOk) {
  failed++;
}
rmSync(report, { force: true });

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
