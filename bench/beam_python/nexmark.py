"""Nexmark q0, q1, q2, q5 in Beam's Python SDK, for bench/engines.ts.

The same queries as bench/nexmark/queries (millrace), over the same events:
bench/engines.ts writes the events of millrace's Nexmark generator to a file,
one JSON event per line ({"person": ...} | {"auction": ...} | {"bid": ...}),
and this pipeline reads them, stamps each with its dateTime, runs the query
and writes the number of results to --output, so the bench can check both
SDKs got the same answer.

Beam's own launcher (apache_beam.testing.benchmarks.nexmark) is not used: in
batch mode it reads events written by Beam's Java generator, which differs
from millrace's, so its results could not be compared.

  python nexmark.py --query=5 --events_file=events.jsonl --output=count.txt \
      --runner=PortableRunner --job_endpoint=localhost:8099 --environment_type=LOOPBACK
"""
import argparse
import json

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import window

QUERY5_WINDOW_S = 10
QUERY5_PERIOD_S = 5


def event_time_ms(event):
    return next(iter(event.values()))["dateTime"]


def just_bids(event):
    if "bid" in event:
        yield event["bid"]


def query0(events):
    return events


def query1(events):
    return (
        events
        | "Query1.Bids" >> beam.FlatMap(just_bids)
        | "Query1.ToEuro" >> beam.Map(lambda b: dict(b, price=(b["price"] * 89) // 100))
    )


def query2(events):
    return (
        events
        | "Query2.Bids" >> beam.FlatMap(just_bids)
        | "Query2.Select" >> beam.Filter(lambda b: b["auction"] % 123 == 0)
        | "Query2.Project" >> beam.Map(lambda b: {"auction": b["auction"], "price": b["price"]})
    )


class Hottest(beam.CombineFn):
    """The auctions with the most bids in a window (all of them on a tie), as millrace's query5 keeps them."""

    def create_accumulator(self):
        return (0, [])

    @staticmethod
    def _merge(a, b):
        if a[0] > b[0]:
            return a
        if b[0] > a[0]:
            return b
        return (a[0], a[1] + b[1])

    def add_input(self, acc, auction_count):
        auction, count = auction_count
        return self._merge(acc, (count, [auction]))

    def merge_accumulators(self, accs):
        out = (0, [])
        for a in accs:
            out = self._merge(out, a)
        return out

    def extract_output(self, acc):
        return acc


class WithWindowEnd(beam.DoFn):
    def process(self, hottest, win=beam.DoFn.WindowParam):
        count, auctions = hottest[1]
        for auction in auctions:
            yield {"auction": auction, "count": count, "windowEnd": int(win.end.micros // 1000)}


def query5(events):
    return (
        events
        | "Query5.Bids" >> beam.FlatMap(just_bids)
        | "Query5.Window" >> beam.WindowInto(window.SlidingWindows(QUERY5_WINDOW_S, QUERY5_PERIOD_S))
        | "Query5.AuctionIds" >> beam.Map(lambda b: b["auction"])
        | "Query5.Count" >> beam.combiners.Count.PerElement()
        | "Query5.OneKey" >> beam.Map(lambda c: (0, c))
        | "Query5.Hottest" >> beam.CombinePerKey(Hottest())
        | "Query5.Project" >> beam.ParDo(WithWindowEnd())
    )


QUERIES = {0: query0, 1: query1, 2: query2, 5: query5}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", type=int, required=True, choices=sorted(QUERIES))
    parser.add_argument("--events_file", required=True)
    parser.add_argument("--output", required=True)
    known, pipeline_args = parser.parse_known_args(argv)
    with beam.Pipeline(options=PipelineOptions(pipeline_args)) as p:
        events = (
            p
            | "Events.Read" >> beam.io.ReadFromText(known.events_file)
            | "Events.Parse" >> beam.Map(json.loads)
            | "Events.Stamp" >> beam.Map(lambda e: window.TimestampedValue(e, event_time_ms(e) / 1000.0))
        )
        (
            QUERIES[known.query](events)
            # Counted once over all windows, as millrace's run_nexmark counts them with a counter.
            | "Unwindow" >> beam.WindowInto(window.GlobalWindows())
            | "CountResults" >> beam.combiners.Count.Globally().without_defaults()
            | "Write" >> beam.io.WriteToText(known.output, shard_name_template="")
        )


if __name__ == "__main__":
    main()
