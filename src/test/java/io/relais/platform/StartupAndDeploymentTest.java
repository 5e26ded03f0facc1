package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.RelaisApplication;
import io.relais.journey.JourneyDeployer;
import io.relais.support.EngineRegistry;
import io.relais.support.PostgresDatabase;
import io.relais.support.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import io.relais.contact.Channel;
import io.relais.contact.PendingDoubleOptIns;
import io.relais.journey.JourneyMessages;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.repository.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Relais starts on H2 and on PostgreSQL, deploys everything of {@code processes/} and {@code
 * forms/} in one deployment, and a second start deploys nothing new.
 */
class StartupAndDeploymentTest {

  @TempDir Path tmp;

  @Test
  void startsOnH2FileDeploysAllAndRestartsWithoutNewVersion() throws IOException {
    Map<String, Object> props = new HashMap<>();
    props.put("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("db/relais"));
    checkTwoStarts(props, new String[0]);
  }

  @Test
  void startsOnPostgresDeploysAllAndRestartsWithoutNewVersion() throws IOException {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      checkTwoStarts(db.productionProfileProperties(), new String[] {"postgres"});
    }
  }

  @Test
  void postgresProfileWithoutItsVariablesFailsNamingThem() {
    assertThatThrownBy(() -> start(Map.of(), new String[] {"postgres"}))
        .hasStackTraceContaining("RELAIS_DB_URL")
        .hasStackTraceContaining("RELAIS_DB_USER")
        .hasStackTraceContaining("RELAIS_DB_PASSWORD");
  }

  @Test
  void postgresProfileRefusesADemoAdminPassword() {
    Map<String, Object> props = Map.of("RELAIS_DB_URL", "jdbc:postgresql://127.0.0.1:1/none",
        "RELAIS_DB_USER", "u", "RELAIS_DB_PASSWORD", "p", "RELAIS_ADMIN_PASSWORD", "admin");
    assertThatThrownBy(() -> start(props, new String[] {"postgres"})).hasStackTraceContaining("RELAIS_ADMIN_PASSWORD");
  }

  @Test
  void postgresProfileRefusesAConnectionPoolTooSmallForItsJobThreads() {
    Map<String, Object> props = Map.of("RELAIS_DB_URL", "jdbc:postgresql://127.0.0.1:1/none",
        "RELAIS_DB_USER", "u", "RELAIS_DB_PASSWORD", "p", "RELAIS_ADMIN_PASSWORD", "a-long-admin-secret",
        "RELAIS_DB_POOL_SIZE", "8");
    // 8 job threads (application.yml) + a second connection each for the send record + 4 inbound workers + 2
    assertThatThrownBy(() -> start(props, new String[] {"postgres"}))
        .hasStackTraceContaining("needs a connection pool of at least 22").hasStackTraceContaining("is 8");
  }

