import zlib from 'node:zlib';

/** A parsed IDX file (the format of MNIST): unsigned bytes and their shape. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Decompresses gzip data (recognised by its magic bytes); other data is returned as is. */
export function gunzipIfNeeded(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return zlib.gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${name} : données gzip corrompues (${(error as Error).message})`, { cause: error });
    }
  }
  return bytes;
}

/**
 * Parses an IDX file, gzipped or not. Only unsigned-byte data (type 0x08, as in MNIST) is
 * accepted; a wrong magic number, a truncated file or trailing bytes raise an error naming `name`.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  const raw = gunzipIfNeeded(bytes, name);
  if (raw.length < 4) throw new Error(`${name} : tronqué, ${raw.length} octets seulement (un en-tête IDX en demande au moins 4)`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new Error(`${name} : pas un fichier IDX (le nombre magique commence par 0x${hex(raw[0])}${hex(raw[1])}, 0x0000 attendu)`);
  }
  if (raw[2] !== UNSIGNED_BYTE) {
    throw new Error(`${name} : type de données IDX 0x${hex(raw[2])} non pris en charge ; permis : 0x08 (octet non signé)`);
  }
  const rank = raw[3];
  if (rank < 1 || rank > 4) throw new Error(`${name} : rang IDX ${rank} non pris en charge ; permis : 1 à 4`);
  const headerLength = 4 + 4 * rank;
  if (raw.length < headerLength) {
    throw new Error(`${name} : en-tête tronqué, ${raw.length} octets là où il en faut ${headerLength}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const expected = shape.reduce((a, b) => a * b, 1);
  const found = raw.length - headerLength;
  if (found < expected) {
    throw new Error(`${name} : tronqué, ${found} octets de données là où la forme [${shape.join(', ')}] en demande ${expected}`);
  }
  if (found > expected) {
    throw new Error(`${name} : ${found - expected} octets en trop après les données de forme [${shape.join(', ')}]`);
  }
  return { shape, data: raw.subarray(headerLength) };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Writes an IDX file of unsigned bytes (used by the tests and by data preparation scripts). */
export function encodeIdx(array: IdxArray): Uint8Array {
  const header = new Uint8Array(4 + 4 * array.shape.length);
  const view = new DataView(header.buffer);
  header[2] = UNSIGNED_BYTE;
  header[3] = array.shape.length;
  array.shape.forEach((dim, i) => view.setUint32(4 + 4 * i, dim, false));
  const out = new Uint8Array(header.length + array.data.length);
  out.set(header);
  out.set(array.data, header.length);
  return out;
}
