// The Node.js versions the lab supports: the majors of package.json's engines field (the even,
// long-term-support ones it is tested on). Only Node's standard library: setup runs this before
// node_modules exists.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** [20, 22, 24] for "^20.0.0 || ^22.0.0 || ^24.0.0". */
export function supportedMajors(engines = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node) {
  return engines.split('||').map((range) => Number(range.trim().replace(/^\^/, '').split('.')[0]));
}

/** Why this Node.js version (e.g. "v21.7.3") cannot run the lab, in French and English, or "" when it can. */
export function unsupportedNode(version, majors = supportedMajors()) {
  if (majors.includes(Number(version.replace(/^v/, '').split('.')[0]))) return '';
  const list = majors.join(', ');
  return `Node.js ${version} n'est pas pris en charge : installez Node.js ${list} / Node.js ${version} is not supported: install Node.js ${list}`;
}
