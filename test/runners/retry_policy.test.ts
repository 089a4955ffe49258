/**
 * Which failures the stream and micro-batch runners retry: infrastructure
 * failures up to the limit, user code until it throws the same error on the
 * same element twice in a row.
 */
import { expect } from "chai";
import { decideRetry, sameUserCodeFailure, whyNotRetried } from "../../runners/core/retry_policy";
import type { WorkerFailure } from "../../runners/core/worker/worker_failure";

const userError = (message: string, element = "42", transform = "Explode"): WorkerFailure => ({
  message: `transform '${transform}' failed in processing of element ${element}: ${message}`,
  transform,
  element,
  cause: { name: "Error", message },
});
const crash: WorkerFailure = { message: "worker thread 1 exited with code 17" };

describe("retry policy", () => {
  it("retries an infrastructure failure, even the same one again, until the attempts run out", () => {
    expect(decideRetry(1, 3, crash, undefined)).to.deep.equal({ retry: true });
    expect(decideRetry(2, 3, crash, crash)).to.deep.equal({ retry: true });
    expect(decideRetry(3, 3, crash, crash)).to.deep.equal({ retry: false, reason: "attempts exhausted" });
  });

  it("retries user code once: a first failure may pass", () => {
    expect(decideRetry(1, 4, userError("boom"), undefined)).to.deep.equal({ retry: true });
    expect(decideRetry(2, 4, userError("boom"), crash), "after an infrastructure failure").to.deep.equal({ retry: true });
  });

  it("stops at the same user error on the same element twice in a row, attempts left or not", () => {
    expect(decideRetry(2, 4, userError("boom"), userError("boom"))).to.deep.equal({ retry: false, reason: "deterministic user error" });
    expect(decideRetry(2, 2, userError("boom"), userError("boom"))).to.deep.equal({ retry: false, reason: "deterministic user error" });
  });

  it("keeps retrying user code whose error changes: another message, element or transform", () => {
    expect(decideRetry(2, 4, userError("timeout 2"), userError("timeout 1"))).to.deep.equal({ retry: true });
    expect(decideRetry(2, 4, userError("boom", "43"), userError("boom", "42"))).to.deep.equal({ retry: true });
    expect(decideRetry(2, 4, userError("boom", "42", "B"), userError("boom", "42", "A"))).to.deep.equal({ retry: true });
    expect(decideRetry(4, 4, userError("t4"), userError("t3"))).to.deep.equal({ retry: false, reason: "attempts exhausted" });
  });

  it("never takes two runner failures without a user cause for the same user error", () => {
    const check: WorkerFailure = { message: "element mutated", transform: "Explode" };
    expect(sameUserCodeFailure(check, check)).to.equal(false);
    expect(sameUserCodeFailure(crash, crash)).to.equal(false);
    expect(sameUserCodeFailure(userError("x"), userError("x"))).to.equal(true);
  });

  it("says why no more attempts were made when that is not the limit", () => {
    expect(whyNotRetried({ retry: false, reason: "attempts exhausted" })).to.equal(undefined);
    expect(whyNotRetried({ retry: false, reason: "deterministic user error" })).to.equal(
      "the same error on the same element twice in a row is not retried further",
    );
  });
});
