/** `node:os` in the browser: the worker's home is the site's root, its cores those the browser reports. */
export const homedir = (): string => '/';
export const tmpdir = (): string => '/tmp';
export const cpus = (): unknown[] => new Array(navigator.hardwareConcurrency || 1).fill({});
export const availableParallelism = (): number => navigator.hardwareConcurrency || 1;
export default { homedir, tmpdir, cpus, availableParallelism };
