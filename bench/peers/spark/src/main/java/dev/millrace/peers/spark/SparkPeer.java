package dev.millrace.peers.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.session_window;
import static org.apache.spark.sql.functions.window;

import dev.millrace.peers.common.NexmarkEvent;
import dev.millrace.peers.common.HighestBids;
import dev.millrace.peers.common.NexmarkEvent.Bid;
import dev.millrace.peers.common.NexmarkGenerator;
import dev.millrace.peers.common.PeerArgs;
import dev.millrace.peers.common.ResultDigest;
import dev.millrace.peers.common.RunReport;
import dev.millrace.peers.common.Workloads;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * The workloads of bench/workloads on Spark in local mode ({@code local[N]}),
 * each in Spark's natural way for bounded input, which is batch: word counts
 * and windowed counts as DataFrame aggregations (Spark SQL's {@code window}
 * and {@code session_window} on an event-time column), Nexmark as RDD
 * transformations over events generated in each partition (the Java
 * NexmarkGenerator; Beam's Spark runner also works on RDDs). Shuffle
 * partitions are set to N (the default 200 is for clusters). Each job's
 * results are digested per partition and summed on the driver. Prints the
 * RESULT line of bench/workloads; jobMs is from building the query to its
 * results on the driver (the session's start excluded).
 *
 *   java -cp ... dev.millrace.peers.spark.SparkPeer --workload=tumbling --parallelism=2 [--events=1000000]
 */
public final class SparkPeer {
  private SparkPeer() {}

  public static void main(String[] argv) {
    PeerArgs args = PeerArgs.parse(argv);
    SparkSession spark =
        SparkSession.builder()
            .appName("millrace peer: " + args.workload)
            .master("local[" + args.parallelism + "]")
            .config("spark.sql.shuffle.partitions", args.parallelism)
            .config("spark.default.parallelism", args.parallelism)
            .config("spark.ui.enabled", false)
            // One machine: keep the driver's and block manager's sockets on the loopback interface.
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      double cpuStart = RunReport.processCpuMs();
      long start = System.nanoTime();
      long[] tally = run(spark, args);
      double jobMs = (System.nanoTime() - start) / 1e6;
      double cpuMs = RunReport.processCpuMs() - cpuStart;
      RunReport.print("spark " + args.flags, tally[0], tally[1], jobMs, cpuMs);
    } finally {
      spark.stop();
    }
  }

  private static long[] run(SparkSession spark, PeerArgs args) {
    switch (args.workload) {
      case "wordcount-create":
        return wordCount(spark.createDataset(Workloads.createdWords(args.words, args.vocabulary), Encoders.STRING()));
      case "wordcount-generated":
        {
          String[] vocabulary = Workloads.vocabulary(args.vocabulary);
          int v = args.vocabulary;
          return wordCount(
              spark.range(args.words).map((MapFunction<Long, String>) i -> vocabulary[(int) Workloads.hashIndex(i, v)], Encoders.STRING()));
        }
      case "tumbling":
        return windowedCount(spark, args, window(col("ts"), "1 second"));
      case "sliding":
        return windowedCount(spark, args, window(col("ts"), "2 seconds", "1 second"));
      case "sessions":
        return windowedCount(spark, args, session_window(col("ts"), "100 milliseconds"));
      default:
        return nexmark(spark, args);
    }
  }

  /** A result's tuple, serializable for Spark's closures. */
  interface Fields<T> extends Serializable {
    long[] of(T result);
  }

  /** Count and digest of a distributed collection: per partition, then summed on the driver. */
  static <T> long[] tally(JavaRDD<T> results, Fields<T> fieldsOf) {
    List<long[]> parts =
        results
            .mapPartitions(
                (Iterator<T> it) -> {
                  long count = 0;
                  long digest = 0;
                  while (it.hasNext()) {
                    count++;
                    digest = ResultDigest.add(digest, ResultDigest.of(fieldsOf.of(it.next())));
                  }
                  return List.of(new long[] {count, digest}).iterator();
                })
            .collect();
    long count = 0;
    long digest = 0;
    for (long[] p : parts) {
      count += p[0];
      digest = ResultDigest.add(digest, p[1]);
    }
    return new long[] {count, digest};
  }

  private static long[] wordCount(Dataset<String> words) {
    Dataset<Row> counts = words.groupBy("value").count();
    return tally(counts.javaRDD(), r -> Workloads.wordCountFields(r.getString(0), r.getLong(1)));
  }

  /** (key, timestamp) events from a range, counted per key and window; results (key, window end in ms, count). */
  private static long[] windowedCount(SparkSession spark, PeerArgs args, Column windowOf) {
    Dataset<Row> events =
        spark
            .range(args.events)
            .select(
                expr("((id * 2654435761) & 4294967295) % " + args.keys).as("key"),
                expr("timestamp_millis(id div 100)").as("ts"));
    Dataset<Row> counts =
        events.groupBy(col("key"), windowOf.as("w")).count().select(col("key"), expr("unix_millis(w.end)"), col("count"));
    return tally(counts.javaRDD(), r -> new long[] {r.getLong(0), r.getLong(1), r.getLong(2)});
  }

  /** Nexmark events generated in each partition of the event numbers. */
  private static JavaRDD<NexmarkEvent> events(SparkSession spark, PeerArgs args) {
    return spark
        .range(0, args.events, 1, args.parallelism)
        .javaRDD()
        .mapPartitions(
            (Iterator<Long> numbers) -> {
              NexmarkGenerator generator = new NexmarkGenerator();
              return new Iterator<NexmarkEvent>() {
                @Override
                public boolean hasNext() {
                  return numbers.hasNext();
                }

                @Override
                public NexmarkEvent next() {
                  return generator.eventAt(numbers.next());
                }
              };
            });
  }

  private static long[] nexmark(SparkSession spark, PeerArgs args) {
    JavaRDD<NexmarkEvent> events = events(spark, args);
    JavaRDD<Bid> bids = events.filter(e -> e.bid != null).map(e -> e.bid);
    switch (args.workload) {
      case "q0":
        return tally(events.map(e -> e), NexmarkEvent::fields);
      case "q1":
        return tally(bids.map(b -> new long[] {b.auction, b.bidder, b.price * 89 / 100, b.dateTime}), r -> r);
      case "q5":
        return tally(query5(bids), r -> r);
      case "q7":
        return tally(query7(bids), r -> r);
      default:
        throw new IllegalArgumentException("unknown workload " + args.workload);
    }
  }

  /** Query 5: bids per auction in 10-s windows every 5 s, then per window the auctions with the most; (auction, count, windowEnd). */
  private static JavaRDD<long[]> query5(JavaRDD<Bid> bids) {
    JavaPairRDD<Tuple2<Long, Long>, Long> counts =
        bids.flatMapToPair(
                b -> {
                  long lastStart = Math.floorDiv(b.dateTime, 5_000L) * 5_000L;
                  return List.of(
                          new Tuple2<>(new Tuple2<>(lastStart + 10_000L, b.auction), 1L),
                          new Tuple2<>(new Tuple2<>(lastStart + 5_000L, b.auction), 1L))
                      .iterator();
                })
            .reduceByKey(Long::sum);
    return counts
        .mapToPair(c -> new Tuple2<>(c._1()._1(), new Hottest(c._2(), c._1()._2())))
        .reduceByKey(Hottest::merge)
        .flatMap(
            w -> {
              List<long[]> out = new ArrayList<>();
              for (long auction : w._2().auctions) out.add(new long[] {auction, w._2().count, w._1()});
              return out.iterator();
            });
  }

  /** The auctions with the highest count (all of them on a tie). */
  static final class Hottest implements Serializable {
    private static final long serialVersionUID = 1L;
    final long count;
    final List<Long> auctions;

    Hottest(long count, long auction) {
      this.count = count;
      this.auctions = List.of(auction);
    }

    private Hottest(long count, List<Long> auctions) {
      this.count = count;
      this.auctions = auctions;
    }

    static Hottest merge(Hottest a, Hottest b) {
      if (a.count != b.count) return a.count > b.count ? a : b;
      List<Long> both = new ArrayList<>(a.auctions);
      both.addAll(b.auctions);
      return new Hottest(a.count, both);
    }
  }

  /** Query 7: per 10-s window the bids with the highest price; (auction, price, bidder, dateTime, windowEnd). */
  private static JavaRDD<long[]> query7(JavaRDD<Bid> bids) {
    return bids.mapToPair(b -> new Tuple2<>(Math.floorDiv(b.dateTime, 10_000L) * 10_000L + 10_000L, b))
        .aggregateByKey(new ArrayList<Bid>(), HighestBids::add, HighestBids::merge)
        .flatMap(
            w -> {
              List<long[]> out = new ArrayList<>();
              for (Bid b : w._2()) out.add(new long[] {b.auction, b.price, b.bidder, b.dateTime, w._1()});
              return out.iterator();
            });
  }
}
