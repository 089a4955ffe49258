import { UserCodeNotFoundError, type UserCodeSource } from "./user_code_source";

/**
 * The in-process registry of user values by reference. A pipeline fills it
 * while it is built; it is the {@link UserCodeSource} for runners in the same
 * process, and the one a worker rebuilds.
 */
export class UserCodeRegistry implements UserCodeSource {
  private readonly entries = new Map<string, unknown>();

  /** Registers `value` under `ref`; a second registration of the same ref is a bug in the SDK. */
  register(ref: string, value: unknown): string {
    if (this.entries.has(ref)) throw new Error(`internal: user code reference '${ref}' registered twice`);
    this.entries.set(ref, value);
    return ref;
  }

  /** Registers or replaces `value` under `ref` (for values attached late, such as a collection's coder). */
  put(ref: string, value: unknown): void {
    this.entries.set(ref, value);
  }

  lookup(ref: string): unknown {
    if (!this.entries.has(ref)) {
      throw new UserCodeNotFoundError(`no user code is registered as '${ref}': the pipeline rebuilt here does not match the one submitted`);
    }
    return this.entries.get(ref);
  }

  /** All references, sorted, for fingerprints and diagnostics. */
  refs(): string[] {
    return [...this.entries.keys()].sort();
  }
}
