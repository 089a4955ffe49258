/**
 * Artifact staging, after Beam's ArtifactStagingService: between `prepare`
 * and `run`, a client uploads the artifacts its job needs (here the bundled
 * pipeline module) into a staging session; the service checks each against
 * the digest the client states and keeps it on disk, in a folder of its own
 * per session, until the job that uses it ends.
 *
 * A service killed outright cannot clean up after itself, and its folder
 * holds users' code: each root folder carries its owner's pid, and a service
 * that starts removes the folders of owners that are gone.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PIPELINE_BUNDLE_ARTIFACT } from "../../portability/job_api/job_api_protocol";
import { linkBundleToLibrary } from "../../portability/job_api/code_bundle";

/** Thrown for an artifact the session does not expect, or whose bytes do not match its digest. */
export class ArtifactError extends Error {
  /** Always `"ArtifactError"`. */
  override readonly name = "ArtifactError";
}

interface Session {
  readonly dir: string;
  readonly expected: ReadonlySet<string>;
  readonly staged: Map<string, string>;
}

/** The name prefix of services' staging folders in the temporary directory. */
export const STAGING_PREFIX = "millrace-job-service-";

/** The file in a staging root that holds its owner's pid. */
export const OWNER_FILE = "owner.pid";

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, as another user's.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the staging folders under `dir` whose owning service has died.
 * A folder without an owner file, or whose owner runs, is left alone.
 * Returns the folders removed.
 */
export function removeStaleStagingRoots(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.startsWith(STAGING_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const root = path.join(dir, name);
    try {
      const pid = Number(fs.readFileSync(path.join(root, OWNER_FILE), "utf8").trim());
      if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processIsAlive(pid)) continue;
      fs.rmSync(root, { recursive: true, force: true });
      removed.push(root);
    } catch {
      // Not ours to judge (no owner file, or another user's folder): left alone.
    }
  }
  return removed;
}

/** Staging sessions on disk, under one root folder of the service. */
export class ArtifactStaging {
  private readonly sessions = new Map<string, Session>();
  /** The folder that holds every session's folder. */
  readonly root: string;

  /** @param root where to stage; a fresh temporary folder by default. */
  constructor(root?: string) {
    if (root === undefined) removeStaleStagingRoots(os.tmpdir());
    this.root = root ?? fs.mkdtempSync(path.join(os.tmpdir(), STAGING_PREFIX));
    fs.mkdirSync(this.root, { recursive: true });
    fs.writeFileSync(path.join(this.root, OWNER_FILE), String(process.pid));
  }

  /** Opens a session that expects the artifacts named `expected`. */
  open(sessionId: string, expected: readonly string[]): void {
    const dir = path.join(this.root, sessionId);
    fs.mkdirSync(dir, { recursive: true });
    this.sessions.set(sessionId, { dir, expected: new Set(expected), staged: new Map() });
  }

  /**
   * Stores an artifact after checking its SHA-256 digest (hex). The bundled
   * pipeline module is linked to this service's copy of millrace on the way.
   * Returns its size.
   */
  async stage(sessionId: string, name: string, sha256: string, bytes: Uint8Array): Promise<number> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new ArtifactError(`no staging session '${sessionId}': prepare the job first`);
    if (!session.expected.has(name))
      throw new ArtifactError(`unexpected artifact '${name}'; this job expects: ${[...session.expected].join(", ") || "none"}`);
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== sha256.toLowerCase())
      throw new ArtifactError(`artifact '${name}' does not match its digest (got sha256 ${actual}, stated ${sha256})`);
    let content: Uint8Array | string = bytes;
    if (name === PIPELINE_BUNDLE_ARTIFACT) {
      try {
        content = linkBundleToLibrary(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch (e) {
        throw new ArtifactError(`artifact '${name}' is not a pipeline bundle: ${(e as Error).message}`);
      }
    }
    const file = path.join(session.dir, name);
    await fs.promises.writeFile(file, content);
    session.staged.set(name, file);
    return bytes.length;
  }

  /** The expected artifacts not staged yet. */
  missing(sessionId: string): string[] {
    const session = this.sessions.get(sessionId);
    if (!session) return [];
    return [...session.expected].filter((n) => !session.staged.has(n));
  }

  /** Where a staged artifact is, or undefined. */
  pathOf(sessionId: string, name: string): string | undefined {
    return this.sessions.get(sessionId)?.staged.get(name);
  }

  /** Deletes a session and its files. */
  discard(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    fs.rmSync(session.dir, { recursive: true, force: true });
  }

  /** Deletes every session and the root folder. */
  discardAll(): void {
    for (const id of [...this.sessions.keys()]) this.discard(id);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
