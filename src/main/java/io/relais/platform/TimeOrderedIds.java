package io.relais.platform;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;
import org.camunda.bpm.engine.impl.cfg.IdGenerator;
import org.springframework.stereotype.Component;

/**
 * Row ids that sort in the order they were made: UUIDs of version 7 (RFC 9562), 48 bits of Unix
 * milliseconds and then 74 random bits, made by the UUID library the engine already uses
 * (java-uuid-generator). Within one millisecond a node's ids still increase: the library adds one
 * to the random part instead of drawing it again. The clock is read under the same lock as that
 * step: the library reads it before taking its lock, so a thread that read the clock and then
 * waited would draw a new random part for the millisecond before, and the next id of that
 * millisecond would sort anywhere in it.
 *
 * <p>Every table of the engine has its id as primary key, a B-tree on the id's text, and so have
 * Relais' messages (and their idempotency keys), inbound messages and hand-offs. The Camunda
 * starter's ids are time-based UUIDs of version 1, whose text begins with the clock's
 * fastest-changing bits; a random UUID (version 4) has no order at all. Either way each new row
 * goes to a random leaf page of each such index: once the indexes outgrow the database's memory,
 * that is a page read per row, and after every checkpoint the first change to each page writes the
 * whole page to the WAL. With ids in time order the new rows of all nodes go to the right-hand
 * edge of each index, the few pages every insert is already touching (docs/performance.md,
 * "Ids in time order").
 *
 * <p>Nodes sharing a database cannot collide: two ids of the same millisecond differ in 74
 * random bits. A clock set back only makes a node's next ids sort before its last ones. Ids made
 * before this generator (version 1 and 4) stay valid: an id is text to the engine and to Relais,
 * never parsed.
 *
 * <p>As a Spring bean this is the engine's id generator: the starter takes the application's
 * {@link IdGenerator} instead of its own ({@code camunda.bpm.id-generator} then has no effect).
 */
@Component
public class TimeOrderedIds implements IdGenerator {

  private static final TimeBasedEpochGenerator VERSION_7 = Generators.timeBasedEpochGenerator();

  /** A new id: 36 characters, greater than every id this node made before (unless its clock went back). */
  public static String next() {
    return uuid().toString();
  }

  private static synchronized UUID uuid() {
    return VERSION_7.construct(System.currentTimeMillis());
  }

  @Override
  public String getNextId() {
    return next();
  }
}
