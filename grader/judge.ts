/**
 * Judges a hand-in's exported answers (see lib/coursework/judge.ts) and writes the verdicts as JSON on
 * a channel of their own, the file descriptor FD (the grader's pipe), never on stdout, where
 * TensorFlow and the libraries may log:
 *   node build/grader/judge.js ANSWERS_DIR PART --results-fd FD
 * Run by the grader (python -m grader grade), in a sandbox of its own, with TP5_QUICK=1.
 */
import fs from 'node:fs';
import { initBackend } from '../lib';
// The grader's alone: not in the students' `lab` namespace.
import { judgeAnswers } from '../lib/coursework/judge';

async function main(): Promise<void> {
  const [dir, partText, flag, fdText] = process.argv.slice(2);
  const part = Number(partText);
  const fd = Number(fdText);
  if (!dir || ![1, 2, 3].includes(part) || flag !== '--results-fd' || !Number.isInteger(fd)) {
    console.error('usage: node build/grader/judge.js ANSWERS_DIR PART --results-fd FD (PART: 1, 2 or 3)');
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
