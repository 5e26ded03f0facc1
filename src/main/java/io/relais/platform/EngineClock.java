package io.relais.platform;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.camunda.bpm.engine.impl.util.ClockUtil;

/**
 * The one clock of Relais: it reads the engine's {@link ClockUtil}, so that timers in BPMN and
 * the rules in Java (quiet hours, caps, windows) always agree, and a test that moves the engine
 * clock moves everything.
 */
public final class EngineClock extends Clock {

  private final ZoneId zone;

  public EngineClock() {
    this(ZoneOffset.UTC);
  }

  private EngineClock(ZoneId zone) {
    this.zone = zone;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new EngineClock(zone);
  }

  @Override
  public Instant instant() {
    return ClockUtil.now().toInstant();
  }

  @Override
  public long millis() {
    return ClockUtil.now().getTime();
  }
}
