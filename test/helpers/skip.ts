/**
 * Tests that can run only where something is present (a sandbox, chromium, podman, the official MNIST
 * files). Where it is missing they are skipped with the reason in their title, and the run's summary
 * (test/helpers/suite-times.cjs) lists each skipped test with that reason: never a silent pass.
 */

/** `title`'s block, run when `whyNot` is empty, otherwise skipped saying why. */
export function describeUnless(whyNot: string, title: string, body: () => void): void {
  if (whyNot) describe.skip(`${title} [skipped: ${whyNot}]`, body);
  else describe(title, body);
}

/** One test, run when `whyNot` is empty, otherwise skipped saying why. */
export function testUnless(whyNot: string, title: string, body: jest.ProvidesCallback, timeout?: number): void {
  if (whyNot) test.skip(`${title} [skipped: ${whyNot}]`, body, timeout);
  else test(title, body, timeout);
}
