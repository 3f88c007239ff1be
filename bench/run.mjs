#!/usr/bin/env node
// `npm run bench` runs every bench/NAME/run.ts; `npm run bench -- NAME [NAME…]` runs those.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const all = readdirSync('bench', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`bench/${entry.name}/run.ts`))
  .map((entry) => entry.name)
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failures = 0;
for (const name of wanted.length ? wanted : all) {
  console.log(`\n=== bench/${name} ===`);
  const run = spawnSync('npx', ['tsx', `bench/${name}/run.ts`], { stdio: 'inherit' });
  if (run.status !== 0) failures++;
}
spawnSync('node', ['bench/table.mjs'], { stdio: 'inherit' });
process.exit(failures ? 1 : 0);
