import { expect } from "chai";
import { Readable } from "node:stream";
import { readBoundedLines } from "../../runners/job_service/bounded_lines";

/** A stream of `count` copies of `chunk`, then `tail`: nothing is held but the one chunk. */
function repeated(chunk: Buffer, count: number, tail: string): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent < count) {
        sent++;
        this.push(chunk);
      } else {
        this.push(Buffer.from(tail));
        this.push(null);
      }
    },
  });
}

describe("a job's output read in bounded lines", function () {
  this.timeout(60_000);

  it("cuts a 640 MB line without a newline (readline throws 'Invalid string length' on it) and goes on with the next lines", async () => {
    const lines: string[] = [];
    await readBoundedLines(repeated(Buffer.alloc(1024 * 1024, "x"), 640, "\nafter\nlast without newline"), (l) => lines.push(l), {
      maxLineBytes: 1000,
      maxTotalBytes: 1024 * 1024 * 1024,
    });
    expect(lines).to.have.length(3);
    expect(lines[0]!.startsWith("x".repeat(1000) + " [... ")).to.equal(true);
    expect(lines[0]).to.include(`${640 * 1024 * 1024 - 1000} more bytes of this line cut`);
    expect(lines.slice(1)).to.deep.equal(["after", "last without newline"]);
  });

  it("stops turning output into lines past the total limit, says so once, and still reads the stream to its end", async () => {
    const lines: string[] = [];
    const input = repeated(Buffer.from("0123456789\n".repeat(100)), 1000, "never seen\n");
    await readBoundedLines(input, (l) => lines.push(l), { maxTotalBytes: 5500 });
    expect(lines.filter((l) => l === "0123456789")).to.have.length(500);
    expect(lines[500]).to.match(/^\[output beyond 5500 bytes dropped/);
    expect(lines).to.have.length(501);
    expect(input.readableEnded).to.equal(true);
  });

  it("keeps multi-byte characters split across chunks, and drops the carriage return of CRLF", async () => {
    const bytes = Buffer.from("héllo wörld\r\nsecond\n");
    const input = Readable.from([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]);
    const lines: string[] = [];
    await readBoundedLines(input, (l) => lines.push(l));
    expect(lines).to.deep.equal(["héllo wörld", "second"]);
  });
});
