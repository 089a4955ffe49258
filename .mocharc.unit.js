// The unit suite: every test file that .mocharc.integration.js does not claim.
const { INTEGRATION_SPECS } = require("./.mocharc.integration.js");

module.exports = {
  spec: ["dist/test/**/*.test.js"],
  // The engines suite (.mocharc.engines.js) runs on its own.
  ignore: [...INTEGRATION_SPECS, "dist/test/engines/**/*.test.js"],
  reporter: "dist/test/support/plain_summary_reporter.js",
  timeout: 60000,
  recursive: true,
  // A test that leaves a handle open must not hang the run; engine processes are ended with Node (runners/portable/end_with_node.ts).
  exit: true,
};
