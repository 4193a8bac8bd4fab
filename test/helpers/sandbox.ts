import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Why no sandbox can be had here ('' when one can), as the sandbox's own probe finds (sandbox/probe.py). */
export const whyNoSandbox = spawnSync(
  path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python'),
  ['-c', 'import sandbox; print(sandbox.unavailable())'],
  {
    cwd: path.resolve(__dirname, '..', '..'),
    encoding: 'utf8',
  },
).stdout.trim();
