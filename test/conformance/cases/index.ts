/** Every conformance case, by module. Add a module here when you add one. */
import type { ConformanceCase } from "../conformance_case";
import { cases as create } from "./create";
import { cases as elementWise } from "./element_wise";
import { cases as pardo } from "./pardo";
import { cases as grouping } from "./grouping";
import { cases as combine } from "./combine";
import { cases as collections } from "./collections";
import { cases as composites } from "./composites";
import { cases as sideInputs } from "./side_inputs";
import { cases as metrics } from "./metrics";
import { cases as errors } from "./errors";
import { cases as large } from "./large";
import { cases as windowing } from "./windowing";
import { cases as timestamps } from "./timestamps";
import { cases as sessions } from "./sessions";
import { cases as testStream } from "./test_stream";
import { cases as triggers } from "./triggers";
import { cases as state } from "./state";
import { cases as timers } from "./timers";
import { cases as standardTransforms } from "./standard_transforms";
import { cases as schemas } from "./schemas";
import { cases as formats } from "./formats";
import { cases as splittable } from "./splittable";

export const CASE_GROUPS: Readonly<Record<string, readonly ConformanceCase[]>> = {
  create,
  "element-wise": elementWise,
  parDo: pardo,
  grouping,
  combine,
  collections,
  composites,
  "side inputs": sideInputs,
  metrics,
  errors,
  large,
  windowing,
  timestamps,
  sessions,
  "test stream": testStream,
  triggers,
  state,
  timers,
  "standard transforms": standardTransforms,
  schemas,
  formats,
  splittable,
};

export const ALL_CASES: readonly ConformanceCase[] = Object.values(CASE_GROUPS).flat();
