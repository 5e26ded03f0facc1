package io.relais.support;

import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;

/**
 * Keeps Camunda's static engine registry across a test's own application context. The engine REST
 * API finds its engine by name in {@link ProcessEngines}; a second context in the same JVM
 * registers its engine under the same name ("default") and, when it closes, unregisters it, so the
 * suite's shared context would answer 404 on {@code /engine-rest} from then on. Open this before
 * the test's context (try-with-resources closes in reverse order) and the registry is as it was
 * once that context is closed.
 */
public final class EngineRegistry implements AutoCloseable {

  private final Map<String, ProcessEngine> registered;

  private EngineRegistry(Map<String, ProcessEngine> registered) {
    this.registered = registered;
  }

  /** A snapshot of the engines registered now, put back by {@link #close()}. */
  public static EngineRegistry kept() {
    return new EngineRegistry(new HashMap<>(ProcessEngines.getProcessEngines()));
  }

  @Override
  public void close() {
    registered.values().forEach(ProcessEngines::registerProcessEngine);
  }
}
