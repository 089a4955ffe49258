import type { FlagSpecs } from "../../sdk/options/flag_spec";

/** The direct runner's flags. */
export const DIRECT_FLAGS: FlagSpecs = {
  enforceImmutability: {
    type: "boolean",
    default: true,
    description: "fail when a transform mutates an input element, or an element after outputting it",
  },
  enforceEncodability: {
    type: "boolean",
    default: true,
    description: "round-trip every element through its coder; consumers see the decoded copy",
  },
  seed: {
    type: "integer",
    description: "seed of the random bundle order (default: random, reported when the job fails)",
  },
  bundleSize: { type: "integer", default: 10000, min: 1, description: "elements per bundle" },
};

/** The direct runner's settings, read from the flags. */
export interface DirectSettings {
  readonly enforceImmutability: boolean;
  readonly enforceEncodability: boolean;
  readonly seed: number;
  readonly bundleSize: number;
}

/** Reads the settings from parsed options, choosing a seed when none was given. */
export function directSettings(options: Readonly<Record<string, unknown>>): DirectSettings {
  const seed = typeof options.seed === "number" ? options.seed : Math.floor(Math.random() * 0x7fffffff);
  return {
    enforceImmutability: options.enforceImmutability !== false,
    enforceEncodability: options.enforceEncodability !== false,
    seed,
    bundleSize: typeof options.bundleSize === "number" ? options.bundleSize : 10000,
  };
}
