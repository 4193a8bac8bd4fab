import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { artifacts, freePort } from './helpers/browser';
import { NOTEBOOKS } from './helpers/notebook-outputs';
import { describeUnless } from './helpers/skip';

/**
 * The student image (image/Containerfile) as a student runs it alone, checked from outside the container:
 * `podman run` with a published port, JupyterLab answering, the kit in ~/tp5, a kernel training on native
 * TensorFlow, no solution (no `// BEGIN SOLUTION` line) and no .git anywhere in the image, nor nbgrader, the
 * student not root.
 *
 * Building the image takes about six minutes on two cores (the project's whole setup, inside), more than
 * the suite's time budget allows at every run: the test runs on the image `npm run image` built, or builds
 * it first when TP5_IMAGE_BUILD=1, and is reported skipped, with that reason, otherwise.
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const IMAGE = 'localhost/tp5-etudiant:latest';

function whyNotHere(): string {
  if (spawnSync('podman', ['--version']).status !== 0) return 'podman is not installed (Debian package podman)';
  const info = spawnSync('podman', ['info'], { encoding: 'utf8' });
  if (info.status !== 0) return `podman does not work here: ${info.stderr.trim().split('\n').pop()}`;
  if (process.env.TP5_IMAGE_BUILD === '1') return '';
  if (spawnSync('podman', ['image', 'exists', IMAGE]).status !== 0) {
    return `no ${IMAGE}: npm run image builds it (about six minutes), or TP5_IMAGE_BUILD=1 makes this test build it`;
  }
  return '';
}
const whyNot = whyNotHere();

interface Report {
  answers_s: number;
  first_epoch_s: number;
  kit: string[];
  training: string;
  inside: string;
  log: string;
}

describeUnless(whyNot, 'the student image, run alone with podman', () => {
  beforeAll(() => {
    if (process.env.TP5_IMAGE_BUILD !== '1') return;
    const built = spawnSync(python, [path.join(root, 'image', 'build.py')], { cwd: root, encoding: 'utf8', timeout: 1_800_000 });
    if (built.status !== 0) throw new Error(`npm run image failed:\n${built.stdout.slice(-3000)}\n${built.stderr.slice(-3000)}`);
  }, 1_800_000);

  test('JupyterLab answers on the published port, with the kit, a kernel trains natively, no solution inside', async () => {
    const run = spawnSync(python, [path.join(root, 'test', 'helpers', 'image_checks.py'), IMAGE, String(await freePort())], {
      cwd: root,
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (run.status !== 0) throw new Error(`image_checks.py failed:\n${run.stderr.slice(-3000)}`);
    const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Report;
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, 'image.log'), report.log);
    console.log(
      `image: JupyterLab answered ${report.answers_s.toFixed(1)} s after podman run, a first epoch was trained at ${report.first_epoch_s.toFixed(1)} s`,
    );
    expect(report.kit).toEqual([...NOTEBOOKS, 'LISEZ-MOI.md'].sort());
    expect(JSON.parse(report.training)).toEqual({ backend: 'tensorflow', path: 'native' });
    const [user, ...rest] = report.inside.trim().split('\n');
    expect(user).toBe('jovyan');
    // /opt/tp5 holds the runtime only; nothing in the image holds an answer or a repository.
    expect(rest.slice(0, -1).join(' ').split(/\s+/).sort()).toEqual([
      'build',
      'common',
      'image',
      'node_modules',
      'package.json',
      'session',
    ]);
    expect(rest[rest.length - 1]).toBe('fin');
    expect(report.log).toContain('JupyterLab démarre');
  }, 900_000);
});
