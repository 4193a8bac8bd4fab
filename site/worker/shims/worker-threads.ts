/**
 * `node:worker_threads` in the browser: the library's helper threads (lib/speed/threads.ts) are not
 * used there (helperThreadsUnavailable says why), so a thread is never started; the names exist so
 * that the modules that mention them load.
 */
export class Worker {
  constructor() {
    throw new Error("pas de fils d'aide (worker_threads) dans le navigateur");
  }
}
export const parentPort = null;
export const workerData = undefined;
