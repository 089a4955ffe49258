// The integration suite: tests that run whole pipelines on the runners, start
// processes or worker threads, or move tens of MiB. `npm run test:integration`
// runs it; `npm run test:unit` runs everything else (under a minute), and
// `npm test` runs both (.mocharc.json). A new test file is a unit test unless
// it matches a pattern here.
const INTEGRATION_SPECS = [
  "dist/test/cli/**/*.test.js",
  "dist/test/conformance/**/*.test.js",
  "dist/test/job_service/**/*.test.js",
  "dist/test/io/**/*.test.js",
  "dist/test/nexmark/bench.test.js",
  "dist/test/nexmark/queries.test.js",
  "dist/test/portability/user_code/**/*.test.js",
  "dist/test/runners/microbatch/microbatch_*.test.js",
  "dist/test/runners/microbatch/shuffle/spill_memory.test.js",
  "dist/test/runners/stream/stream_*.test.js",
  "dist/test/integration/**/*.test.js",
  "dist/test/runners/portable/prism_*.test.js",
  "dist/test/portability/fn_harness/prism_*.test.js",
];

module.exports = {
  spec: INTEGRATION_SPECS,
  reporter: "dist/test/support/plain_summary_reporter.js",
  timeout: 60000,
  // A test that leaves a handle open must not hang the run; engine processes are ended with Node (runners/portable/end_with_node.ts).
  exit: true,
  INTEGRATION_SPECS,
};
