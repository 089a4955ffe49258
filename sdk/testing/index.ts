/**
 * Testing pipelines: assertions checked inside the pipeline.
 *
 * @packageDocumentation
 */
export { assertThat, PAssert, AssertionFailedError, ASSERTIONS_PASSED_COUNTER } from "./assert_that";
export { testStream, TestStream, type TestStreamItem } from "./test_stream";
