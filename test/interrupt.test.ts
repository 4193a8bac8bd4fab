import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The stop button: JupyterLab's ■ interrupts the kernel (SIGINT) during the first of three trainings
 * in one cell, through a real tslab kernel (test/helpers/interrupt_kernel.py). The training stops at a
 * step within a second, its display says so in French, the cell says it was stopped in one French line
 * (no stack trace), the second training never starts, and the kernel runs the next cell.
 */

const root = path.resolve(__dirname, '..');

interface Pressed {
  cellEndedAfter: number | null;
  trainingStoppedAfter: number | null;
  lastLine: string;
  cellOutput: string;
  displays: string;
  afterwards: string;
}

/** Runs test/helpers/interrupt_kernel.py: `mode` is a thread count (lab.trainAutoencoder) or `fit`. */
function pressStop(mode: string): Pressed {
  const result = spawnSync(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'helpers', 'interrupt_kernel.py'), mode], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Pressed;
}

test.each([1, 2])(
  'a cell of three trainings on %i thread(s) stops at once, in French, and the kernel stays usable',
  (threads) => {
    const pressed = pressStop(String(threads));
    expect(pressed.cellEndedAfter).not.toBeNull();
    expect(pressed.trainingStoppedAfter).not.toBeNull();
    expect(pressed.trainingStoppedAfter).toBeLessThan(1);
    expect(pressed.lastLine).toMatch(
      /entraînement interrompu pendant l'époque \d+, après \d+ époques? terminées? en .* ; le modèle garde les poids de son dernier pas\./,
    );
    expect(pressed.cellEndedAfter).toBeLessThan(1);
    expect(pressed.cellOutput.trim()).toBe('Cellule arrêtée (■).');
    expect(pressed.afterwards).toContain('encore là 101200 trainings 1 true');
  },
  200_000,
);

test('a cell fitting three models with tfjs model.fit stops at once, shows French progress only, and starts no other training', () => {
  const pressed = pressStop('fit');
  expect(pressed.cellEndedAfter).not.toBeNull();
  expect(pressed.cellEndedAfter).toBeLessThan(1);
  expect(pressed.trainingStoppedAfter).not.toBeNull();
  expect(pressed.trainingStoppedAfter).toBeLessThan(1);
  expect(pressed.lastLine).toMatch(
    /^Convolutif .*\(model\.fit\) : entraînement interrompu pendant l'époque \d+, après \d+ époques? terminées? en .* ; le modèle garde les poids de son dernier pas\.$/,
  );
  expect(pressed.cellOutput.trim()).toBe('Cellule arrêtée (■).');
  // tfjs's own logger (« Epoch 2 / 500 », « loss=… ») never writes, during or after the stop.
  expect(pressed.displays + pressed.cellOutput).not.toMatch(/Epoch|loss=|step/);
  // The first fit returned its history; the second and third never started; the kernel still runs code.
  expect(pressed.afterwards).toContain('encore là 101200 trainings 1');
}, 200_000);

test('the stop button on an idle kernel, just after the import cell, leaves the kernel running', () => {
  const result = spawnSync(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'helpers', 'interrupt_idle_kernel.py')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status).toBe(0);
  const pressed = JSON.parse(result.stdout.trim().split('\n').pop() as string) as { alive: boolean; afterwards: string };
  expect(pressed).toEqual({ alive: true, afterwards: 'encore là 101200\n' });
}, 150_000);
