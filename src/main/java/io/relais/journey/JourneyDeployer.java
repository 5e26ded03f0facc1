package io.relais.journey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Deploys the journeys folder ({@code *.bpmn}, {@code *.dmn}) and the forms folder ({@code
 * *.form}) as one deployment at start-up, so that {@code camunda:formRef} with deployment binding
 * resolves. Duplicate filtering makes an unchanged folder deploy nothing; the engine's deployment
 * lock makes several nodes starting together deploy it once.
 */
@Component
public class JourneyDeployer {

  public static final String DEPLOYMENT_NAME = "relais-journeys";
  private static final Logger log = LoggerFactory.getLogger(JourneyDeployer.class);

  private final RepositoryService repositoryService;
  private final Path processesDir;
  private final Path formsDir;

  public JourneyDeployer(
      RepositoryService repositoryService,
      @Value("${relais.processes-dir:processes}") String processesDir,
      @Value("${relais.forms-dir:forms}") String formsDir) {
    this.repositoryService = repositoryService;
    this.processesDir = Path.of(processesDir).toAbsolutePath().normalize();
    this.formsDir = Path.of(formsDir).toAbsolutePath().normalize();
  }

  @EventListener(ApplicationStartedEvent.class)
  @Order(0)
  public void deployOnStart() {
    deploy();
  }

  /** Deploys the folders; returns the deployment in force (the existing one when unchanged). */
  public DeploymentWithDefinitions deploy() {
    List<Path> files = new ArrayList<>();
    files.addAll(list(processesDir, ".bpmn", ".dmn"));
    files.addAll(list(formsDir, ".form"));
    if (files.isEmpty()) {
      log.warn("No journeys found in {} nor forms in {}: nothing deployed", processesDir, formsDir);
      return null;
    }
    DeploymentBuilder builder =
        repositoryService
            .createDeployment()
            .name(DEPLOYMENT_NAME)
            .source("relais:" + processesDir.getFileName())
            .enableDuplicateFiltering(false);
    for (Path file : files) {
      try {
        builder.addString(resourceName(file), Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read journey file " + file, e);
      }
    }
    long before = repositoryService.createDeploymentQuery().deploymentName(DEPLOYMENT_NAME).count();
    DeploymentWithDefinitions deployment = builder.deployWithResult();
    boolean isNew =
        repositoryService.createDeploymentQuery().deploymentName(DEPLOYMENT_NAME).count() > before;
    log.info(
        "Journeys from {} and forms from {}: {} files, deployment {}",
        processesDir,
        formsDir,
        files.size(),
        isNew ? deployment.getId() : "unchanged");
    return deployment;
  }

  private String resourceName(Path file) {
    Path base = file.startsWith(formsDir) ? formsDir : processesDir;
    String prefix = file.startsWith(formsDir) ? "forms/" : "";
    return prefix + base.relativize(file).toString().replace('\\', '/');
  }

  private static List<Path> list(Path dir, String... extensions) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> !isHidden(dir, p))
          .filter(p -> matches(p, extensions))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
  }

  private static boolean isHidden(Path root, Path file) {
    for (Path part : root.relativize(file)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(Path p, String... extensions) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    for (String ext : extensions) {
      if (name.endsWith(ext)) {
        return true;
      }
    }
    return false;
  }
}
