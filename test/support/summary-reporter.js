/**
 * Prints the plain closing line CI reads ("jest: N passed, N failed, N skipped"); Jest's own
 * summary ("Tests: N passed, N total") is not in that form.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTodoTests: todo } = results;
    process.stdout.write(`\njest: ${passed} passed, ${failed} failed, ${skipped + todo} skipped\n`);
  }
}
module.exports = SummaryReporter;
