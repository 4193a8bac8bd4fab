/**
 * Judges a hand-in's exported answers (see lib/coursework/judge.ts) and prints the verdicts as JSON:
 *   node build/scripts/judge.js ANSWERS_DIR PART
 * Run by the grader (python -m scripts.tp5nb grade), in a sandbox of its own, with TP5_QUICK=1.
 */
import { initBackend, judgeAnswers } from '../lib';

async function main(): Promise<void> {
  const [dir, partText] = process.argv.slice(2);
  const part = Number(partText);
  if (!dir || ![1, 2, 3].includes(part)) {
    console.error('usage: node build/scripts/judge.js ANSWERS_DIR PART (1, 2 or 3)');
    process.exit(2);
  }
  await initBackend({ print: false });
  const verdicts = await judgeAnswers(part as 1 | 2 | 3, dir);
  process.stdout.write(`${JSON.stringify(verdicts)}\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
