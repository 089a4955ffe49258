import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The file of the nearest caller outside millrace's own library folders: the
 * user module that called into the SDK. Used to record which module builds a
 * pipeline, so a worker can load it again.
 */
export function callerModule(): string | null {
  const libraryRoot = path.resolve(__dirname, "..", "..");
  const libraryDirs = ["sdk", "portability", "runners"].map((d) => path.join(libraryRoot, d) + path.sep);
  const libraryIndex = path.join(libraryRoot, "index.");
  for (const file of stackFiles()) {
    const resolved = file.startsWith("file:") ? fileURLToPath(file) : file;
    if (!path.isAbsolute(resolved)) continue;
    if (resolved.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (libraryDirs.some((d) => resolved.startsWith(d)) || resolved.startsWith(libraryIndex)) continue;
    return resolved;
  }
  return null;
}

function stackFiles(): string[] {
  const original = Error.prepareStackTrace;
  const originalLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_err, frames) => frames;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callerModule);
    const frames = holder.stack as NodeJS.CallSite[];
    return frames.map((f) => f.getFileName() ?? "").filter((f) => f !== "");
  } finally {
    Error.prepareStackTrace = original;
    Error.stackTraceLimit = originalLimit;
  }
}
