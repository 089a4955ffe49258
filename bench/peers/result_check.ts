/**
 * The check that makes the peer comparison mean something: every run of a
 * workload, millrace's and the peers', produced the same number of results
 * with the same digest. A mismatch is a finding, not noise: the script
 * prints it loudly and exits non-zero.
 */

/** One run's answer, named by who produced it. */
export interface RunAnswer {
  readonly workload: string;
  /** Who ran it, e.g. "stream p=2" or "flink p=1". */
  readonly contestant: string;
  readonly results: number;
  readonly digest: string;
}

/** A workload whose runs disagree, with every distinct answer and who gave it. */
export interface Mismatch {
  readonly workload: string;
  readonly answers: readonly { readonly results: number; readonly digest: string; readonly contestants: readonly string[] }[];
}

/** The workloads whose runs did not all give the same (results, digest). */
export function findMismatches(runs: readonly RunAnswer[]): Mismatch[] {
  const byWorkload = new Map<string, Map<string, { results: number; digest: string; contestants: string[] }>>();
  for (const r of runs) {
    let answers = byWorkload.get(r.workload);
    if (!answers) byWorkload.set(r.workload, (answers = new Map()));
    const key = `${r.results}/${r.digest}`;
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = { results: r.results, digest: r.digest, contestants: [] }));
    if (!answer.contestants.includes(r.contestant)) answer.contestants.push(r.contestant);
  }
  const mismatches: Mismatch[] = [];
  for (const [workload, answers] of byWorkload) {
    if (answers.size > 1) mismatches.push({ workload, answers: [...answers.values()] });
  }
  return mismatches;
}

/** A loud, multi-line description of mismatches, for stderr. */
export function describeMismatches(mismatches: readonly Mismatch[]): string {
  const lines: string[] = [];
  for (const m of mismatches) {
    lines.push(`!!! RESULT MISMATCH in workload ${m.workload}: the runs did not produce the same results`);
    for (const a of m.answers) lines.push(`!!!   ${a.results} results, digest ${a.digest}: ${a.contestants.join(", ")}`);
  }
  return lines.join("\n");
}
