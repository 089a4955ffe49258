/**
 * The SDK harness an engine calls over Beam's Fn API: it opens the control
 * stream, answers each instruction (ProcessBundle, progress, split,
 * finalize, metadata), fetches and caches bundle descriptors, and runs
 * bundles with {@link BundleProcessor}. Every failure is answered: an
 * instruction that fails gets an `InstructionResponse.error` naming the
 * transform and showing the element, so the engine fails the job with the
 * reason instead of waiting.
 *
 * The transport is a {@link FnApiConnection}: gRPC to an engine
 * (`grpc_connection.ts`), or a test's in-process driver.
 */
import { MonitoringShortIds } from "./monitoring_short_ids";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import { UserCodeError, RunnerCheckError } from "../harness/user_code_error";
import { planOf, type BundleDescriptorPlan, type RawDescriptor } from "./bundle_descriptor";
import { BundleProcessor } from "./bundle_processor";
import { DataChannel } from "./data_channel";
import type { BidiStream } from "./fn_streams";
import type { Elements, InstructionRequest, InstructionResponse, LogEntryList, StateRequest, StateResponse } from "./fn_messages";
import { Severity } from "./fn_messages";
import { HarnessLogger } from "./harness_logger";
import { StateChannel } from "./state_channel";
import { FnApiStateServices } from "./fn_api_state";
import { runFinalizations, type Finalization } from "../harness/bundle_finalizations";

/** How the harness reaches the engine's Fn API services. */
export interface FnApiConnection {
  /** Opens the control stream (BeamFnControl.Control). */
  control(): BidiStream<InstructionRequest, InstructionResponse>;
  /** Fetches a bundle descriptor (BeamFnControl.GetProcessBundleDescriptor). */
  getProcessBundleDescriptor(id: string): Promise<RawDescriptor>;
  /** Opens the data stream of `endpoint` ("" = the control endpoint's host). */
  data(endpoint: string): BidiStream<Elements, Elements>;
  /** Opens the state stream of `endpoint`. */
  state(endpoint: string): BidiStream<StateResponse, StateRequest>;
  /** Opens the logging stream, when the engine offers one. */
  logging?(): BidiStream<unknown, LogEntryList>;
  /** Closes every channel. */
  close(): void;
  /** The endpoint `endpoint` resolves to ("" names the control endpoint), so one endpoint gets one stream. */
  resolve?(endpoint: string): string;
}

/** Options of {@link FnHarness}. */
export interface FnHarnessOptions {
  /** The worker id the engine gave (sent as `worker_id` metadata by the connection). */
  readonly workerId: string;
  /**
   * The pipeline's user code (LOOPBACK: the submitting process's own), or
   * how to get it on first use from the first bundle's plan (rebuilt from
   * the staged bundle: see `stagedUserCode`).
   */
  readonly userCode: UserCodeSource | ((plan: BundleDescriptorPlan) => Promise<UserCodeSource>);
}

/** One SDK harness connected to one engine's control endpoint. */
export class FnHarness {
  private readonly descriptors = new Map<string, Promise<BundleDescriptorPlan>>();
  private readonly idle = new Map<string, BundleProcessor[]>();
  private readonly active = new Map<string, BundleProcessor>();
  /** Finalization callbacks of finished bundles, until the engine's `FinalizeBundle` for them. */
  private readonly awaitingFinalization = new Map<string, Finalization[]>();
  /** Metrics travel as short ids (what Prism reads), and also in full (what older engines read). */
  private readonly shortIds = new MonitoringShortIds();
  private readonly dataChannels = new Map<string, DataChannel>();
  private readonly stateChannels = new Map<string, StateChannel>();
  private userCode: Promise<UserCodeSource> | undefined;
  private control: BidiStream<InstructionRequest, InstructionResponse> | undefined;
  private stopped = false;
  private onStop: (() => void) | undefined;
  /** Logs to the engine (BeamFnLogging) when it offers a logging stream. */
  readonly logger: HarnessLogger;

  constructor(
    private readonly connection: FnApiConnection,
    private readonly options: FnHarnessOptions,
  ) {
    this.logger = new HarnessLogger(connection.logging?.());
  }

  /** Serves instructions until the engine closes the control stream (or {@link stop}); then releases everything. */
  async run(): Promise<void> {
    // stop() ends run() at once, whatever the transport does with the cancelled stream.
    await Promise.race([this.serve(), new Promise<void>((resolve) => (this.onStop = resolve))]);
  }

