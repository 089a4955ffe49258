package dev.millrace.peers.common;

import dev.millrace.peers.common.NexmarkEvent.Bid;
import java.util.ArrayList;

/** Nexmark query 7's accumulator: the bids of the highest price seen so far (all of them on a tie). */
public final class HighestBids {
  private HighestBids() {}

  /** Add a bid to {@code highest}, in place; returns it. */
  public static ArrayList<Bid> add(ArrayList<Bid> highest, Bid b) {
    if (highest.isEmpty() || b.price > highest.get(0).price) {
      highest.clear();
      highest.add(b);
    } else if (b.price == highest.get(0).price) {
      highest.add(b);
    }
    return highest;
  }

  /** Merge {@code other} into {@code into}, in place; returns {@code into}. */
  public static ArrayList<Bid> merge(ArrayList<Bid> into, ArrayList<Bid> other) {
    for (Bid b : other) add(into, b);
    return into;
  }
}
