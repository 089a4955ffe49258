/**
 * A test file's shape on a worker: mocha-style files call `describe`, `it`
 * and hooks at top level and run their pipelines inside test bodies. A
 * worker that loads such a file has no test runner, so while it replays the
 * file it stands in for one: it collects the suites, then runs the tests
 * and their hooks in the order mocha does, so the file's `run()` calls
 * happen in the same order as in the test process.
 */

type Body = (this: TestContext, done?: (err?: unknown) => void) => unknown;

interface Suite {
  readonly suites: Suite[];
  readonly tests: Body[];
  readonly before: Body[];
  readonly after: Body[];
  readonly beforeEach: Body[];
  readonly afterEach: Body[];
  /** Suites and tests in the order they were declared. */
  readonly order: Array<{ suite: Suite } | { test: Body }>;
}

interface TestContext {
  timeout(ms?: number): TestContext;
  slow(ms?: number): TestContext;
  retries(n?: number): TestContext;
  skip(): never;
}

/** Thrown by `this.skip()` inside a replayed test. */
class Skipped extends Error {}

const GLOBAL_NAMES = ["describe", "context", "suite", "it", "specify", "test", "before", "after", "beforeEach", "afterEach"] as const;

function newSuite(): Suite {
  return { suites: [], tests: [], before: [], after: [], beforeEach: [], afterEach: [], order: [] };
}

/**
 * Installs `describe`, `it` and the hooks as globals when no test runner
 * has; returns a function that runs what the file declared, or null when a
 * runner's globals are already there (the file is then loaded as it is).
 */
export function installTestFileGlobals(): (() => Promise<void>) | null {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.describe === "function" || typeof g.it === "function") return null;
  const root = newSuite();
  let current = root;
  const describe = (_title: string, fn: (this: TestContext) => void): void => {
    const suite = newSuite();
    current.suites.push(suite);
    current.order.push({ suite });
    const parent = current;
    current = suite;
    try {
      fn.call(context);
    } finally {
      current = parent;
    }
  };
  const it = (_title: string, fn?: Body): void => {
    if (fn) current.order.push({ test: fn });
  };
  const hook = (kind: "before" | "after" | "beforeEach" | "afterEach") => (titleOrFn: string | Body, maybeFn?: Body) => {
    const fn = typeof titleOrFn === "function" ? titleOrFn : maybeFn;
    if (fn) current[kind].push(fn);
  };
  const skipped = Object.assign(() => undefined, {});
  const withVariants = <F extends (...a: never[]) => unknown>(f: F) => Object.assign(f, { only: f, skip: skipped });
  Object.assign(g, {
    describe: withVariants(describe),
    context: withVariants(describe),
    suite: withVariants(describe),
    it: withVariants(it),
    specify: withVariants(it),
    test: withVariants(it),
    before: hook("before"),
    after: hook("after"),
    beforeEach: hook("beforeEach"),
    afterEach: hook("afterEach"),
  });
  return async () => {
    for (const name of GLOBAL_NAMES) delete g[name];
    await runSuite(root, []);
  };
}

const context: TestContext = {
  timeout: () => context,
  slow: () => context,
  retries: () => context,
  skip: () => {
    throw new Skipped();
  },
};

async function runSuite(suite: Suite, eachHooks: Suite[]): Promise<void> {
  const chain = [...eachHooks, suite];
  for (const fn of suite.before) await call(fn);
  for (const item of suite.order) {
    if ("suite" in item) {
      await runSuite(item.suite, chain);
      continue;
    }
    for (const s of chain) for (const fn of s.beforeEach) await call(fn);
    // A failing test does not stop mocha from running the next one: neither does the replay.
    await call(item.test).catch(() => undefined);
    for (const s of [...chain].reverse()) for (const fn of s.afterEach) await call(fn);
  }
  for (const fn of suite.after) await call(fn);
}

async function call(fn: Body): Promise<void> {
  try {
    if (fn.length > 0) {
      await new Promise<void>((resolve, reject) => {
        const result = fn.call(context, (err?: unknown) => (err ? reject(err) : resolve()));
        if (result && typeof (result as Promise<unknown>).then === "function") (result as Promise<unknown>).then(() => resolve(), reject);
      });
    } else {
      await fn.call(context);
    }
  } catch (e) {
    if (!(e instanceof Skipped)) throw e;
  }
}
