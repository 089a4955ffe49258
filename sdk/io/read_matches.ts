/** `io.readMatches`: matched files' metadata made into readable files (Beam's `FileIO.readMatches`). */
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { ParDoTransform } from "../transforms/pardo";
import type { FileMetadata, ReadableFile } from "./file_metadata";

/** @internal `mr.io.readMatches`'s transform. */
export class ReadMatches extends PTransform<PCollection<FileMetadata>, PCollection<ReadableFile>> {
  override defaultName(): string {
    return "ReadMatches";
  }
  expand(input: PCollection<FileMetadata>): PCollection<ReadableFile> {
    return input.apply(
      "ToReadableFile",
      new ParDoTransform<FileMetadata, ReadableFile>("ToReadableFile", {
        fn: (metadata: FileMetadata) => {
          if (typeof metadata?.path !== "string")
            throw new TypeError(`readMatches expects FileMetadata from matchFiles, got ${JSON.stringify(metadata)}`);
          return { metadata };
        },
        shape: "map",
      }),
    );
  }
}
