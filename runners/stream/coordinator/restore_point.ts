/**
 * Which checkpoint a stream job starts from, as the micro-batch runner does
 * with its checkpoint directory: `--fromCheckpoint` when given; otherwise
 * the newest checkpoint of `--checkpointDir` that verifies, so a rerun on a
 * used directory resumes instead of publishing everything a second time; a
 * directory of another pipeline (or parallelism) is refused; and
 * `--discardCheckpoints` starts from scratch on purpose, first deleting what
 * the old run published so that nothing is doubled.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { TextSinkPayload } from "../../../portability/payloads";
import type { StreamSettings } from "../stream_flags";
import { checkpointToResumeFrom, newestVerified, type CompletedCheckpoint } from "./checkpoint_storage";

/** What a restore is checked against. */
export interface JobShape {
  /** The job graph's vertex ids, in order. */
  readonly vertices: readonly string[];
  readonly parallelism: number;
  /** The pipeline's text sinks, whose old files `--discardCheckpoints` deletes. */
  readonly textSinks: readonly { readonly transform: string; readonly sink: TextSinkPayload }[];
}

/**
 * The checkpoint to restore, or undefined to start from scratch.
 * @throws Error when the checkpoint belongs to another pipeline or parallelism,
 *   when `--checkpointDir` holds checkpoints and none verifies, or when
 *   `--discardCheckpoints` cannot delete an old file.
 */
export function chooseRestorePoint(
  settings: StreamSettings,
  shape: JobShape,
  warn: (message: string) => void = console.warn,
): CompletedCheckpoint | undefined {
  if (settings.fromCheckpoint) {
    const checkpoint = checkpointToResumeFrom(settings.fromCheckpoint, warn);
    checkCompatible(checkpoint, shape, "--fromCheckpoint");
    return checkpoint;
  }
  const dir = settings.checkpointDir;
  if (!dir || !fs.existsSync(dir)) return undefined;
  if (settings.discardCheckpoints) {
    discardOldRun(dir, shape);
    return undefined;
  }
  const { checkpoint, skipped } = newestVerified(dir, warn);
  if (!checkpoint) {
    if (skipped.length > 0) {
      throw new Error(
        `--checkpointDir=${dir}: no checkpoint verifies (${skipped.join("; ")}). Starting over would publish everything again: ` +
          "rerun with --discardCheckpoints to delete the old run's checkpoints and files on purpose",
      );
    }
    return undefined;
  }
  checkCompatible(checkpoint, shape, `--checkpointDir=${dir}`);
  if (skipped.length > 0) deletePublishedAfter(checkpoint.metadata.id, shape);
  return checkpoint;
}

/**
 * Falling back past a damaged checkpoint replays what came after it: the
 * files later checkpoints published would be written a second time, so they
 * are deleted first (their checkpoint id is in their name).
 */
function deletePublishedAfter(checkpointId: number, shape: JobShape): void {
  for (const { sink } of shape.textSinks) {
    for (const file of filesOfOldRun(sink)) {
      const id = publishedCheckpointId(sink, path.basename(file));
      if (id !== undefined && id > checkpointId) fs.rmSync(file, { force: true });
    }
  }
}

function checkCompatible(c: CompletedCheckpoint, shape: JobShape, source: string): void {
  const m = c.metadata;
  const remedy = source.startsWith("--checkpointDir")
    ? "; use another --checkpointDir, or --discardCheckpoints to start this one over"
    : "";
  if (m.parallelism !== shape.parallelism) {
    throw new Error(
      `${source}: checkpoint ${m.id} was taken at parallelism ${m.parallelism}; this run has --parallelism=${shape.parallelism} (start it with --parallelism=${m.parallelism}${remedy})`,
    );
  }
  if (JSON.stringify(shape.vertices) !== JSON.stringify(m.vertices)) {
    throw new Error(
      `${source}: checkpoint ${m.id} belongs to a different pipeline (its tasks: ${m.vertices.join(", ")}; this pipeline's: ${shape.vertices.join(", ")})${remedy}`,
    );
  }
}

/**
 * Deletes the files the sinks of an old run published (the stream sink's
 * naming, `<prefix>-checkpoint-<checkpoint>-<subtask><suffix>`) and their hidden
 * unpublished files, then the checkpoints and the run id. Files go first: if
 * one cannot be deleted the checkpoints stay, and the error names the file.
 */
function discardOldRun(dir: string, shape: JobShape): void {
  const doomed = shape.textSinks.map(({ transform, sink }) => ({ transform, files: filesOfOldRun(sink) }));
  // Checked before deleting anything, so that a refusal leaves the old run whole.
  for (const { transform, files } of doomed) {
    if (files.length === 0) continue;
    const folder = path.dirname(files[0]!);
    try {
      fs.accessSync(folder, fs.constants.W_OK);
    } catch (e) {
      throw new Error(
        `--discardCheckpoints: cannot delete the files the old run of '${transform}' published in '${folder}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was discarded`,
        { cause: e },
      );
    }
  }
  for (const { transform, files } of doomed) {
    for (const file of files) {
      try {
        fs.rmSync(file, { force: true });
      } catch (e) {
        throw new Error(
          `--discardCheckpoints: cannot delete '${file}', published by the old run of '${transform}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
            "nothing was discarded: delete it yourself or write elsewhere",
          { cause: e },
        );
      }
    }
  }
  for (const name of fs.readdirSync(dir)) {
    if (/^chk-\d+$/.test(name) || name === "job.json") fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** The checkpoint id in the name of a file the stream sink published, or undefined for another file. */
function publishedCheckpointId(sink: TextSinkPayload, name: string): number | undefined {
  const m = new RegExp(
    `^${escapeRegExp(path.basename(sink.prefix))}-checkpoint-(\\d{10,})-\\d{5,}(?:-of-\\d{5,})?${escapeRegExp(sink.suffix)}$`,
  ).exec(name);
  return m ? Number(m[1]) : undefined;
}

function filesOfOldRun(sink: TextSinkPayload): string[] {
  const dir = path.dirname(sink.prefix);
  const hidden = `.millrace-pending-${path.basename(sink.prefix)}-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(
      `--discardCheckpoints: cannot list '${dir}' to delete the old run's files: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { cause: e },
    );
  }
  return names.filter((n) => publishedCheckpointId(sink, n) !== undefined || n.startsWith(hidden)).map((n) => path.join(dir, n));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
