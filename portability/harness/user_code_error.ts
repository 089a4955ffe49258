import { previewValue } from "../values/preview";

/**
 * User code threw while a transform processed an element. Names the
 * transform, shows the element (truncated) and keeps the original error,
 * whose stack ends the message so it is visible wherever the error is printed.
 */
export class UserCodeError extends Error {
  override readonly name = "UserCodeError";
  /** A readable rendering of the element, truncated. */
  readonly elementPreview: string | undefined;

  constructor(
    /** The unique name of the transform whose code threw. */
    readonly transform: string,
    /** What it was doing: "processing", "startBundle", ... */
    phase: string,
    element: { value: unknown } | undefined,
    cause: unknown,
  ) {
    const preview = element ? previewValue(element.value) : undefined;
    const original = cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause);
    super(`transform '${transform}' failed in ${phase}${preview !== undefined ? ` of element ${preview}` : ""}:\n${indent(original)}`, {
      cause,
    });
    this.elementPreview = preview;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

/**
 * A runner's own check failed (an element mutated, an element its coder
 * cannot round-trip...). Never re-attributed to the user code upstream.
 */
export class RunnerCheckError extends Error {
  override readonly name = "RunnerCheckError";
  /** A readable rendering of the element the check refused, truncated, when there is one. */
  readonly elementPreview: string | undefined;
  constructor(
    /** The transform the check blames. */
    readonly transform: string,
    message: string,
    options?: { cause?: unknown; element?: { value: unknown } },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.elementPreview = options?.element ? previewValue(options.element.value) : undefined;
  }
}

/** Re-throws `e` as a {@link UserCodeError} of `transform`, unless it already is one (from further downstream) or a runner check. */
export function wrapUserError(e: unknown, transform: string, phase: string, element?: { value: unknown }): never {
  if (e instanceof UserCodeError || e instanceof RunnerCheckError) throw e;
  throw new UserCodeError(transform, phase, element, e);
}
