// Jest reporter: at the end of a run, the time each test file took, longest first, so that the
// suite's budget (npm test well inside CI's limit) can be watched from one run's output; then why
// each skipped test was skipped.
class SuiteTimes {
  onRunComplete(_contexts, results) {
    const file = (r) => r.testFilePath.replace(`${process.cwd()}/`, '');
    const rows = results.testResults
      .map((r) => ({ file: file(r), seconds: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds);
    const width = Math.max(...rows.map((r) => r.file.length), 10);
    const lines = rows.map((r) => `  ${r.file.padEnd(width)}  ${r.seconds.toFixed(0).padStart(5)} s`);
    const wall = (Date.now() - results.startTime) / 1000;
    console.log(`\nTime per test file (jest wall time ${wall.toFixed(0)} s):\n${lines.join('\n')}`);
    // Skipped tests say why in their title (test/helpers/skip.ts): one line per file and reason.
    const skipped = new Set(
      results.testResults.flatMap((r) =>
        r.testResults
          .filter((t) => t.status === 'pending')
          .map((t) => `  ${file(r)}: ${/\[skipped: (.*)\]/.exec(t.fullName)?.[1] ?? `"${t.fullName}" gives no reason`}`),
      ),
    );
    if (skipped.size > 0) console.log(`\nSkipped tests, and why:\n${[...skipped].join('\n')}`);
  }
}
module.exports = SuiteTimes;
