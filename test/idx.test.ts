import zlib from 'node:zlib';
import { encodeIdx, parseIdx } from '../lib';

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
  ['a truncated file', encodeIdx(images).subarray(0, 30), /images: truncated, 14 data bytes where shape \[2, 3, 4\] needs 24/],
  ['a truncated header', encodeIdx(images).subarray(0, 10), /images: truncated header, 10 bytes where 16 are needed/],
  [
    'a wrong magic number',
    Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]),
    /images: not an IDX file \(magic number starts with 0x504b, expected 0x0000\)/,
  ],
  ['an unsupported data type', Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), /data type 0x0d is not supported; allowed: 0x08/],
  ['trailing bytes', Uint8Array.from([...encodeIdx(images), 1, 2]), /images: 2 unexpected bytes after the data/],
  ['corrupt gzip data', Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]), /images: corrupt gzip data/],
  ['a gzip stream cut short', zlib.gzipSync(encodeIdx(images)).subarray(0, 20), /images: corrupt gzip data/],
])('rejects %s with a clear error', (_, bytes, message) => {
  expect(() => parseIdx(bytes, 'images')).toThrow(message);
});
