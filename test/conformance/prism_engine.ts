/**
 * The conformance suite's Prism: one Prism job server for every case of the
 * `prism` configuration (it starts in 0.3 s alone, but a hundred jobs each
 * starting their own add up on a busy machine), and which cases Prism
 * refuses at submission, with its reason.
 */
import * as mr from "../../index";
import { findPrismBinary } from "../../runners/portable/prism/prism_binary";
import { startPrism, type PrismProcess } from "../../runners/portable/prism/prism_process";
import { unsupportedOnPrism, UnsupportedOnPrismError } from "../../runners/portable/prism/prism_support";
import type { ConformanceCase } from "./conformance_case";
import type { SharedEngine } from "./runners";

let prism: { process: PrismProcess; exited: boolean } | undefined;

/**
 * Prism, found as `--runner=prism` finds it: a missing binary fails the
 * case with the message that says how to install it (`scripts/prism.sh
 * install`). A Prism that died (a case crashed it) is reported with its
 * last lines and started again for the next case, so one crash fails one
 * case, not all that follow.
 */
export const sharedPrism: SharedEngine = {
  async args() {
    if (prism === undefined || prism.exited) {
      const started = { process: await startPrism(findPrismBinary()), exited: false };
      prism = started;
      void started.process.exit(2 ** 31 - 1).then((how) => {
        if (how === undefined) return;
        started.exited = true;
        console.error(`      the shared Prism ${how}; its last lines:\n${started.process.log()}`);
      });
    }
    return [`--prismEndpoint=${prism.process.endpoint}`];
  },
  async stop() {
    await prism?.process.stop();
    prism = undefined;
  },
};

/** The refusal `--runner=prism` gives `c` at submission, or undefined when Prism runs it. */
export function prismRefusal(c: ConformanceCase): string | undefined {
  const unsupported = unsupportedOnPrism(mr.portability.toProto(c.definition.create()));
  return unsupported.length > 0 ? new UnsupportedOnPrismError(unsupported).message : undefined;
}
