/**
 * Staging a job's artifacts the way Beam's job services ask for them: the
 * client opens ArtifactStagingService.ReverseArtifactRetrievalService with its
 * staging token, then answers the service's requests (resolve these
 * artifacts; send me that one) until the service ends the stream.
 *
 * @module
 */
import { BeamServices, beamServiceDefinition, bidiStreamCall, createClient, waitForReady, type GrpcMessage } from "../../portability/grpc";

/** How many bytes one GetArtifactResponse carries. */
const CHUNK_BYTES = 1024 * 1024;

/** An artifact this client can serve: its `ArtifactInformation.type_payload` identifies it. */
export interface StagedArtifact {
  readonly typePayload: Uint8Array;
  readonly bytes: Uint8Array;
  /** For messages: what it is (e.g. "the pipeline's code bundle"). */
  readonly description: string;
}

/** Staging failed; the message says which artifact and why. */
export class ArtifactStagingError extends Error {
  /** Always `"ArtifactStagingError"`. */
  override readonly name = "ArtifactStagingError";
}

interface ArtifactRequest extends GrpcMessage {
  request?: "resolveArtifact" | "getArtifact";
  resolveArtifact?: { artifacts: GrpcMessage[] };
  getArtifact?: { artifact: { typeUrn: string; typePayload: Uint8Array } | null };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Serves `artifacts` to the staging service at `endpoint` for the session
 * `stagingToken`. Resolves when the service has what it wanted (it ends the
 * stream); rejects naming the artifact it asked for and we do not have, or
 * the stream's error.
 */
export async function stageArtifacts(
  endpoint: string,
  stagingToken: string,
  artifacts: readonly StagedArtifact[],
  timeoutMs: number,
): Promise<number> {
  const client = createClient(beamServiceDefinition(BeamServices.ArtifactStagingService), "ArtifactStagingService", endpoint);
  try {
    await waitForReady(client, `artifact staging service at ${endpoint}`, timeoutMs);
    const call = bidiStreamCall<GrpcMessage, ArtifactRequest>(client, "ReverseArtifactRetrievalService");
    call.write({ stagingToken });
    let served = 0;
    for await (const req of call) {
      if (req.request === "resolveArtifact") {
        // Our artifacts are final as they are: resolved to themselves, as Beam's Python SDK does.
        call.write({ stagingToken, isLast: true, resolveArtifactResponse: { replacements: req.resolveArtifact!.artifacts } });
      } else if (req.request === "getArtifact") {
        const wanted = req.getArtifact!.artifact;
        const found = wanted === null ? undefined : artifacts.find((a) => sameBytes(a.typePayload, wanted.typePayload));
        if (found === undefined) {
          call.cancel();
          throw new ArtifactStagingError(
            `the job service at ${endpoint} asked for an artifact this job does not have (${wanted?.typeUrn ?? "none"})`,
          );
        }
        for (let i = 0; i < found.bytes.length; i += CHUNK_BYTES) {
          call.write({ stagingToken, getArtifactResponse: { data: found.bytes.subarray(i, i + CHUNK_BYTES) } });
        }
        // The last message carries no data: some services (Prism) drop the data of the one marked last.
        call.write({ stagingToken, isLast: true, getArtifactResponse: { data: new Uint8Array(0) } });
        served++;
      }
    }
    call.end();
    return served;
  } catch (e) {
    if (e instanceof ArtifactStagingError) throw e;
    throw new ArtifactStagingError(`staging the job's artifacts at ${endpoint} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    client.close();
  }
}
