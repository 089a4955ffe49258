"""examples/hourly_team_scores.ts written with Beam's Python SDK, line for line.

It gives engines a keyed, windowed pipeline from an SDK other than ours: a
Flink or Spark job server (or cluster) that runs this correctly is healthy,
and its output must equal millrace's own for the same input.

  python hourly_team_scores.py --runner=PortableRunner --job_endpoint=HOST:PORT \
      --environment_type=LOOPBACK --input=scores.csv --output=/tmp/scores
"""
import argparse
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import window


def parse_score(line):
    user, team, score, time = line.split(",")
    at = datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp()
    return {"user": user, "team": team, "score": int(score), "at": at}


class FormatWithWindow(beam.DoFn):
    def process(self, kv, win=beam.DoFn.WindowParam):
        start = datetime.fromtimestamp(float(win.start), tz=timezone.utc)
        yield f"{start.strftime('%Y-%m-%dT%H:%M:%S')}.000Z {kv[0]} {kv[1]}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args, beam_args = parser.parse_known_args()
    with beam.Pipeline(options=PipelineOptions(beam_args)) as p:
        (
            p
            | "Read" >> beam.io.ReadFromText(args.input)
            | "Parse" >> beam.Map(parse_score)
            | "EventTime" >> beam.Map(lambda s: window.TimestampedValue(s, s["at"]))
            | "Hourly" >> beam.WindowInto(window.FixedWindows(60 * 60))
            | "ByTeam" >> beam.Map(lambda s: (s["team"], s["score"]))
            | "Sum" >> beam.CombinePerKey(sum)
            | "Format" >> beam.ParDo(FormatWithWindow())
            | "OneFile" >> beam.WindowInto(window.GlobalWindows())
            | "Write" >> beam.io.WriteToText(args.output, num_shards=1, shard_name_template="", file_name_suffix=".txt")
        )


if __name__ == "__main__":
    main()
