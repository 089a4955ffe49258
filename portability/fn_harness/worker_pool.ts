/**
 * Beam's BeamFnExternalWorkerPool for millrace: an engine calls StartWorker
 * with its control endpoint and the pool starts an SDK harness connected to
 * it (in this process); StopWorker stops it. The job client starts one for
 * LOOPBACK (with the submitting process's user code, so nothing is
 * rebuilt); `millrace harness --pool` starts one beside a cluster's workers
 * for EXTERNAL, whose harnesses rebuild the user code from the staged bundle.
 */
import * as grpc from "@grpc/grpc-js";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import { beamServiceDefinition } from "../grpc/beam_services";
import { startGrpcServer } from "../grpc/channels";
import { FnApiServices } from "../proto/fn_api_root";
import { FnHarness } from "./fn_harness";
import { grpcFnApiConnection } from "./grpc_connection";
import { stagedUserCode } from "./staged_user_code";

/** Options of {@link startWorkerPool}. */
export interface WorkerPoolOptions {
  /** The interface to listen on; default 127.0.0.1 (0.0.0.0 to serve other hosts). */
  readonly host?: string;
  /** The port; default 0 (any free one: see the returned endpoint). */
  readonly port?: number;
  /**
   * The pipeline's user code, when the pool runs in the process that built
   * the pipeline (LOOPBACK); otherwise each worker rebuilds it from the
   * job's staged bundle.
   */
  readonly userCode?: UserCodeSource;
}

/** A running worker pool. */
export interface WorkerPool {
  /** `host:port` to give the engine (the EXTERNAL environment's endpoint). */
  readonly endpoint: string;
  /** Stops every worker and the pool's server. */
  close(): Promise<void>;
}

interface StartWorkerRequest {
  workerId?: string;
  controlEndpoint?: { url?: string } | null;
  loggingEndpoint?: { url?: string } | null;
  artifactEndpoint?: { url?: string } | null;
  provisionEndpoint?: { url?: string } | null;
  params?: Record<string, string>;
}

/** Starts a worker pool; resolves once it listens. */
export async function startWorkerPool(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  const workers = new Map<string, { harness: FnHarness; done: Promise<void> }>();
  const startWorker = (request: StartWorkerRequest): string => {
    const workerId = request.workerId ?? "";
    const control = request.controlEndpoint?.url ?? "";
    if (!control) return "StartWorker needs a control endpoint";
    if (workers.has(workerId)) return `worker '${workerId}' is already running`;
    const logging = request.loggingEndpoint?.url;
    const connection = grpcFnApiConnection({ control, ...(logging ? { logging } : {}) }, workerId);
    const userCode =
      options.userCode ??
      stagedUserCode({
        provisionEndpoint: request.provisionEndpoint?.url ?? "",
        ...(request.artifactEndpoint?.url ? { artifactEndpoint: request.artifactEndpoint.url } : {}),
        params: { ...process.env, ...(request.params ?? {}) },
        workerId,
      });
    const harness = new FnHarness(connection, { workerId, userCode });
    const done = harness.run().catch((e: unknown) => {
      process.stderr.write(`millrace worker ${workerId} stopped: ${e instanceof Error ? e.message : String(e)}\n`);
    });
    workers.set(workerId, { harness, done });
    void done.then(() => workers.delete(workerId));
    return "";
  };
  const server = await startGrpcServer(
    [
      {
        definition: beamServiceDefinition(FnApiServices.ExternalWorkerPool),
        implementation: {
          StartWorker: (call: grpc.ServerUnaryCall<StartWorkerRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
            let error: string;
            try {
              error = startWorker(call.request);
            } catch (e) {
              error = `cannot start worker '${call.request.workerId ?? ""}': ${e instanceof Error ? e.message : String(e)}`;
            }
            cb(null, error ? { error } : {});
          },
          StopWorker: (call: grpc.ServerUnaryCall<{ workerId?: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
            const w = workers.get(call.request.workerId ?? "");
            w?.harness.stop();
            cb(null, {});
          },
        },
      },
    ],
    { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) },
  );
  return {
    endpoint: server.endpoint,
    close: async () => {
      const running = [...workers.values()];
      for (const w of running) w.harness.stop();
      await Promise.all(running.map((w) => w.done));
      await server.close();
    },
  };
}
