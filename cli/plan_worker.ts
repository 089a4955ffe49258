/**
 * A worker thread that decodes, validates and plans one pipeline proto for
 * the job service (see runners/job_service/pipeline_planner.ts): planning a large proto takes
 * seconds of CPU, which on the service's own thread would stall every
 * client and job it serves.
 */
import "../index";
import { parentPort } from "node:worker_threads";
import { pipelineGraphOf } from "../runners/job_service/pipeline_graph";
import type { PlanReply, PlanRequest } from "../runners/job_service/pipeline_planner";

parentPort!.once("message", (request: PlanRequest) => {
  let reply: PlanReply;
  try {
    reply = { graph: pipelineGraphOf(request.pipelineProto, request.runner) };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
