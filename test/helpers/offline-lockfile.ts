// A package-lock.json for a fresh app that depends on one local tarball, with every package the
// tarball needs pinned exactly as the repository's own lockfile has it (path, version, resolved,
// integrity). With it, `npm ci --offline` installs from npm's cache by integrity alone: the cache
// `npm ci` filled holds the tarballs but not the registry's metadata that resolving a range needs.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** Where `name` resolves from the package at `from` (`''` is the root), as Node and npm look it up. */
function resolveFrom(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/**
 * The lockfile for an app `appName` whose only dependency is the tarball at `tarball`, named in the
 * app's package.json as `spec` (e.g. `file:../pkg-0.1.0.tgz`); `pkg` is the tarball's package.json.
 */
export function offlineLockfile(repoRoot: string, appName: string, tarball: string, spec: string, pkg: { name: string; version: string; dependencies: Record<string, string> }): Lockfile {
  const repo = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const picked: Record<string, LockEntry> = {};
  const visit = (path: string) => {
    if (picked[path]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repo.packages[path];
    picked[path] = entry;
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
      const at = resolveFrom(repo.packages, path, name);
      if (at) visit(at);
    }
  };
  for (const name of Object.keys(pkg.dependencies)) {
    const at = resolveFrom(repo.packages, '', name);
    if (!at) throw new Error(`${name} is not in the repository's lockfile`);
    visit(at);
  }
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  return {
    lockfileVersion: 3,
    packages: {
      '': { name: appName, dependencies: { [pkg.name]: spec } },
      [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: spec, integrity, dependencies: pkg.dependencies },
      ...picked,
    },
  };
}
