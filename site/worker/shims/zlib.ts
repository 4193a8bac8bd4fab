import { Buffer } from 'buffer';
import { deflate, ungzip } from 'pako';

/** `node:zlib` in the browser, as far as the library uses it: gzip's inflation (IDX files) and deflation (PNG). */
export function gunzipSync(bytes: Uint8Array): Buffer {
  return Buffer.from(ungzip(bytes));
}

export function deflateSync(bytes: Uint8Array): Buffer {
  return Buffer.from(deflate(bytes));
}

export default { gunzipSync, deflateSync };
