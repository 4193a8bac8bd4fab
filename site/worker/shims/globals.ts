import { Buffer } from 'buffer';
import { EventEmitter } from 'events';

/**
 * The Node.js globals the library uses, in the browser's worker (put in place of the free names by the
 * bundler, site/build.mjs): `process` (its environment, which the site sets; its SIGINT, which the
 * stop button ■ emits as it does in tslab), `Buffer`, `setImmediate` (a real turn of the event loop,
 * during which the worker reads the stop button's message).
 */

class BrowserProcess extends EventEmitter {
  readonly env: Record<string, string | undefined> = {};
  readonly platform = 'browser';
  /** What tells libraries (the TypeScript compiler among them) that they are not in Node.js. */
  readonly browser = true;
  readonly pid = 1;
  readonly argv: string[] = [];
  cwd(): string {
    return '/';
  }
  nextTick(callback: (...args: unknown[]) => void, ...args: unknown[]): void {
    queueMicrotask(() => callback(...args));
  }
}

export const process = new BrowserProcess();

export function setImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]): ReturnType<typeof setTimeout> {
  return setTimeout(callback, 0, ...args);
}

export function clearImmediate(handle: ReturnType<typeof setTimeout> | undefined): void {
  clearTimeout(handle);
}

export { Buffer };
