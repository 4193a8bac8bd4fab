/**
 * The files the library reads, in the browser: a read-only copy of them that the site serves under
 * `tp5/fichiers/`, at the paths they would have on a computer (the project in /projet, the data sets
 * where the library looks for them). `npm run site` copies them and lists their paths in
 * `tp5/fichiers.json`; a file is read with a synchronous request, which a web worker may make.
 */

let base = '';
let paths = new Set<string>();

/** Called once by the worker, before any library code runs: where the copy is, and what it holds. */
export function mountSiteFiles(baseUrl: string, listing: string[]): void {
  base = baseUrl;
  paths = new Set(listing);
}

function normalize(filePath: string): string {
  const parts: string[] = [];
  for (const part of filePath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export function isFile(filePath: string): boolean {
  return paths.has(normalize(filePath));
}

export function isDirectory(filePath: string): boolean {
  const prefix = `${normalize(filePath).replace(/\/$/, '')}/`;
  for (const name of paths) if (name.startsWith(prefix)) return true;
  return false;
}

/** The bytes of a file of the copy; an error with Node's ENOENT code when the site has no such file. */
export function readSiteFile(filePath: string): Uint8Array {
  const name = normalize(filePath);
  if (!paths.has(name)) {
    throw Object.assign(new Error(`ENOENT: le site n'a pas de fichier ${name}`), { code: 'ENOENT', path: name });
  }
  const request = new XMLHttpRequest();
  request.open('GET', `${base}${name.split('/').map(encodeURIComponent).join('/')}`, false);
  request.responseType = 'arraybuffer';
  request.send();
  if (request.status !== 200) throw new Error(`${name} : le site répond ${request.status} ${request.statusText}`);
  return new Uint8Array(request.response as ArrayBuffer);
}