  private void checkTwoStarts(Map<String, Object> baseProps, String[] profiles) throws IOException {
    // A copy of the real folders, so that the test can change a journey between starts.
    Path processes = TestFiles.copyTree(Path.of("processes"), tmp.resolve("processes"));
    Path forms = TestFiles.copyTree(Path.of("forms"), tmp.resolve("forms"));
    // One journey of our own, so that the test means something whatever the folders hold.
    Path ping = processes.resolve("relais-ping.bpmn");
    Files.copy(Path.of("src/test/resources/bpmn/relais-ping.bpmn"), ping);
    Map<String, Object> props = new HashMap<>(baseProps);
    props.put("relais.processes-dir", processes.toString());
    props.put("relais.forms-dir", forms.toString());

    Set<String> expected = expectedResources(processes, forms);
    String firstDeployment;
    try (EngineRegistry kept = EngineRegistry.kept(); ConfigurableApplicationContext ctx = start(props, profiles)) {
      RepositoryService repo = ctx.getBean(RepositoryService.class);
      List<Deployment> deployments = repo.createDeploymentQuery().deploymentName(JourneyDeployer.DEPLOYMENT_NAME).list();
      assertThat(deployments).hasSize(1);
      firstDeployment = deployments.get(0).getId();
      assertThat(Set.copyOf(repo.getDeploymentResourceNames(firstDeployment))).isEqualTo(expected);
      assertThat(repo.createProcessDefinitionQuery().processDefinitionKey("relais-ping").count()).isEqualTo(1);
      pendingDoubleOptInsAreFoundOnThisDatabase(ctx);
    }
    try (EngineRegistry kept = EngineRegistry.kept(); ConfigurableApplicationContext ctx = start(props, profiles)) {
      RepositoryService repo = ctx.getBean(RepositoryService.class);
      assertThat(repo.createDeploymentQuery().deploymentName(JourneyDeployer.DEPLOYMENT_NAME).list())
          .extracting(Deployment::getId).containsExactly(firstDeployment);
      assertThat(repo.createProcessDefinitionQuery().processDefinitionKey("relais-ping").count()).isEqualTo(1);
    }
    // A changed journey is deployed as a new version, and only then.
    Files.writeString(ping, Files.readString(ping).replace("Relais ping (test)", "Relais ping v2"));
    try (EngineRegistry kept = EngineRegistry.kept(); ConfigurableApplicationContext ctx = start(props, profiles)) {
      RepositoryService repo = ctx.getBean(RepositoryService.class);
      assertThat(repo.createDeploymentQuery().deploymentName(JourneyDeployer.DEPLOYMENT_NAME).count()).isEqualTo(2);
      assertThat(repo.createProcessDefinitionQuery().processDefinitionKey("relais-ping").latestVersion().singleResult().getVersion()).isEqualTo(2);
    }
  }

  /**
   * The double opt-in check is a native query of the engine's tables (PendingDoubleOptIns): it
   * answers on this database, for the contact and the channel only, and not once suspended.
   */
  private static void pendingDoubleOptInsAreFoundOnThisDatabase(ConfigurableApplicationContext ctx) {
    RuntimeService runtime = ctx.getBean(RuntimeService.class);
    PendingDoubleOptIns pending = ctx.getBean(PendingDoubleOptIns.class);
    String contact = "doi-" + java.util.UUID.randomUUID();
    assertThat(pending.isPending(contact, Channel.SMS)).isFalse();
    ProcessInstance pi = runtime.createMessageCorrelation(JourneyMessages.DOUBLE_OPT_IN_REQUESTED)
        .processInstanceBusinessKey(contact).setVariable("channel", Channel.SMS.name()).correlateStartMessage();
    assertThat(pending.isPending(contact, Channel.SMS)).isTrue();
    assertThat(pending.isPending(contact, Channel.WHATSAPP)).isFalse();
    assertThat(pending.isPending("someone-else", Channel.SMS)).isFalse();
    runtime.suspendProcessInstanceById(pi.getId());
    assertThat(pending.isPending(contact, Channel.SMS)).isFalse();
    runtime.deleteProcessInstance(pi.getId(), "test");
    assertThat(pending.isPending(contact, Channel.SMS)).isFalse();
  }

  static ConfigurableApplicationContext start(Map<String, Object> props, String[] profiles) {
    Map<String, Object> all = new HashMap<>(props);
    all.put("server.port", "0");
    all.put("camunda.bpm.job-execution.enabled", "false");
    List<String> activeProfiles = new ArrayList<>(List.of(profiles));
    // Command-line arguments, so that they override application.yml as an operator's would.
    String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    return new SpringApplicationBuilder(RelaisApplication.class)
        .profiles(activeProfiles.toArray(String[]::new))
        .run(args);
  }

  private static Set<String> expectedResources(Path processes, Path forms) throws IOException {
    Set<String> names = new java.util.HashSet<>();
    try (Stream<Path> s = Files.walk(processes)) {
      s.filter(Files::isRegularFile).filter(p -> !processes.relativize(p).toString().startsWith("."))
          .filter(p -> p.toString().endsWith(".bpmn") || p.toString().endsWith(".dmn"))
          .forEach(p -> names.add(processes.relativize(p).toString()));
    }
    try (Stream<Path> s = Files.walk(forms)) {
      s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".form"))
          .forEach(p -> names.add("forms/" + forms.relativize(p)));
    }
    return names;
  }
}
