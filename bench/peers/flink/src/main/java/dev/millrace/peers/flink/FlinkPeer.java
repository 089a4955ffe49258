package dev.millrace.peers.flink;

import dev.millrace.peers.common.HighestBids;
import dev.millrace.peers.common.NexmarkEvent;
import dev.millrace.peers.common.NexmarkEvent.Bid;
import dev.millrace.peers.common.NexmarkGenerator;
import dev.millrace.peers.common.PeerArgs;
import dev.millrace.peers.common.RunReport;
import dev.millrace.peers.common.Workloads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The workloads of bench/workloads on Flink's local mini cluster, in
 * streaming mode, at the given parallelism: sources are Flink's own
 * ({@code fromData} for a driver-made list, {@code fromSequence} for
 * generated input, split across subtasks), event time comes with
 * bounded-out-of-orderness watermarks (200 ms), and the last step sums the
 * results' digests in accumulators (DigestSink). Prints the RESULT line of
 * bench/workloads with the job's own net runtime as jobMs.
 *
 *   java -cp ... dev.millrace.peers.flink.FlinkPeer --workload=tumbling --parallelism=2 [--events=1000000]
 */
public final class FlinkPeer {
  private FlinkPeer() {}

  private static final Duration OUT_OF_ORDERNESS = Duration.ofMillis(200);

  public static void main(String[] argv) throws Exception {
    PeerArgs args = PeerArgs.parse(argv);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(args.parallelism);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    define(env, args);
    double cpuStart = RunReport.processCpuMs();
    JobExecutionResult result = env.execute("millrace peer: " + args.workload);
    double cpuMs = RunReport.processCpuMs() - cpuStart;
    Long results = result.getAccumulatorResult(DigestSink.RESULTS);
    Long digest = result.getAccumulatorResult(DigestSink.DIGEST);
    RunReport.print(
        "flink " + args.flags,
        results == null ? 0 : results,
        digest == null ? 0 : digest,
        result.getNetRuntime(TimeUnit.MILLISECONDS),
        cpuMs);
  }

  private static void define(StreamExecutionEnvironment env, PeerArgs args) {
    switch (args.workload) {
      case "wordcount-create" -> wordCount(env.fromData(Workloads.createdWords(args.words, args.vocabulary)));
      case "wordcount-generated" -> {
        String[] vocabulary = Workloads.vocabulary(args.vocabulary);
        int v = args.vocabulary;
        wordCount(env.fromSequence(0, args.words - 1).map(i -> vocabulary[(int) Workloads.hashIndex(i, v)]).returns(Types.STRING));
      }
      case "tumbling" -> windowedCount(env, args, TumblingEventTimeWindows.of(Duration.ofSeconds(1)));
      case "sliding" -> windowedCount(env, args, SlidingEventTimeWindows.of(Duration.ofSeconds(2), Duration.ofSeconds(1)));
      case "sessions" -> windowedCount(env, args, EventTimeSessionWindows.withGap(Duration.ofMillis(100)));
      default -> nexmark(env, args);
    }
  }

  /** Counts per element of any window, incrementally. */
  static final class Count<T> implements AggregateFunction<T, Long, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(T value, Long acc) {
      return acc + 1;
    }

    @Override
    public Long getResult(Long acc) {
      return acc;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** Word counts: final counts only, fired when the bounded input ends (GlobalWindows' end-of-stream trigger). */
  private static void wordCount(DataStream<String> words) {
    words
        .keyBy(w -> w)
        .window(GlobalWindows.createWithEndOfStreamTrigger())
        .aggregate(
            new Count<>(),
            new ProcessWindowFunction<Long, Tuple2<String, Long>, String, GlobalWindow>() {
              @Override
              public void process(String word, Context ctx, Iterable<Long> counts, Collector<Tuple2<String, Long>> out) {
                out.collect(Tuple2.of(word, counts.iterator().next()));
              }
            })
        .addSink(new DigestSink<Tuple2<String, Long>>(r -> Workloads.wordCountFields(r.f0, r.f1)));
  }

  /** Windowed counts: (key, timestamp) events, counted per key and window, results (key, windowEnd, count). */
  private static void windowedCount(StreamExecutionEnvironment env, PeerArgs args, WindowAssigner<Object, TimeWindow> windows) {
    long keys = args.keys;
    env.fromSequence(0, args.events - 1)
        .map(i -> Tuple2.of(Workloads.hashIndex(i, keys), Workloads.windowedTimestamp(i)))
        .returns(Types.TUPLE(Types.LONG, Types.LONG))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Tuple2<Long, Long>>forBoundedOutOfOrderness(OUT_OF_ORDERNESS).withTimestampAssigner((e, t) -> e.f1))
        .keyBy(e -> e.f0)
        .window(windows)
        .aggregate(new Count<>(), new EmitWindowCount())
        .addSink(new DigestSink<Tuple3<Long, Long, Long>>(r -> new long[] {r.f0, r.f1, r.f2}));
  }

  /** (key, window end, count). */
  static final class EmitWindowCount extends ProcessWindowFunction<Long, Tuple3<Long, Long, Long>, Long, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(Long key, Context ctx, Iterable<Long> counts, Collector<Tuple3<Long, Long, Long>> out) {
      out.collect(Tuple3.of(key, ctx.window().getEnd(), counts.iterator().next()));
    }
  }

