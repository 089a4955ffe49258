/** Nexmark event generator: see {@link generateEvents} and {@link eventAt}. */
export {
  NexmarkGenerator,
  deliveredEventAt,
  eventAt,
  generateEvents,
  resolveConfig,
  type EventKind,
  type GeneratorOptions,
  type ResolvedGeneratorConfig,
} from "./generator";
export { SeededRandom, hashSeed } from "./random";
