// Real documents nobody on the project wrote: the READMEs of the packages installed in
// node_modules, each with its package.json description (versions pinned by package-lock.json).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageReadme {
  name: string;
  description: string;
  readme: string;
}

function packageFolders(root: string): string[] {
  const folders: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(join(root, entry.name), { withFileTypes: true })) {
        if (scoped.isDirectory()) folders.push(join(root, entry.name, scoped.name));
      }
    } else folders.push(join(root, entry.name));
  }
  return folders.sort();
}

/**
 * Packages with a non-empty description and README (≥ 300 characters), deduplicated by
 * description and by README content, sorted by name.
 */
export function packageReadmes(root = 'node_modules'): PackageReadme[] {
  const seenDescriptions = new Set<string>();
  const seenReadmes = new Set<string>();
  const out: PackageReadme[] = [];
  for (const folder of packageFolders(root)) {
    const manifestPath = join(folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    let manifest: { name?: string; description?: string };
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch {
      continue;
    }
    const description = manifest.description?.trim();
    if (!manifest.name || !description || description.length < 10) continue;
    const readmeName = readdirSync(folder).find((file) => /^readme(\.md|\.markdown|\.txt)?$/i.test(file));
    if (!readmeName) continue;
    const readme = readFileSync(join(folder, readmeName), 'utf8');
    if (readme.trim().length < 300) continue;
    const readmeHash = createHash('sha256').update(readme).digest('hex');
    const key = description.toLowerCase();
    if (seenDescriptions.has(key) || seenReadmes.has(readmeHash)) continue;
    seenDescriptions.add(key);
    seenReadmes.add(readmeHash);
    out.push({ name: manifest.name, description, readme });
  }
  return out;
}

/** `count` items spread evenly over the sorted list (stable across runs). */
export function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, index) => items[Math.floor(index * step)]!);
}
