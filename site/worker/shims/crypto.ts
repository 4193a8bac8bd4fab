import { md5, sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Buffer } from 'buffer';

/**
 * `node:crypto` in the browser, as far as the library uses it: the MD5 that checks a data file, the
 * SHA-1 of an image's fingerprint, random identifiers of live displays.
 */

const HASHES = { md5, sha1 } as const;

export function createHash(algorithm: string) {
  if (!(algorithm in HASHES)) throw new Error(`empreinte ${algorithm} inconnue dans le navigateur (md5 ou sha1)`);
  const chunks: Uint8Array[] = [];
  const hash = {
    update(data: Uint8Array | string) {
      chunks.push(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      return hash;
    },
    digest(encoding: 'hex') {
      if (encoding !== 'hex') throw new Error(`digest('${encoding}') : seul 'hex' est prévu dans le navigateur`);
      return bytesToHex(HASHES[algorithm as keyof typeof HASHES](Buffer.concat(chunks)));
    },
  };
  return hash;
}

export function randomBytes(size: number): Buffer {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(size)));
}

export default { createHash, randomBytes };
