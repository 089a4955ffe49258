/**
 * CSV (RFC 4180 with a chosen delimiter and quote): `csv-parse` and
 * `csv-stringify` do the parsing and quoting. What is here: typed columns,
 * and recovery from a bad row. csv-parse stops at the first malformed row
 * (or, skipping it, can swallow the rows after an unclosed quote), so the
 * decoder parses again from the line after a bad row's first line: a bad
 * row costs only itself, and its file and line go to the dead-letter output.
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { FileDecoder, RecordEncoder } from "./file_format";
import { lineEncoder } from "./text_format";

/** How a typed CSV column's text becomes a value. An empty field is `null` in a typed column other than `"string"`. */
export type CsvColumnType = "string" | "number" | "integer" | "boolean";

/** A CSV column: its name and type. */
export interface CsvColumn {
  readonly name: string;
  readonly type: CsvColumnType;
}

/** @internal The CSV options a reader or writer runs with, validated (they travel in the pipeline as JSON). */
export interface CsvSpec {
  readonly header: boolean;
  readonly delimiter: string;
  readonly quote: string;
  /** Absent when a reader takes its column names from the header (all strings), or gives arrays without one. */
  readonly columns?: readonly CsvColumn[];
}

const TYPES: readonly CsvColumnType[] = ["string", "number", "integer", "boolean"];

/**
 * @internal The columns option (`["a", "b"]`, or `{ a: "integer", b: "string" }`)
 * as a list of typed columns; `what` names the transform in errors.
 */
export function csvColumns(what: string, columns: unknown): CsvColumn[] | undefined {
  if (columns === undefined) return undefined;
  const list: CsvColumn[] = Array.isArray(columns)
    ? columns.map((name) => ({ name, type: "string" as CsvColumnType }))
    : columns !== null && typeof columns === "object"
      ? Object.entries(columns as Record<string, unknown>).map(([name, type]) => ({ name, type: type as CsvColumnType }))
      : (() => {
          throw new TypeError(`${what}: columns must be a list of names or an object { name: type }, got ${String(columns)}`);
        })();
  if (list.length === 0) throw new TypeError(`${what}: columns must name at least one column`);
  const seen = new Set<string>();
  for (const c of list) {
    if (typeof c.name !== "string" || c.name.length === 0)
      throw new TypeError(`${what}: a column name must be a non-empty string, got ${String(c.name)}`);
    if (seen.has(c.name)) throw new TypeError(`${what}: column '${c.name}' is named twice`);
    seen.add(c.name);
    if (!TYPES.includes(c.type))
      throw new TypeError(`${what}: column '${c.name}' has type ${JSON.stringify(c.type)}; valid types are ${TYPES.join(", ")}`);
  }
  return list;
}

/** @internal Checks a delimiter or quote option: one character (default `def`). */
export function csvCharacter(what: string, option: string, value: unknown, def: string): string {
  if (value === undefined) return def;
  if (typeof value !== "string" || value.length !== 1 || value === "\n" || value === "\r")
    throw new TypeError(`${what}: ${option} must be one character other than a line break, got ${JSON.stringify(value)}`);
  return value;
}

/** The text of one field. */
function fieldText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The encoder of `writeCsv`: a header line when asked, then one row per record (an object by column names, or an array in column order). */
export function csvEncoder(spec: CsvSpec): RecordEncoder {
  const columns = spec.columns ?? [];
  const options = { delimiter: spec.delimiter, quote: spec.quote, eof: false, record_delimiter: "\n" } as const;
  const toLine = (record: unknown): string => {
    let fields: unknown[];
    if (Array.isArray(record)) {
      if (record.length !== columns.length)
        throw new TypeError(`writeCsv: a row given as an array has ${record.length} fields, but there are ${columns.length} columns`);
      fields = record;
    } else if (record !== null && typeof record === "object") {
      fields = columns.map((c) => (record as Record<string, unknown>)[c.name]);
    } else {
      throw new TypeError(`writeCsv expects objects (or arrays in column order), got ${record === null ? "null" : typeof record}`);
    }
    return stringify([fields.map(fieldText)], options);
  };
  const header = spec.header ? stringify([columns.map((c) => c.name)], options) + "\n" : undefined;
  return lineEncoder(toLine, header);
}

