/**
 * The identifiers runners and the job service mint (job ids, preparation
 * ids, stream job run and attempt ids, which also name transactional files).
 * They are UUID v7: a millisecond timestamp first, then random bits, so ids
 * sort by creation in directory listings and logs, and stay unique across
 * processes. Within a process, `uuid` keeps them strictly increasing even
 * within one millisecond.
 */
import { v7 as uuidv7, validate, version } from "uuid";

/** A new unique identifier that sorts after every one this process minted before (UUID v7). */
export function newTimeOrderedId(): string {
  return uuidv7();
}

/** Whether `id` is a UUID v7, as {@link newTimeOrderedId} makes. */
export function isTimeOrderedId(id: string): boolean {
  return validate(id) && version(id) === 7;
}
