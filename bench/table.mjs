#!/usr/bin/env node
// Rewrites the results table of bench/README.md from bench/results/*.json.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const marker = '## Results';
const readme = readFileSync('bench/README.md', 'utf8');
const head = readme.slice(0, readme.indexOf(marker) + marker.length);
const fmt = (value) => (Number.isFinite(value) ? String(+Number(value).toPrecision(4)) : String(value));
const lines = [
  '',
  '',
  '| bench | case | ours | peer | ratio | target | met | date |',
  '|---|---|---|---|---|---|---|---|',
];
for (const file of readdirSync('bench/results')
  .filter((name) => name.endsWith('.json'))
  .sort()) {
  const result = JSON.parse(readFileSync(`bench/results/${file}`, 'utf8'));
  for (const row of result.rows) {
    lines.push(
      `| ${result.bench} | ${row.case} | ${fmt(row.ours)} ${row.unit} | ${row.peer}: ${fmt(row.peerValue)} | ${fmt(row.ratio)} | ${row.target} | ${row.met ? 'yes' : '**no**'} | ${result.date.slice(0, 10)} |`,
    );
  }
}
writeFileSync('bench/README.md', `${head}${lines.join('\n')}\n`);
