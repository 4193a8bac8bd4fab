import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let root: string | undefined;

/** The project's root folder (the one whose package.json names this project), found from this file. */
export function projectRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'tp5-autoencoders') {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root above ${__dirname}`);
    dir = parent;
  }
}

/** Where downloaded data sets are kept: TP5_CACHE_DIR, else $XDG_CACHE_HOME/tp5-autoencoders, else ~/.cache/tp5-autoencoders. */
export function userCacheDir(): string {
  if (process.env.TP5_CACHE_DIR) return process.env.TP5_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'tp5-autoencoders');
}
