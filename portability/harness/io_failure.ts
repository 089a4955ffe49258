/**
 * A file operation of a runner's IO failed (a full disk, a permission, a
 * missing directory): the error names the transform doing it and the file,
 * says what the code means for the common cases, and is a runner check, so
 * it is never blamed on the user code upstream that happened to feed the
 * sink in the same fused stage.
 */
import { RunnerCheckError } from "./user_code_error";

const MEANINGS: Readonly<Record<string, string>> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exhausted",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOTDIR: "a parent of the path is not a directory",
  EISDIR: "the path is a directory",
  EMFILE: "too many open files",
};

/** Wraps the error `e` of `action` (e.g. "write") on `file` by `transform`. */
export function ioFailure(transform: string, action: string, file: string, e: unknown): RunnerCheckError {
  const code = (e as NodeJS.ErrnoException).code;
  const meaning = code && MEANINGS[code] ? `${code}: ${MEANINGS[code]}` : ((e as Error).message ?? String(e));
  return new RunnerCheckError(transform, `'${transform}' cannot ${action} '${file}' (${meaning})`, { cause: e });
}

/** Runs the file operation `f`, turning its failure into an {@link ioFailure}. */
export function withIoFailure<T>(transform: string, action: string, file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RunnerCheckError) throw e;
    throw ioFailure(transform, action, file, e);
  }
}