  /** Nexmark events generated in each source subtask from their event numbers (NexmarkGenerator). */
  static final class GenerateEvents extends RichMapFunction<Long, NexmarkEvent> {
    private static final long serialVersionUID = 1L;
    private transient NexmarkGenerator generator;

    @Override
    public void open(OpenContext context) {
      generator = new NexmarkGenerator();
    }

    @Override
    public NexmarkEvent map(Long n) {
      return generator.eventAt(n);
    }
  }

  private static void nexmark(StreamExecutionEnvironment env, PeerArgs args) {
    DataStream<NexmarkEvent> events =
        env.fromSequence(0, args.events - 1)
            .map(new GenerateEvents())
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<NexmarkEvent>forBoundedOutOfOrderness(OUT_OF_ORDERNESS).withTimestampAssigner((e, t) -> e.eventTime()));
    DataStream<Bid> bids = events.filter(e -> e.bid != null).map(e -> e.bid);
    switch (args.workload) {
      case "q0" -> events.map(e -> e).addSink(new DigestSink<NexmarkEvent>(NexmarkEvent::fields));
      case "q1" ->
          bids.map(
                  b -> {
                    Bid euro = new Bid();
                    euro.auction = b.auction;
                    euro.bidder = b.bidder;
                    euro.price = b.price * 89 / 100;
                    euro.dateTime = b.dateTime;
                    euro.extra = b.extra;
                    return euro;
                  })
              .addSink(new DigestSink<Bid>(b -> new long[] {b.auction, b.bidder, b.price, b.dateTime}));
      case "q5" ->
          bids.keyBy(b -> b.auction)
              .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5)))
              .aggregate(new Count<>(), new EmitWindowCount())
              // A window's counts come out at its end - 1: the 5-s tumbling window holding that instant ends where it does.
              .keyBy(c -> c.f1)
              .window(TumblingEventTimeWindows.of(Duration.ofSeconds(5)))
              .process(new HottestAuctions())
              .addSink(new DigestSink<Tuple3<Long, Long, Long>>(r -> new long[] {r.f0, r.f1, r.f2}));
      case "q7" ->
          bids.keyBy(b -> Math.floorDiv(b.dateTime, 10_000L))
              .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
              .aggregate(new HighestBidsAggregate(), new EmitHighestBids())
              .addSink(new DigestSink<long[]>(r -> r));
      default -> throw new IllegalArgumentException("unknown workload " + args.workload);
    }
  }

  /** Query 5's second step: of a window's (auction, windowEnd, count), those with the highest count, as (auction, count, windowEnd). */
  static final class HottestAuctions extends ProcessWindowFunction<Tuple3<Long, Long, Long>, Tuple3<Long, Long, Long>, Long, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(Long windowEnd, Context ctx, Iterable<Tuple3<Long, Long, Long>> counts, Collector<Tuple3<Long, Long, Long>> out) {
      long max = 0;
      for (Tuple3<Long, Long, Long> c : counts) max = Math.max(max, c.f2);
      for (Tuple3<Long, Long, Long> c : counts) if (c.f2 == max) out.collect(Tuple3.of(c.f0, c.f2, windowEnd));
    }
  }

  /** Query 7: the bids with the window's highest price (all of them on a tie), kept incrementally. */
  static final class HighestBidsAggregate implements AggregateFunction<Bid, ArrayList<Bid>, ArrayList<Bid>> {
    private static final long serialVersionUID = 1L;

    @Override
    public ArrayList<Bid> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public ArrayList<Bid> add(Bid b, ArrayList<Bid> acc) {
      return HighestBids.add(acc, b);
    }

    @Override
    public ArrayList<Bid> getResult(ArrayList<Bid> acc) {
      return acc;
    }

    @Override
    public ArrayList<Bid> merge(ArrayList<Bid> a, ArrayList<Bid> b) {
      return HighestBids.merge(a, b);
    }
  }

  /** Query 7's results as (auction, price, bidder, dateTime, windowEnd). */
  static final class EmitHighestBids extends ProcessWindowFunction<ArrayList<Bid>, long[], Long, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(Long window, Context ctx, Iterable<ArrayList<Bid>> highest, Collector<long[]> out) {
      for (Bid b : highest.iterator().next()) out.collect(new long[] {b.auction, b.price, b.bidder, b.dateTime, ctx.window().getEnd()});
    }
  }
}
