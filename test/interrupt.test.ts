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
  afterwards: string;
}

test.each([1, 2])(
  'a cell of three trainings on %i thread(s) stops at once, in French, and the kernel stays usable',
  (threads) => {
    const result = spawnSync(
      path.join(root, '.venv', 'bin', 'python'),
      [path.join(root, 'test', 'helpers', 'interrupt_kernel.py'), String(threads)],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 180_000,
      },
    );
    expect(result.status).toBe(0);
    const pressed: Pressed = JSON.parse(result.stdout.trim().split('\n').pop() as string);
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
