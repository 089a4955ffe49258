/**
 * The conformance suite's Prism: that it is installed, and which cases
 * Prism refuses at submission, with its reason.
 */
import * as mr from "../../index";
import { findPrismBinary } from "../../runners/portable/prism/prism_binary";
import { unsupportedOnPrism, UnsupportedOnPrismError } from "../../runners/portable/prism/prism_support";
import type { ConformanceCase } from "./conformance_case";

/**
 * Finds Prism as `--runner=prism` does; throws, saying how to install it
 * (`scripts/prism.sh install`), when it is missing: the suite fails then,
 * it does not skip the Prism cases.
 */
export function prismInstalled(): void {
  findPrismBinary();
}

/** The refusal `--runner=prism` gives `c` at submission, or undefined when Prism runs it. */
export function prismRefusal(c: ConformanceCase): string | undefined {
  const unsupported = unsupportedOnPrism(mr.portability.toProto(c.definition.create()));
  return unsupported.length > 0 ? new UnsupportedOnPrismError(unsupported).message : undefined;
}
