// Changes the lab makes to the packages it installs, as patch files in scripts/package-patches/NAME-VERSION/,
// one folder per package version they were written for: to the source of tfjs-node's native binding
// (node_modules/@tensorflow/tfjs-node/binding) before compiling it, and to a package's JavaScript
// (dist-*.patch, applied to the installed package: tfjs-node, tslab). Each is tried first
// (patch --dry-run) and applied only where it fits; for a version without a folder none is, and the
// package is used as it is (the addon then trains on one thread; see each patch's header for what
// else is lost). The binding's own files are kept beside it (FILE.original), so that a build can
// start again from them with fewer patches.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PATCHES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'package-patches');

/** The binding's files that the patches change. */
const PATCHED_FILES = ['tfjs_backend.h', 'tfjs_backend.cc', 'tfjs_binding.cc'];

/** The patches, by the name the addon's marker file lists them under, and their file (see its header for what it does). */
export const BINDING_PATCHES = [
  { name: 'per-thread attribute names', file: '01-per-thread-attribute-names.patch' },
  { name: 'copyTensorData', file: '02-copy-tensor-data.patch' },
];

/** The name of the patch without which the library does not train on several threads. */
export const THREAD_SAFETY_PATCH = BINDING_PATCHES[0].name;

/** The folder of patches for the installed version of a package (the folder holding its package.json), or why there is none. */
export function patchFolder(packageDir) {
  const { name, version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const shortName = name.replace(/^@[^/]+\//, '');
  const folder = path.join(PATCHES_DIR, `${shortName}-${version}`);
  if (fs.existsSync(folder)) return { folder, label: `${shortName} ${version}` };
  const known = fs
    .readdirSync(PATCHES_DIR)
    .filter((entry) => entry.startsWith(`${shortName}-`))
    .map((entry) => entry.slice(shortName.length + 1));
  return { reason: `no patches for ${shortName} ${version} (written for ${known.join(', ')})` };
}

function patchFile(bindingDir, file, dryRun) {
  const args = ['-p1', '--forward', '--batch', '-d', bindingDir, '-i', file, ...(dryRun ? ['--dry-run'] : [])];
  const result = spawnSync('patch', args, { encoding: 'utf8' });
  return result.status === 0;
}

/**
 * Puts the named patches (all by default) that fit this source into the binding's files, and no
 * others; returns the names of those now in it, and the reasons for those left out.
 */
export function applyBindingPatches(bindingDir, names = BINDING_PATCHES.map((patch) => patch.name)) {
  for (const file of PATCHED_FILES) {
    const [current, original] = [path.join(bindingDir, file), path.join(bindingDir, `${file}.original`)];
    if (fs.existsSync(original)) fs.copyFileSync(original, current);
    else fs.copyFileSync(current, original);
  }
  const { folder, reason } = patchFolder(path.join(bindingDir, '..'));
  if (folder === undefined) return { applied: [], skipped: [reason] };
  if (spawnSync('patch', ['--version']).status !== 0)
    return { applied: [], skipped: ['the patch command is missing (Debian package patch)'] };
  const applied = [];
  const skipped = [];
  for (const patch of BINDING_PATCHES.filter((p) => names.includes(p.name))) {
    const file = path.join(folder, patch.file);
    if (patchFile(bindingDir, file, true) && patchFile(bindingDir, file, false)) applied.push(patch.name);
    else skipped.push(`${patch.name}: ${path.relative(path.dirname(PATCHES_DIR), file)} does not fit this source`);
  }
  return { applied, skipped };
}

/**
 * Puts the JavaScript patches of this package version (dist-*.patch) into the installed package
 * (the folder holding its package.json), each after a dry run; one already in place is left as it is.
 * Returns the files of those now in it, and the reasons for those left out.
 */
export function applyDistPatches(packageDir) {
  const { folder, label, reason } = patchFolder(packageDir);
  if (folder === undefined) return { applied: [], skipped: [reason] };
  const applied = [];
  const skipped = [];
  for (const name of fs
    .readdirSync(folder)
    .filter((f) => f.startsWith('dist-') && f.endsWith('.patch'))
    .sort()) {
    const file = path.join(folder, name);
    const alreadyIn = spawnSync('patch', ['-p1', '--reverse', '--force', '--dry-run', '-d', packageDir, '-i', file]).status === 0;
    if (alreadyIn || (patchFile(packageDir, file, true) && patchFile(packageDir, file, false))) applied.push(name);
    else skipped.push(`${name} does not fit this ${label}`);
  }
  return { applied, skipped };
}
