/**
 * A failed engine job as a {@link PipelineExecutionError}. The engine passes
 * on what millrace's SDK harness reported (the harness formats user-code
 * failures as `transform 'T' failed in processing of element E:` followed by
 * the stack), wrapped in its own words; the transform and element are read
 * back out of it so the error names them as every runner's does.
 *
 * @module
 */
import { PipelineExecutionError } from "../../model/pipeline_result";

const USER_CODE_FAILURE = /transform '([^\n]+?)' failed in [^\n]*?(?: of element ([^\n]*))?:\n/;

/**
 * The error for a job that `engine` reports FAILED, from its error messages
 * (most relevant first is not assumed: the first one naming a transform wins,
 * else all are shown).
 */
export function engineFailure(engine: string, errorMessages: readonly string[]): PipelineExecutionError {
  const unique = [...new Set(errorMessages.map((m) => m.trim()).filter((m) => m !== ""))];
  const withTransform = unique.find((m) => USER_CODE_FAILURE.test(m));
  const text = withTransform ?? unique.join("\n");
  const match = withTransform === undefined ? null : USER_CODE_FAILURE.exec(withTransform);
  const message = text === "" ? `the job failed on ${engine}, which gave no reason` : `the job failed on ${engine}: ${text}`;
  const cause = match === null ? undefined : causeOf(withTransform!.slice(match.index + match[0].length));
  return new PipelineExecutionError(message, {
    ...(match?.[1] !== undefined ? { transform: match[1] } : {}),
    ...(match?.[2] !== undefined ? { element: match[2] } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

const STACK_FRAME = /^\s+at /;
const ERROR_HEAD = /^\s*([A-Za-z_$][\w$]*): ([^]*)$/;

/**
 * The user's error, rebuilt from the stack the harness reported after the
 * transform and element (`Name: message` then `at` frames): the error
 * crossed the engine as text, so its name, message and stack are what
 * survive of it, as of an error from a worker thread.
 */
function causeOf(reported: string): Error | undefined {
  const lines = reported.split("\n");
  const firstFrame = lines.findIndex((l) => STACK_FRAME.test(l));
  const head = (firstFrame === -1 ? lines : lines.slice(0, firstFrame)).map((l) => l.replace(/^ {4}/, "")).join("\n");
  const m = ERROR_HEAD.exec(head);
  if (m === null) return undefined;
  const cause = new Error(m[2]!.trimEnd());
  cause.name = m[1]!;
  cause.stack = reported.replace(/^ {4}/gm, "");
  return cause;
}
