package dev.millrace.peers.common;

import java.io.Serializable;

/**
 * A port of bench/nexmark/generator/generator.ts for Beam's default Nexmark
 * configuration in order (outOfOrderGroupSize 1): every event is a pure
 * function of (seed, event number), so each peer generates exactly the
 * events millrace does, where they are consumed. The result digests prove
 * the port exact; a change to the TypeScript generator must be made here too.
 */
public final class NexmarkGenerator implements Serializable {
  private static final long serialVersionUID = 1L;

  // bench/nexmark/model.ts DEFAULT_NEXMARK_CONFIG
  private static final long SEED = 1;
  private static final long BASE_TIME = 1436918400000L; // Date.UTC(2015, 6, 15)
  private static final long EVENTS_PER_SECOND = 10_000;
  private static final long PERSON_PROPORTION = 1;
  private static final long AUCTION_PROPORTION = 3;
  private static final long BID_PROPORTION = 46;
  private static final long DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;
  private static final long FIRST_PERSON_ID = 1000;
  private static final long FIRST_AUCTION_ID = 1000;
  private static final long FIRST_CATEGORY_ID = 10;
  private static final long NUM_CATEGORIES = 5;
  private static final long HOT_AUCTION_RATIO = 2;
  private static final long HOT_SELLERS_RATIO = 4;
  private static final long HOT_BIDDERS_RATIO = 4;
  private static final long NUM_IN_FLIGHT_AUCTIONS = 100;
  private static final long NUM_ACTIVE_PEOPLE = 1000;
  private static final long AUCTION_LENGTH_MS = 10_000;
  private static final int AVG_PERSON_BYTE_SIZE = 200;
  private static final int AVG_AUCTION_BYTE_SIZE = 500;
  private static final int AVG_BID_BYTE_SIZE = 100;

  private static final long HOT_BATCH = 100;
  private static final int MIN_STRING_LENGTH = 3;
  private static final String[] US_STATES = {"AZ", "CA", "ID", "OR", "WA", "WY"};
  private static final String[] US_CITIES = {
    "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"
  };
  private static final String[] FIRST_NAMES = {"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"};
  private static final String[] LAST_NAMES = {"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"};

