// Jest reporter: at the end of a run, the time each test file took, longest first, so that the
// suite's budget (npm test well inside CI's limit) can be watched from one run's output.
class SuiteTimes {
  onRunComplete(_contexts, results) {
    const rows = results.testResults
      .map((r) => ({ file: r.testFilePath.replace(`${process.cwd()}/`, ''), seconds: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds);
    const width = Math.max(...rows.map((r) => r.file.length), 10);
    const lines = rows.map((r) => `  ${r.file.padEnd(width)}  ${r.seconds.toFixed(0).padStart(5)} s`);
    const wall = (Date.now() - results.startTime) / 1000;
    console.log(`\nTime per test file (jest wall time ${wall.toFixed(0)} s):\n${lines.join('\n')}`);
  }
}
module.exports = SuiteTimes;
