/**
 * Prints the description tables of the TP's four model instances.
 *   npm run describe              Markdown tables (French)
 *   npm run describe -- --en      in English
 *   npm run describe -- --json    JSON only: [{ name, totalParams, layers: [{ part, layer, spec, output, params }] }]
 */
import { buildConv, buildDense1, buildDense2, describeModel, descriptionToMarkdown, initBackend, Language } from '../lib';

const args = process.argv.slice(2);
const unknown = args.filter((a) => !['--json', '--en', '--fr'].includes(a));
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(' ')}; allowed: --json, --en, --fr`);
  process.exit(2);
}

async function main(): Promise<void> {
  await initBackend({ print: false });
  const language: Language = args.includes('--en') ? 'en' : 'fr';
  const models = [
    buildDense1({ codeSize: 64, activation: 'none' }),
    buildDense1({ codeSize: 64, activation: 'relu' }),
    buildDense2({ codeSize: 64, activation: 'relu' }),
    buildConv({ codeSize: 64, activation: 'relu' }),
  ];
  const descriptions = models.map((m) => describeModel(m, language));
  if (args.includes('--json')) {
    const json = descriptions.map(({ name, totalParams, layers }) => ({ name, totalParams, layers }));
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    console.log(descriptions.map(descriptionToMarkdown).join('\n\n'));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
