package dev.millrace.peers.flink;

import dev.millrace.peers.common.ResultDigest;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.SimpleAccumulator;

/** Sums result digests modulo 2^61 - 1 across subtasks (Flink merges accumulators at the job's end). */
public final class DigestAccumulator implements SimpleAccumulator<Long> {
  private static final long serialVersionUID = 1L;
  private long sum;

  @Override
  public void add(Long digest) {
    sum = ResultDigest.add(sum, digest);
  }

  @Override
  public Long getLocalValue() {
    return sum;
  }

  @Override
  public void resetLocal() {
    sum = 0;
  }

  @Override
  public void merge(Accumulator<Long, Long> other) {
    sum = ResultDigest.add(sum, other.getLocalValue());
  }

  @Override
  public DigestAccumulator clone() {
    DigestAccumulator copy = new DigestAccumulator();
    copy.sum = sum;
    return copy;
  }
}
