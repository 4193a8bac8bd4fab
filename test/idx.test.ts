import zlib from 'node:zlib';
import { encodeIdx, parseIdx } from '../lib/data/idx';

const images = { shape: [2, 3, 4], data: Uint8Array.from({ length: 24 }, (_, i) => i * 10) };

test('parses raw and gzipped IDX files', () => {
  const raw = encodeIdx(images);
  expect(raw.length).toBe(4 + 12 + 24);
  for (const bytes of [raw, zlib.gzipSync(raw)]) {
    const parsed = parseIdx(bytes, 'images');
    expect(parsed.shape).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(images.data));
  }
});

test.each([
  [
    'a truncated file',
    encodeIdx(images).subarray(0, 30),
    /images : tronqué, 14 octets de données là où la forme \[2, 3, 4\] en demande 24/,
  ],
  ['a truncated header', encodeIdx(images).subarray(0, 10), /images : en-tête tronqué, 10 octets là où il en faut 16/],
  [
    'a wrong magic number',
    Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]),
    /images : pas un fichier IDX \(le nombre magique commence par 0x504b, 0x0000 attendu\)/,
  ],
  [
    'an unsupported data type',
    Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
    /type de données IDX 0x0d non pris en charge ; permis : 0x08/,
  ],
  ['trailing bytes', Uint8Array.from([...encodeIdx(images), 1, 2]), /images : 2 octets en trop après les données/],
  ['corrupt gzip data', Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]), /images : données gzip corrompues/],
  ['a gzip stream cut short', zlib.gzipSync(encodeIdx(images)).subarray(0, 20), /images : données gzip corrompues/],
])('rejects %s with a clear error', (_, bytes, message) => {
  expect(() => parseIdx(bytes, 'images')).toThrow(message);
});
