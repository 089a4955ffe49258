/**
 * The `bootstrapServers` option of the Kafka transforms: `"host:port"`, a
 * comma-separated list of them, or an array. Checked when the transform is
 * created, so a typo fails at construction rather than as a connection
 * error minutes into a run.
 */

/**
 * The `host:port` addresses in `value`, or a TypeError naming `transform`
 * and what is wrong. IPv6 hosts are written in brackets: `[::1]:9092`.
 */
export function parseBootstrapServers(value: unknown, transform: string): string[] {
  const items = typeof value === "string" ? value.split(",") : Array.isArray(value) ? value : undefined;
  if (items === undefined) {
    throw new TypeError(
      `${transform}: bootstrapServers must be "host:port", a comma-separated list or an array of them, got ${String(value)}`,
    );
  }
  const addresses = items.map((item: unknown) => (typeof item === "string" ? item.trim() : item));
  if (addresses.length === 0 || addresses.every((a) => a === "")) {
    throw new TypeError(`${transform}: bootstrapServers is empty; give at least one "host:port", such as "127.0.0.1:9092"`);
  }
  for (const address of addresses) checkAddress(address, transform);
  return addresses as string[];
}

function checkAddress(address: unknown, transform: string): void {
  if (typeof address !== "string") throw new TypeError(`${transform}: bootstrapServers entries must be strings, got ${String(address)}`);
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d+)$/.exec(address);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`${transform}: '${address}' in bootstrapServers is not "host:port" with a port from 1 to 65535`);
  }
}
