package io.relais.platform;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A data source whose connections hand the text of each select they prepare to a listener, and a
 * standalone engine on it, for tests that count the engine's statements.
 */
final class SelectRecording {

  private static final AtomicInteger ENGINES = new AtomicInteger();

  private SelectRecording() {
  }

  /**
   * A standalone engine's configuration on an H2 database of its own (created and dropped with
   * it), full history, no job executor, each select passed to {@code onSelect}; plugins and build
   * to the caller.
   */
  static ProcessEngineConfigurationImpl engine(String name, Consumer<String> onSelect) {
    String unique = name + "-" + ENGINES.incrementAndGet();
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + unique + ";DB_CLOSE_DELAY=-1");
    ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) ProcessEngineConfiguration
        .createStandaloneInMemProcessEngineConfiguration();
    config.setProcessEngineName(unique);
    config.setDataSource(of(h2, onSelect));
    config.setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_CREATE_DROP);
    config.setHistory(ProcessEngineConfiguration.HISTORY_FULL);
    config.setJobExecutorActivate(false);
    return config;
  }

  /** {@code target}, each select it prepares passed to {@code onSelect} (as written) before it is prepared. */
  static DataSource of(DataSource target, Consumer<String> onSelect) {
    return (DataSource) Proxy.newProxyInstance(SelectRecording.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          Object result = invoke(method, target, args);
          if (!(result instanceof Connection connection)) {
            return result;
          }
          return Proxy.newProxyInstance(SelectRecording.class.getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> {
                if (m.getName().startsWith("prepare") && a != null && a[0] instanceof String sql
                    && sql.strip().toUpperCase().startsWith("SELECT")) {
                  onSelect.accept(sql);
                }
                return invoke(m, connection, a);
              });
        });
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
