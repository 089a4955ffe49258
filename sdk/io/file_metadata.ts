/** What `io.matchFiles` tells about a file (Beam's `MatchResult.Metadata`): plain data, so it travels with the default coder. */
export interface FileMetadata {
  /** The file's absolute path. */
  readonly path: string;
  /** Its size when it was matched. */
  readonly sizeBytes: number;
  /** Its modification time when it was matched, ms since the epoch. */
  readonly lastModifiedMs: number;
}

/** A matched file ready to read (Beam's `ReadableFile`), as `io.readMatches` gives it. */
export interface ReadableFile {
  /** The file's metadata when it was matched. */
  readonly metadata: FileMetadata;
}
