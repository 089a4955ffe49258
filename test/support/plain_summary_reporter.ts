/**
 * mocha's spec reporter, plus one plain closing line, `N passed, N failed`
 * (and `, N skipped` when any were), which CI reads to know tests ran.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- mocha's reporter base is a CommonJS export
import Mocha = require("mocha");

class PlainSummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // After the spec reporter's own epilogue.
      process.nextTick(() => {
        console.log(`\n${passes} passed, ${failures} failed${pending > 0 ? `, ${pending} skipped` : ""}`);
      });
    });
  }
}

export = PlainSummaryReporter;