  /** The event with event number {@code n}. */
  public NexmarkEvent eventAt(long n) {
    SeededRandom rng = new SeededRandom(SEED, n);
    long ts = BASE_TIME + Math.floorDiv(n * 1000, EVENTS_PER_SECOND);
    long offset = n % DENOMINATOR;
    NexmarkEvent e = new NexmarkEvent();
    if (offset < PERSON_PROPORTION) e.person = person(n, rng, ts);
    else if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) e.auction = auction(n, rng, ts);
    else e.bid = bid(n, rng, ts);
    return e;
  }

  static long lastBase0PersonId(long n) {
    long epoch = n / DENOMINATOR;
    long offset = n % DENOMINATOR;
    if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
    return epoch * PERSON_PROPORTION + offset;
  }

  static long lastBase0AuctionId(long n) {
    long epoch = n / DENOMINATOR;
    long offset = n % DENOMINATOR;
    if (offset < PERSON_PROPORTION) {
      epoch--;
      offset = AUCTION_PROPORTION - 1;
    } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
      offset = AUCTION_PROPORTION - 1;
    } else {
      offset -= PERSON_PROPORTION;
    }
    return epoch * AUCTION_PROPORTION + offset;
  }

  private static long nextBase0PersonId(long n, SeededRandom rng) {
    long numPeople = lastBase0PersonId(n) + 1;
    long active = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
    return numPeople - active + rng.nextInt(active);
  }

  private static long nextBase0AuctionId(long n, SeededRandom rng) {
    long max = lastBase0AuctionId(n);
    long min = Math.max(max - NUM_IN_FLIGHT_AUCTIONS, 0);
    return min + rng.nextInt(max - min + 1);
  }

  private static NexmarkEvent.Person person(long n, SeededRandom rng, long ts) {
    NexmarkEvent.Person p = new NexmarkEvent.Person();
    p.id = lastBase0PersonId(n) + FIRST_PERSON_ID;
    p.name = pick(rng, FIRST_NAMES) + " " + pick(rng, LAST_NAMES);
    p.emailAddress = nextString(rng, 7) + "@" + nextString(rng, 5) + ".com";
    p.creditCard = nextCreditCard(rng);
    p.city = pick(rng, US_CITIES);
    p.state = pick(rng, US_STATES);
    p.dateTime = ts;
    int size = 8 + p.name.length() + p.emailAddress.length() + p.creditCard.length() + p.city.length() + p.state.length();
    p.extra = nextExtra(rng, size, AVG_PERSON_BYTE_SIZE);
    return p;
  }

  private static NexmarkEvent.Auction auction(long n, SeededRandom rng, long ts) {
    NexmarkEvent.Auction a = new NexmarkEvent.Auction();
    a.id = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
    long seller;
    if (rng.nextInt(HOT_SELLERS_RATIO) > 0) seller = (lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH;
    else seller = nextBase0PersonId(n, rng);
    a.seller = seller + FIRST_PERSON_ID;
    a.category = FIRST_CATEGORY_ID + rng.nextInt(NUM_CATEGORIES);
    a.initialBid = nextPrice(rng);
    a.dateTime = ts;
    a.expires = ts + AUCTION_LENGTH_MS;
    a.itemName = nextString(rng, 20);
    a.description = nextString(rng, 100);
    a.reserve = a.initialBid + nextPrice(rng);
    int size = 8 + a.itemName.length() + a.description.length() + 40;
    a.extra = nextExtra(rng, size, AVG_AUCTION_BYTE_SIZE);
    return a;
  }

  private static NexmarkEvent.Bid bid(long n, SeededRandom rng, long ts) {
    NexmarkEvent.Bid b = new NexmarkEvent.Bid();
    long auction;
    if (rng.nextInt(HOT_AUCTION_RATIO) > 0) auction = (lastBase0AuctionId(n) / HOT_BATCH) * HOT_BATCH;
    else auction = nextBase0AuctionId(n, rng);
    b.auction = auction + FIRST_AUCTION_ID;
    long bidder;
    if (rng.nextInt(HOT_BIDDERS_RATIO) > 0) {
      long last = lastBase0PersonId(n);
      bidder = Math.min((last / HOT_BATCH) * HOT_BATCH + 1, last);
    } else {
      bidder = nextBase0PersonId(n, rng);
    }
    b.bidder = bidder + FIRST_PERSON_ID;
    b.price = nextPrice(rng);
    b.dateTime = ts;
    b.extra = nextExtra(rng, 32, AVG_BID_BYTE_SIZE);
    return b;
  }

  private static String pick(SeededRandom rng, String[] list) {
    return list[(int) rng.nextInt(list.length)];
  }

  /** Beam's price in cents; StrictMath.pow is fdlibm's, as V8's Math.pow. */
  private static long nextPrice(SeededRandom rng) {
    return Math.round(StrictMath.pow(10, rng.nextDouble() * 6) * 100);
  }

  private static String nextString(SeededRandom rng, int maxLength) {
    int len = MIN_STRING_LENGTH + (int) rng.nextInt(maxLength - MIN_STRING_LENGTH);
    char[] buf = new char[len];
    for (int i = 0; i < len; i++) buf[i] = rng.nextInt(13) == 0 ? ' ' : (char) ('a' + rng.nextInt(26));
    return new String(buf).trim();
  }

  private static String nextExactString(SeededRandom rng, int length) {
    char[] buf = new char[length];
    int i = 0;
    while (i < length) {
      long u = rng.nextUint32();
      long first = u % 26;
      buf[i++] = (char) ('a' + first);
      long q = (u - first) / 26;
      for (int k = 1; k < 6 && i < length; k++) {
        long d = q % 26;
        buf[i++] = (char) ('a' + d);
        q = (q - d) / 26;
      }
    }
    return new String(buf);
  }

  private static String nextExtra(SeededRandom rng, int currentSize, int desiredAverageSize) {
    if (currentSize > desiredAverageSize) return "";
    int desired = desiredAverageSize - currentSize;
    long delta = Math.round(desired * 0.2);
    long size = desired - delta + (delta == 0 ? 0 : rng.nextInt(2 * delta));
    return nextExactString(rng, (int) size);
  }

  private static String nextCreditCard(SeededRandom rng) {
    StringBuilder sb = new StringBuilder(19);
    for (int i = 0; i < 4; i++) {
      if (i > 0) sb.append(' ');
      String part = Long.toString(rng.nextInt(10000));
      for (int pad = part.length(); pad < 4; pad++) sb.append('0');
      sb.append(part);
    }
    return sb.toString();
  }
}
