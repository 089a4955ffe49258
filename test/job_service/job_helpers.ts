/** A helper in its own module, imported by the pipelines: it travels in the bundle. */
export function square(x: number): number {
  return x * x;
}
