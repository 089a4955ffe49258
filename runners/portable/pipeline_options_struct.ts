/**
 * Pipeline options as a Beam job service takes them: a `google.protobuf.Struct`
 * whose fields are named `beam:option:<name>:v1` (Beam's Java job servers read
 * the names as Java option names, so millrace's camelCase flag names pass
 * through unchanged).
 *
 * @module
 */

/** A `google.protobuf.Value` as protobufjs takes it. */
export type StructValue = { stringValue: string } | { numberValue: number } | { boolValue: boolean };

/** The Struct field name of the option `name`. */
export function optionUrn(name: string): string {
  return `beam:option:${name}:v1`;
}

/** Options that only matter to the submitting process (where to submit, secrets): never sent. */
const LOCAL_ONLY = new Set(["jobEndpoint", "jobToken", "help", "prismBinary"]);

/**
 * The `Struct` of `options`: strings, numbers and booleans become Values;
 * anything else (undefined, objects) is left out.
 */
export function optionsStruct(options: Readonly<Record<string, unknown>>): { fields: Record<string, StructValue> } {
  const fields: Record<string, StructValue> = {};
  for (const [name, value] of Object.entries(options)) {
    if (LOCAL_ONLY.has(name)) continue;
    if (typeof value === "string") fields[optionUrn(name)] = { stringValue: value };
    else if (typeof value === "number" && Number.isFinite(value)) fields[optionUrn(name)] = { numberValue: value };
    else if (typeof value === "boolean") fields[optionUrn(name)] = { boolValue: value };
  }
  return { fields };
}
