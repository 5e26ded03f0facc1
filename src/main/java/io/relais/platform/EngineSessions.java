package io.relais.platform;

import java.util.ArrayList;
import java.util.function.Supplier;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;

/**
 * A session of Relais' own in the engine's command contexts, or one of the engine's managers
 * replaced: the engine opens one per command that asks for its type. Registered by a plugin's
 * {@code preInit}; a factory registered for a type the engine already has replaces the engine's
 * (custom factories are added after the engine's, by session type).
 */
public final class EngineSessions {

  private EngineSessions() {
  }

  public static <T extends Session> void register(ProcessEngineConfigurationImpl configuration, Class<? super T> type,
      Supplier<T> open) {
    if (configuration.getCustomSessionFactories() == null) {
      configuration.setCustomSessionFactories(new ArrayList<>());
    }
    configuration.getCustomSessionFactories().add(new SessionFactory() {
      @Override
      public Class<?> getSessionType() {
        return type;
      }

      @Override
      public Session openSession() {
        return open.get();
      }
    });
  }
}
