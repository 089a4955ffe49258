// The engines suite: tests that start Beam's Flink and Spark job servers (JVMs
// of 150 to 300 MB of jars) and a Flink session cluster. They need
// `scripts/engines.sh prepare flink spark` once; .ci/run does it when missing.
// `npm run test:engines` runs them; `npm test` does not, so the everyday
// suite stays within its few minutes on a 2-core machine.
module.exports = {
  spec: ["dist/test/engines/**/*.test.js"],
  reporter: "dist/test/support/plain_summary_reporter.js",
  timeout: 600000,
  recursive: true,
  // A test that leaves a handle open must not hang the run; engine processes are ended with Node (runners/portable/end_with_node.ts).
  exit: true,
};
