import { inspect } from "node:util";

/**
 * A one-line, truncated rendering of a value for error messages: enough to
 * recognise the element, never a megabyte of log.
 */
export function previewValue(value: unknown, maxLength = 200): string {
  let text: string;
  try {
    text = inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 20, maxStringLength: maxLength });
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}… (${text.length} chars)` : text;
}