  private async serve(): Promise<void> {
    const control = (this.control = this.connection.control());
    this.logger.log(Severity.INFO, `millrace SDK harness ${this.options.workerId} connected`);
    try {
      for await (const request of control) {
        void this.handle(request).then((response) => {
          if (!this.stopped) control.write(response);
        });
      }
    } catch (e) {
      // Stopping cancels the control call: that is the end asked for, not a failure.
      if (!this.stopped) throw e;
    } finally {
      this.shutdown();
    }
  }

  /** Stops serving: ends the streams; `run` resolves. */
  stop(): void {
    if (this.stopped) return;
    this.control?.end();
    this.shutdown();
    this.onStop?.();
  }

  private shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const list of this.idle.values()) for (const p of list) safely(() => p.teardown());
    this.idle.clear();
    for (const c of this.dataChannels.values()) safely(() => c.close());
    for (const s of this.stateChannels.values()) safely(() => s.close());
    this.logger.close();
    this.connection.close();
  }

  /** Answers one instruction; never throws: a failure is the response's `error`. */
  async handle(request: InstructionRequest): Promise<InstructionResponse> {
    const instructionId = request.instructionId ?? "";
    try {
      if (request.processBundle) return { instructionId, processBundle: await this.processBundle(instructionId, request.processBundle) };
      if (request.processBundleProgress) {
        const p = this.active.get(request.processBundleProgress.instructionId ?? "");
        const infos = p ? p.monitoringInfos() : [];
        return { instructionId, processBundleProgress: { monitoringInfos: infos, monitoringData: this.shortIds.encode(infos) } };
      }
      if (request.processBundleSplit) {
        const p = this.active.get(request.processBundleSplit.instructionId ?? "");
        const split = p?.split(request.processBundleSplit.desiredSplits ?? {});
        return { instructionId, processBundleSplit: split ?? { channelSplits: [] } };
      }
      if (request.finalizeBundle) {
        await this.finalize(request.finalizeBundle.instructionId ?? "");
        return { instructionId, finalizeBundle: {} };
      }
      if (request.monitoringInfos)
        return {
          instructionId,
          monitoringInfos: { monitoringInfo: this.shortIds.describe(request.monitoringInfos.monitoringInfoId ?? []) },
        };
      if (request.harnessMonitoringInfos) return { instructionId, harnessMonitoringInfos: { monitoringData: {} } };
      if (request.register) {
        for (const d of request.register.processBundleDescriptor ?? []) this.descriptors.set(d.id ?? "", Promise.resolve(planOf(d)));
        return { instructionId, register: {} };
      }
      return { instructionId, error: `the millrace SDK harness does not support the request ${describeRequest(request)}` };
    } catch (e) {
      const error = describeFailure(e, instructionId);
      this.logger.log(Severity.ERROR, error, { instructionId, ...(transformOf(e) ? { transformId: transformOf(e)! } : {}) });
      return { instructionId, error };
    }
  }

  private async processBundle(
    instructionId: string,
    request: NonNullable<InstructionRequest["processBundle"]>,
  ): Promise<NonNullable<InstructionResponse["processBundle"]>> {
    const descriptorId = request.processBundleDescriptorId ?? "";
    const processor = await this.processorFor(descriptorId);
    this.active.set(instructionId, processor);
    try {
      const { monitoringInfos, residualRoots, finalizations } = await processor.process(instructionId, request.cacheTokens ?? []);
      this.release(descriptorId, processor);
      if (finalizations.length > 0) this.awaitFinalization(instructionId, finalizations);
      return {
        monitoringInfos,
        monitoringData: this.shortIds.encode(monitoringInfos),
        ...(residualRoots.length > 0 ? { residualRoots } : {}),
        ...(finalizations.length > 0 ? { requiresFinalization: true } : {}),
      };
    } catch (e) {
      // A failed bundle may leave its DoFns in any state: the processor is dropped, not reused.
      safely(() => processor.teardown());
      throw e;
    } finally {
      this.active.delete(instructionId);
    }
  }

  /** Keeps a bundle's finalizations for its `FinalizeBundle`; those of bundles the engine never finalized go once all their deadlines passed. */
  private awaitFinalization(bundleId: string, finalizations: Finalization[]): void {
    const now = Date.now();
    for (const [id, fs] of this.awaitingFinalization) if (fs.every((f) => f.deadlineMs < now)) this.awaitingFinalization.delete(id);
    this.awaitingFinalization.set(bundleId, finalizations);
  }

  /**
   * Runs the finalizations of a bundle the engine has committed (Beam's
   * `FinalizeBundle`). A callback that fails is logged, not answered as an
   * error: the bundle's output is committed already.
   */
  private async finalize(bundleId: string): Promise<void> {
    const finalizations = this.awaitingFinalization.get(bundleId);
    if (!finalizations) throw new Error(`FinalizeBundle: bundle ${bundleId} asked for no finalization, or was finalized already`);
    this.awaitingFinalization.delete(bundleId);
    await runFinalizations(finalizations, Date.now(), (f, e) =>
      this.logger.log(Severity.WARN, `bundle finalization of '${f.transform}' failed: ${e instanceof Error ? e.message : String(e)}`, {
        instructionId: bundleId,
        transformId: f.transform,
      }),
    );
  }

  private async processorFor(descriptorId: string): Promise<BundleProcessor> {
    const reusable = this.idle.get(descriptorId)?.pop();
    if (reusable) return reusable;
    const plan = await this.descriptor(descriptorId);
    const userCode = await this.resolveUserCode(plan);
    const state =
      plan.stateEndpoint !== "" || plan.timerEndpoint !== ""
        ? new FnApiStateServices(plan, userCode, this.stateChannel(plan.stateEndpoint), (endpoint) => this.dataChannel(endpoint))
        : undefined;
    return new BundleProcessor(plan, {
      userCode,
      dataChannel: (endpoint) => this.dataChannel(endpoint),
      ...(state ? { state } : {}),
    });
  }

  private release(descriptorId: string, processor: BundleProcessor): void {
    if (this.stopped) return safely(() => processor.teardown());
    let list = this.idle.get(descriptorId);
    if (!list) this.idle.set(descriptorId, (list = []));
    list.push(processor);
  }

  private descriptor(id: string): Promise<BundleDescriptorPlan> {
    let plan = this.descriptors.get(id);
    if (!plan) {
      plan = this.connection.getProcessBundleDescriptor(id).then(planOf);
      // A failed fetch is not cached: the next bundle asks again.
      plan.catch(() => this.descriptors.delete(id));
      this.descriptors.set(id, plan);
    }
    return plan;
  }

  private resolveUserCode(plan: BundleDescriptorPlan): Promise<UserCodeSource> {
    if (!this.userCode) {
      const source = this.options.userCode;
      this.userCode = typeof source === "function" ? source(plan) : Promise.resolve(source);
      this.userCode.catch(() => (this.userCode = undefined));
    }
    return this.userCode;
  }

  private dataChannel(given: string): DataChannel {
    const endpoint = this.connection.resolve?.(given) ?? given;
    let c = this.dataChannels.get(endpoint);
    if (!c) this.dataChannels.set(endpoint, (c = new DataChannel(this.connection.data(endpoint), endpoint || "(default)")));
    return c;
  }

  private stateChannel(given: string): StateChannel {
    const endpoint = this.connection.resolve?.(given) ?? given;
    let c = this.stateChannels.get(endpoint);
    if (!c) this.stateChannels.set(endpoint, (c = new StateChannel(this.connection.state(endpoint), endpoint || "(default)")));
    return c;
  }
}

function describeRequest(request: InstructionRequest): string {
  const set = Object.entries(request).find(([k, v]) => k !== "instructionId" && k !== "request" && v !== null && v !== undefined);
  return set ? `'${set[0]}'` : "(empty)";
}

function transformOf(e: unknown): string | undefined {
  return e instanceof UserCodeError || e instanceof RunnerCheckError ? e.transform : undefined;
}

/** The error text an engine shows: the user code error names the transform and element itself. */
export function describeFailure(e: unknown, instructionId: string): string {
  if (e instanceof UserCodeError) return e.message;
  if (e instanceof RunnerCheckError) {
    // In the words of a user code failure, so the submitting side reads the transform and element back out.
    const element = e.elementPreview !== undefined ? ` of element ${e.elementPreview}` : "";
    return `transform '${e.transform}' failed in a runner check${element}:\n    ${e.name}: ${e.message.split("\n").join("\n    ")}`;
  }
  const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return `millrace SDK harness: instruction ${instructionId} failed: ${text}`;
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // Cleanup after a failure must not hide the failure.
  }
}
