import * as ts from 'typescript';
import vm from 'node:vm';
import { compileCell } from '../site/worker/cells';

/**
 * The static site's cell compiler (site/worker/cells.ts), run here as the site's worker runs its output:
 * each cell a script in one global scope, one after another.
 */

/** A notebook's cells run in one fresh global scope; `run` resolves to the cell's value. */
function notebook() {
  const modules: Record<string, unknown> = { 'tp5-lab': { answer: () => 42 }, '@tensorflow/tfjs': { version: 'tfjs' } };
  const context = vm.createContext({ require: (name: string) => modules[name], exports: {}, console });
  return async (source: string): Promise<unknown> => {
    const compiled = compileCell(ts, source);
    if (!compiled.ok) throw new Error(`does not compile: ${JSON.stringify(compiled.diagnostics)}`);
    return vm.runInContext(compiled.script, context);
  };
}

describe('the static site: a cell compiled for the browser kernel', () => {
  test('what a cell declares (const, let, destructuring, functions, classes, imports) is defined in the next cells', async () => {
    const run = notebook();
    await run(
      [
        'import * as lab from "tp5-lab";',
        'import { version } from "@tensorflow/tfjs";',
        'const [M, N]: number[] = [28, 28];',
        'let { a, b: renamed } = { a: 1, b: 2 };',
        'function area(): number { return M * N; }',
        'class Box { constructor(readonly size: number) {} }',
        'type Unused = string;',
      ].join('\n'),
    );
    expect(await run('[lab.answer(), version, M, N, a, renamed, area(), new Box(3).size]')).toEqual([42, 'tfjs', 28, 28, 1, 2, 784, 3]);
  });

  test('top-level await, and the value of the last expression', async () => {
    const run = notebook();
    expect(await run('const x = await Promise.resolve(20);\nx + 1')).toBe(21);
    expect(await run('let y = 1;')).toBeUndefined();
  });

  test('a cell that stops on an error keeps what it declared before the error, as the fixed tslab does', async () => {
    const run = notebook();
    await expect(run('const before = 1;\nthrow new Error("stop");\nconst after = 2;')).rejects.toThrow('stop');
    expect(await run('[before, typeof after]')).toEqual([1, 'undefined']);
  });

  test('declaring a name again (const after const, as a cell run twice does) replaces it', async () => {
    const run = notebook();
    await run('const k = 1;');
    await run('const k = 2;');
    expect(await run('k')).toBe(2);
  });

  test('a syntax error gives the compiler messages, with their line and column, and runs nothing', () => {
    const compiled = compileCell(ts, 'const ok = 1;\ncosnt x = 1;');
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.diagnostics[0].start).toEqual({ line: 1, character: 0 });
    expect(compiled.diagnostics[0].code).toBeGreaterThan(0);
  });
});
