import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildConv, buildDense1, buildDense2, describeModel, descriptionToHtml, descriptionToMarkdown, initBackend } from '../lib';

beforeAll(async () => {
  await initBackend({ print: false });
});

test('the table is computed from the layers: rows, shapes and the total', () => {
  const table = describeModel(buildConv());
  expect(table.totalParams).toBe(210369);
  expect(table.layers.map((r) => [r.part, r.layer, r.output, r.params])).toEqual([
    ['Encodeur', 'Convolution', [14, 14, 16], 160],
    ['Encodeur', 'Convolution', [7, 7, 32], 4640],
    ['Encodeur', 'Convolution', [1, 1, 64], 100416],
    ['Décodeur', 'Convolution transposée', [7, 7, 32], 100384],
    ['Décodeur', 'Convolution transposée', [14, 14, 16], 4624],
    ['Décodeur', 'Convolution transposée', [28, 28, 1], 145],
  ]);
  expect(table.layers[0].spec).toBe('16 filtres 3×3, pas 2, padding 1, ReLU');
  expect(table.layers[2].spec).toBe('64 filtres 7×7, pas 1, sans activation');
  expect(table.layers[5].spec).toBe('1 filtre 3×3, pas 2, padding 1, output padding 1, sigmoïde');
});

test('English on request', () => {
  const table = describeModel(buildDense2(), 'en');
  expect(table.layers[0]).toEqual({ part: 'Encoder', layer: 'Flatten', spec: '28×28×1 → 784', output: [784], params: 0 });
  expect(table.layers[1].spec).toBe('784 → 128 units, no activation');
  expect(descriptionToMarkdown(table)).toContain('| Part | Layer | Specification | Output shape | Parameters |');
  expect(() => describeModel(buildDense2(), 'de' as never)).toThrow(/language doit être l’une des valeurs 'fr', 'en'/);
});

test('Markdown and HTML renderers show every row and the total', () => {
  const table = describeModel(buildDense1({ activation: 'relu' }));
  const markdown = descriptionToMarkdown(table);
  expect(markdown).toContain('| Partie | Couche | Spécifications | Dimension de la sortie | Nombre de paramètres |');
  expect(markdown).toContain('| Encodeur | Linéaire (dense) | 784 → 64 neurones, ReLU | 64 | 50\u202f240 |');
  expect(markdown.split('\n').filter((l) => l.startsWith('| '))).toHaveLength(2 + table.layers.length + 1);
  expect(markdown).toMatch(/\*\*Total\*\*.*\*\*101\u202f200\*\*/);
  const html = descriptionToHtml(table);
  expect(html.match(/<tr/g)).toHaveLength(1 + table.layers.length + 1);
  expect(html).toContain('<th style="text-align:left;padding:2px 8px">Partie</th>');
});

test('`npm run describe -- --json` prints only JSON with the four TP instances', () => {
  const root = path.resolve(__dirname, '..');
  const stdout = execFileSync('npm', ['run', 'describe', '--', '--json'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const tables = JSON.parse(stdout);
  expect(tables.map((t: { totalParams: number }) => t.totalParams)).toEqual([101200, 101200, 218192, 210369]);
  expect(Object.keys(tables[0])).toEqual(['name', 'totalParams', 'layers']);
  expect(Object.keys(tables[3].layers[0])).toEqual(['part', 'layer', 'spec', 'output', 'params']);
});
