/**
 * `mr.io.writeText`: lines of text through the shared file sink
 * (`write_files.ts`), each element one line.
 */
import { WriteFiles, type FileWriteOptions } from "./write_files";

/** Options of {@link writeText}. */
export type WriteTextOptions = FileWriteOptions<string>;

/** @internal `mr.io.writeText`'s composite. */
export class WriteText extends WriteFiles<string> {
  constructor(prefix: string, options: WriteTextOptions) {
    super(prefix, options, { kind: "text" }, "");
  }
}

export { isWindowedWrite, windowedShardName } from "./write_files";
