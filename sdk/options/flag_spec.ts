/**
 * Command-line flags: how a runner or a pipeline declares the options it
 * accepts, so that `PipelineOptions.fromArgs` can validate them and print help.
 */

/** The type of a flag's value. */
export type FlagType = "string" | "integer" | "number" | "boolean";

/** One accepted `--name=value` flag. */
export interface FlagSpec {
  /** The value's type; values are parsed and checked against it. */
  readonly type: FlagType;
  /** One line for `--help`. */
  readonly description: string;
  /** The value used when the flag is absent. */
  readonly default?: string | number | boolean;
  /** The only values accepted, when the set is closed. */
  readonly choices?: readonly string[];
  /** The smallest accepted value, for numeric flags. */
  readonly min?: number;
}

/** Flags by name (without the leading `--`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parses one flag value, or throws a message that says what was expected. */
export function parseFlagValue(name: string, spec: FlagSpec, raw: string): string | number | boolean {
  switch (spec.type) {
    case "boolean":
      if (raw === "" || raw === "true") return true;
      if (raw === "false") return false;
      throw new Error(`--${name} takes true or false, not '${raw}'`);
    case "integer":
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || (spec.type === "integer" && !Number.isInteger(n))) {
        throw new Error(`--${name} takes ${spec.type === "integer" ? "a whole number" : "a number"}, not '${raw}'`);
      }
      if (spec.min !== undefined && n < spec.min) throw new Error(`--${name} must be at least ${spec.min}, not ${n}`);
      return n;
    }
    case "string":
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new Error(`--${name} takes one of ${spec.choices.join(", ")}, not '${raw}'`);
      }
      return raw;
  }
}

/** Help text for a set of flags, one per line, with defaults. */
export function describeFlags(specs: FlagSpecs): string {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const shape = spec.choices ? spec.choices.join("|") : spec.type;
    const dflt = spec.default === undefined ? "" : ` (default: ${String(spec.default)})`;
    lines.push(`  --${name}=<${shape}>`.padEnd(40) + ` ${spec.description}${dflt}`);
  }
  return lines.join("\n");
}
