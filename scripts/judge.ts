/**
 * Judges a hand-in's exported answers (see lib/coursework/judge.ts) and writes the verdicts as JSON on
 * a channel of their own, the file descriptor FD (the grader's pipe), never on stdout, where
 * TensorFlow and the libraries may log:
 *   node build/scripts/judge.js ANSWERS_DIR PART --results-fd FD
 * Run by the grader (python -m scripts.tp5nb grade), in a sandbox of its own, with TP5_QUICK=1.
 */
import fs from 'node:fs';
import { initBackend, judgeAnswers } from '../lib';

async function main(): Promise<void> {
  const [dir, partText, flag, fdText] = process.argv.slice(2);
  const part = Number(partText);
  const fd = Number(fdText);
  if (!dir || ![1, 2, 3].includes(part) || flag !== '--results-fd' || !Number.isInteger(fd)) {
    console.error('usage: node build/scripts/judge.js ANSWERS_DIR PART --results-fd FD (PART: 1, 2 or 3)');
    process.exit(2);
  }
  await initBackend({ print: false });
  const verdicts = await judgeAnswers(part as 1 | 2 | 3, dir);
  fs.writeSync(fd, JSON.stringify(verdicts));
  fs.closeSync(fd);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
