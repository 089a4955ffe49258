/** Identifiers the runners and the job service mint are UUID v7: unique, and sorted by creation. */
import { expect } from "chai";
import { isTimeOrderedId, newTimeOrderedId } from "../../runners/core/ids";
import { JobRegistry } from "../../runners/job_service/job_registry";
import type { PipelineGraph } from "../../portability/job_api/job_api_protocol";

describe("time-ordered ids", () => {
  it("are UUID v7, distinct, and sort in the order they were made, also within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => newTimeOrderedId());
    expect(ids.every(isTimeOrderedId)).to.equal(true);
    expect(new Set(ids).size).to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal(ids);
  });

  it("tells a UUID v7 from other ids", () => {
    expect(isTimeOrderedId("0f8fad5b-d9cb-469f-a165-70867728950e"), "a v4").to.equal(false);
    expect(isTimeOrderedId("job-1")).to.equal(false);
  });

  it("name the job service's jobs, so a later job sorts after an earlier one", () => {
    const registry = new JobRegistry();
    const graph: PipelineGraph = { nodes: [], edges: [], svg: "" };
    const first = registry.add("first", "direct", graph).jobId;
    const second = registry.add("second", "direct", graph).jobId;
    expect(isTimeOrderedId(first), first).to.equal(true);
    expect(isTimeOrderedId(second), second).to.equal(true);
    expect(first < second).to.equal(true);
  });
});
