package io.relais.platform;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Fails the start of the {@code postgres} (production) profile before anything else happens when
 * its database settings are missing or a demo password is still in use, with a message that names
 * what to set.
 */
public class ProductionSettingsGuard implements EnvironmentPostProcessor {

  static final List<String> REQUIRED = List.of("RELAIS_DB_URL", "RELAIS_DB_USER", "RELAIS_DB_PASSWORD", "RELAIS_ADMIN_PASSWORD");
  static final Set<String> DEMO_PASSWORDS = Set.of("admin", "demo", "password", "relais", "marketer", "agent", "integration", "supervisor");

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    if (!Arrays.asList(env.getActiveProfiles()).contains("postgres")) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (String name : REQUIRED) {
      String value = env.getProperty(name);
      if (value == null || value.isBlank()) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "Relais profile 'postgres' needs these environment variables: " + String.join(", ", missing)
              + " (RELAIS_DB_URL such as jdbc:postgresql://db:5432/relais)");
    }
    String adminPassword = env.getProperty("RELAIS_ADMIN_PASSWORD");
    if (DEMO_PASSWORDS.contains(adminPassword.toLowerCase()) || adminPassword.length() < 8) {
      throw new IllegalStateException(
          "Relais profile 'postgres' refuses a demo or short RELAIS_ADMIN_PASSWORD: choose one of 8 characters or more");
    }
    if (env.getProperty("relais.demo-accounts.enabled", Boolean.class, false)) {
      throw new IllegalStateException(
          "Relais profile 'postgres' refuses relais.demo-accounts.enabled=true: demo passwords would be in use");
    }
    int pool = env.getProperty("spring.datasource.hikari.maximum-pool-size", Integer.class, 10);
    int needed = connectionsNeeded(env);
    if (pool < needed) {
      throw new IllegalStateException("Relais profile 'postgres' needs a connection pool of at least " + needed
          + " (spring.datasource.hikari.maximum-pool-size or RELAIS_DB_POOL_SIZE is " + pool + "): each job thread holds one "
          + "connection for its step and takes a second to record a send before the provider call, so a smaller pool "
          + "starves under load (2 x camunda.bpm.job-execution.max-pool-size + relais.inbound.workers + 2)");
    }
  }

  /**
   * Connections a node can hold at once without starving: a send job holds its step's connection
   * and opens one more for the send record (committed before the provider call); each inbound
   * worker one; two for the web requests and the schedulers.
   */
  static int connectionsNeeded(ConfigurableEnvironment env) {
    int jobThreads = env.getProperty("camunda.bpm.job-execution.max-pool-size", Integer.class, 10);
    int inboundWorkers = env.getProperty("relais.inbound.workers", Integer.class, 4);
    return 2 * jobThreads + inboundWorkers + 2;
  }
}
