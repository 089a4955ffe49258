package dev.millrace.peers.flink;

import dev.millrace.peers.common.ResultDigest;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.sink.RichSinkFunction;

/**
 * The job's last step: counts results and sums their digests in
 * accumulators, which the job's {@code JobExecutionResult} returns, so
 * nothing is collected in memory. (SinkFunction is deprecated in 1.20 but is
 * still the shortest way to a sink with accumulators.)
 */
public final class DigestSink<T> extends RichSinkFunction<T> {
  private static final long serialVersionUID = 1L;
  /** Accumulator names read by FlinkPeer. */
  public static final String RESULTS = "results";

  public static final String DIGEST = "digest";

  /** A result's tuple; a KeySelector is merely Flink's serializable function type. */
  private final KeySelector<T, long[]> fieldsOf;

  private transient LongCounter results;
  private transient DigestAccumulator digest;

  public DigestSink(KeySelector<T, long[]> fieldsOf) {
    this.fieldsOf = fieldsOf;
  }

  @Override
  public void open(OpenContext context) {
    results = getRuntimeContext().getLongCounter(RESULTS);
    digest = new DigestAccumulator();
    getRuntimeContext().addAccumulator(DIGEST, digest);
  }

  @Override
  public void invoke(T value, Context context) throws Exception {
    results.add(1);
    digest.add(ResultDigest.of(fieldsOf.getKey(value)));
  }
}
