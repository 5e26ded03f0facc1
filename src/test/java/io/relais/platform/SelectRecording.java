package io.relais.platform;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** A data source whose connections hand the text of each select they prepare to a listener, for tests that count statements. */
final class SelectRecording {

  private SelectRecording() {
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