/** A field's value in a column of `type`, or an Error saying why it is not one. */
function typed(text: string, type: CsvColumnType): unknown {
  if (type === "string") return text;
  if (text === "") return null;
  switch (type) {
    case "number": {
      const n = Number(text);
      if (text.trim() === "" || Number.isNaN(n)) return new Error(`'${text}' is not a number`);
      return n;
    }
    case "integer": {
      if (!/^\s*[-+]?\d+\s*$/.test(text)) return new Error(`'${text}' is not an integer`);
      const n = Number(text);
      if (!Number.isSafeInteger(n)) return new Error(`'${text}' is outside the safe integer range`);
      return n;
    }
    case "boolean": {
      const t = text.trim().toLowerCase();
      if (t === "true") return true;
      if (t === "false") return false;
      return new Error(`'${text}' is not a boolean (true or false)`);
    }
  }
}

interface ParsedRow {
  readonly record: string[];
  readonly info: { readonly lines: number };
  readonly raw: string;
}

/** The 1-based number of the line a parsed row starts on (it ends on `info.lines`; quoted fields may span lines). */
function startLine(row: ParsedRow): number {
  const body = row.raw.replace(/\r?\n$/, "");
  return row.info.lines - (body.match(/\n/g)?.length ?? 0);
}

/**
 * The decoder of `readCsv`. Rows become objects keyed by the columns (the
 * `columns` option, else the header's names), or arrays of strings without
 * either. A row with another number of fields than the columns, a field that
 * is not of its column's type, or malformed quoting is a bad record.
 */
export function csvDecoder(spec: CsvSpec): FileDecoder {
  return (bytes, file, out) => {
    const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
    const lines = text.split("\n");
    let columns: readonly CsvColumn[] | undefined = spec.columns;
    let headerPending = spec.header;
    const onRow = (row: ParsedRow): void => {
      const line = startLine(row);
      if (headerPending) {
        headerPending = false;
        columns ??= row.record.map((name) => ({ name, type: "string" as CsvColumnType }));
        return;
      }
      const bad = (error: string): void => out.bad({ file, line, text: row.raw.replace(/\r?\n$/, ""), error });
      if (!columns) {
        out.record(row.record);
        return;
      }
      if (row.record.length !== columns.length) {
        bad(`the row has ${row.record.length} fields, but there are ${columns.length} columns (${columns.map((c) => c.name).join(", ")})`);
        return;
      }
      const value: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const v = typed(row.record[i], columns[i].type);
        if (v instanceof Error) {
          bad(`column '${columns[i].name}': ${v.message}`);
          return;
        }
        value[columns[i].name] = v;
      }
      out.record(value);
    };
    // Lines before `fromLine` are done: parsing restarts on the text after them (csv-parse's own from_line still parses them).
    let fromLine = 1;
    let offset = 0;
    for (;;) {
      const linesBefore = fromLine - 1;
      let lastEnd = linesBefore;
      try {
        parse(text.slice(offset), {
          delimiter: spec.delimiter,
          quote: spec.quote,
          info: true,
          raw: true,
          relax_column_count: true,
          skip_empty_lines: true,
          on_record: (row: ParsedRow) => {
            const shifted = { ...row, info: { lines: row.info.lines + linesBefore } };
            lastEnd = shifted.info.lines;
            onRow(shifted);
            return null;
          },
        } as never);
        return;
      } catch (e) {
        if (!String((e as { code?: unknown }).code ?? "").startsWith("CSV_")) throw e;
        // The bad row starts on the first non-blank line after the last good one; parsing resumes on the line after it.
        let start = lastEnd + 1;
        while (start <= lines.length && lines[start - 1].replace(/\r$/, "").trim() === "") start++;
        if (start > lines.length) return;
        out.bad({ file, line: start, text: lines[start - 1].replace(/\r$/, ""), error: (e as Error).message.replace(/ at line \d+/, "") });
        headerPending = false;
        for (let l = fromLine; l <= start; l++) offset += lines[l - 1].length + 1;
        fromLine = start + 1;
        if (fromLine > lines.length) return;
      }
    }
  };
}
