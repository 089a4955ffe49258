package dev.millrace.peers.common;

import java.io.Serializable;

/**
 * A Nexmark event (bench/nexmark/model.ts): exactly one of person, auction
 * or bid is set. Public fields and no-argument constructors make these
 * POJOs for Flink's serializer; Serializable for Spark's.
 */
public final class NexmarkEvent implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A new person. */
  public static final class Person implements Serializable {
    private static final long serialVersionUID = 1L;
    public long id;
    public String name;
    public String emailAddress;
    public String creditCard;
    public String city;
    public String state;
    public long dateTime;
    public String extra;

    public Person() {}
  }

  /** A new auction. */
  public static final class Auction implements Serializable {
    private static final long serialVersionUID = 1L;
    public long id;
    public String itemName;
    public String description;
    public long initialBid;
    public long reserve;
    public long dateTime;
    public long expires;
    public long seller;
    public long category;
    public String extra;

    public Auction() {}
  }

  /** A bid. */
  public static final class Bid implements Serializable {
    private static final long serialVersionUID = 1L;
    public long auction;
    public long bidder;
    public long price;
    public long dateTime;
    public String extra;

    public Bid() {}
  }

  public Person person;
  public Auction auction;
  public Bid bid;

  public NexmarkEvent() {}

  /** The event's time (ms). */
  public long eventTime() {
    return person != null ? person.dateTime : auction != null ? auction.dateTime : bid.dateTime;
  }

  /** The event as a q0 result tuple (bench/workloads/nexmark_queries.ts). */
  public long[] fields() {
    if (person != null) {
      Person p = person;
      return new long[] {0, p.id, p.dateTime, p.name.length(), p.emailAddress.length(), p.extra.length()};
    }
    if (auction != null) {
      Auction a = auction;
      return new long[] {1, a.id, a.dateTime, a.seller, a.category, a.initialBid, a.reserve, a.extra.length()};
    }
    Bid b = bid;
    return new long[] {2, b.auction, b.bidder, b.price, b.dateTime, b.extra.length()};
  }
}
