"""Cross-library round trips for test/io/cross_library.test.ts.

  write DIR   writes DIR/pyarrow.parquet (pyarrow) and DIR/fastavro.avro (fastavro)
  check DIR   reads DIR/millrace.parquet (pyarrow) and DIR/millrace.avro (fastavro), printing their rows as JSON lines
"""
import json
import sys

try:
    import fastavro
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as e:  # the test shows this, with the command that installs them
    print(f"missing Python package: {e.name}; install with: python3 -m pip install --user pyarrow fastavro", file=sys.stderr)
    sys.exit(3)

SCHEMA = {
    "type": "record",
    "name": "Sample",
    "fields": [{"name": "id", "type": "int"}, {"name": "name", "type": "string"}, {"name": "score", "type": "double"}],
}


def rows(n):
    return [{"id": i, "name": f"py {i}, \"q\"", "score": i / 4} for i in range(n)]


def main():
    cmd, folder = sys.argv[1], sys.argv[2]
    if cmd == "write":
        table = pa.table({k: [r[k] for r in rows(20)] for k in ("id", "name", "score")},
                         schema=pa.schema([("id", pa.int32()), ("name", pa.string()), ("score", pa.float64())]))
        pq.write_table(table, f"{folder}/pyarrow.parquet", row_group_size=7)  # snappy, several row groups
        with open(f"{folder}/fastavro.avro", "wb") as out:
            fastavro.writer(out, fastavro.parse_schema(SCHEMA), rows(20), codec="deflate")
    elif cmd == "check":
        for r in pq.read_table(f"{folder}/millrace.parquet").to_pylist():
            print(json.dumps({"source": "parquet", **r}))
        with open(f"{folder}/millrace.avro", "rb") as f:
            for r in fastavro.reader(f):
                print(json.dumps({"source": "avro", **r}))


main()
