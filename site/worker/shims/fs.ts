import { Buffer } from 'buffer';
import { isDirectory, isFile, readSiteFile } from './files';

/**
 * `node:fs` in the browser: reading the site's copy of the library's files (files.ts). Nothing can
 * be written there: a write says so in French (the static site keeps no file of the library's).
 */

function readOnly(what: string): never {
  throw Object.assign(new Error(`${what} : le site statique ne garde aucun fichier (lecture seule)`), { code: 'EROFS' });
}

export function existsSync(filePath: string): boolean {
  return isFile(filePath) || isDirectory(filePath);
}

export function statSync(filePath: string): { isFile(): boolean; isDirectory(): boolean } {
  if (!existsSync(filePath)) throw Object.assign(new Error(`ENOENT: ${filePath}`), { code: 'ENOENT' });
  return { isFile: () => isFile(filePath), isDirectory: () => isDirectory(filePath) };
}

export function readFileSync(filePath: string, encoding?: string | { encoding?: string }): Buffer | string {
  const bytes = Buffer.from(readSiteFile(filePath));
  const text = typeof encoding === 'string' ? encoding : encoding?.encoding;
  return text === undefined ? bytes : bytes.toString(text as 'utf8');
}

export const writeFileSync = (): never => readOnly("l'écriture d'un fichier");
export const mkdirSync = (): never => readOnly("la création d'un dossier");
export const renameSync = (): never => readOnly("le renommage d'un fichier");

export default { existsSync, statSync, readFileSync, writeFileSync, mkdirSync, renameSync };
