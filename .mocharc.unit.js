// The unit suite: every test file that .mocharc.integration.js does not claim.
const { INTEGRATION_SPECS } = require("./.mocharc.integration.js");

module.exports = {
  spec: ["dist/test/**/*.test.js"],
  ignore: INTEGRATION_SPECS,
  reporter: "dist/test/support/plain_summary_reporter.js",
  timeout: 60000,
  recursive: true,
};
