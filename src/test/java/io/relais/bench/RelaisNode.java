package io.relais.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Relais JVM started the way production starts it (profile {@code postgres}, settings from
 * the environment), either from the built jar or from the test class path, so that benchmarks and
 * fault-injection tests can kill it, restart it and look at its heap.
 */
public final class RelaisNode implements AutoCloseable {

  /** Default admin secret of the nodes the harness starts; long, so the production guard accepts it. */
  public static final String ADMIN_PASSWORD = "bench-admin-secret-0123456789";
  /** A heap generation's line of {@code jcmd GC.heap_info}. */
  private static final Pattern HEAP_GENERATION = Pattern.compile("total \\d+K, used (\\d+)K");
  private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

  private final String name;
  private final List<String> launch;
  private final int port;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Map<String, String> properties = new LinkedHashMap<>();
  private final List<String> jvmOptions = new ArrayList<>();
  private final Path log;
  private Process process;

  private RelaisNode(String name, List<String> launch, int port, Path log) {
    this.name = name;
    this.launch = launch;
    this.port = port;
    this.log = log;
  }

  /** A node started with {@code java -jar jar}. */
  public static RelaisNode fromJar(String name, Path jar, int port, Path log) {
    return new RelaisNode(name, List.of("-jar", jar.toString()), port, log);
  }

  /** A node started from a class path (the test run's own, where no jar exists yet). */
  public static RelaisNode fromClasspath(String name, String classpath, int port, Path log) {
    return new RelaisNode(name, List.of("-cp", classpath, "io.relais.RelaisApplication"), port, log);
  }

  /** A node of the class path this JVM runs with (tests). */
  public static RelaisNode fromThisClasspath(String name, int port, Path log) {
    return fromClasspath(name, System.getProperty("java.class.path"), port, log);
  }

  /** Production settings against the given database: profile postgres, secrets in the environment. */
  public RelaisNode database(String jdbcUrl, String user, String password) {
    env.put("SPRING_PROFILES_ACTIVE", "postgres");
    env.put("RELAIS_DB_URL", jdbcUrl);
    env.put("RELAIS_DB_USER", user);
    // trust authentication ignores the password, but the production guard wants one set
    env.put("RELAIS_DB_PASSWORD", password == null || password.isEmpty() ? "trust-auth" : password);
    env.put("RELAIS_ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.put("RELAIS_PUBLIC_BASE_URL", baseUrl());
    env.put("PORT", Integer.toString(port));
    return this;
  }

  public RelaisNode property(String key, String value) {
    properties.put(key, value);
    return this;
  }

  public RelaisNode jvmOption(String option) {
    jvmOptions.add(option);
    return this;
  }

  public String name() {
    return name;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Starts the JVM and waits until its health endpoint says UP. */
  public RelaisNode start(Duration timeout) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(launch);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start Relais node " + name, e);
    }
    awaitUp(timeout);
    return this;
  }

  private void awaitUp(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Relais node " + name + " exited with " + process.exitValue() + ": see " + log + "\n" + tail());
      }
      try {
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(500);
    }
    throw new IllegalStateException("Relais node " + name + " not up after " + timeout + ": see " + log + "\n" + tail());
  }

  /** kill -9: no shutdown hook, no graceful end of running jobs. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitFor();
    }
  }

  /** A graceful stop (SIGTERM). */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      waitFor();
    }
  }

  private void waitFor() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Used heap in bytes right after a full GC, read with {@code jcmd}: what the node holds live,
   * which must not grow with the number of waiting journeys.
   */
  private long heapAfterGc() {
    jcmd("GC.run");
    return usedHeap(jcmd("GC.heap_info"));
  }

  /** What a heap probe found: the used heap after a full GC, and the bytes of the live objects. */
  public record HeapProbe(long usedAfterGc, long liveObjects) {}

  /**
   * {@link #heapAfterGc()}, then the live objects by class ({@code jcmd GC.class_histogram}, which
   * collects again and counts only what is reachable), written beside the node's log as {@code
   * class-histogram-<label>.txt} to compare two probes class by class. The histogram's total is the
   * steadier figure of the two: the used heap also holds whatever the node allocated between the
   * collection and the reading.
   */
  public HeapProbe heapAfterGc(String label) {
    long used = heapAfterGc();
    String classes = jcmd("GC.class_histogram");
    Path histogram = log.resolveSibling("class-histogram-" + label + ".txt");
    try {
      Files.writeString(histogram, classes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + histogram, e);
    }
    return new HeapProbe(used, liveObjects(classes));
  }

  /** The bytes of a {@code GC.class_histogram} answer: its last line, {@code Total <instances> <bytes>}. */
  static long liveObjects(String classHistogram) {
    Matcher m = HISTOGRAM_TOTAL.matcher(classHistogram);
    if (!m.find()) {
      throw new IllegalStateException("Unexpected jcmd GC.class_histogram output: "
          + classHistogram.substring(0, Math.min(200, classHistogram.length())));
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * The used heap of a {@code GC.heap_info} answer: the sum of its generations ("garbage-first
   * heap" for G1; "PSYoungGen" and "ParOldGen" for the parallel collector; "def new generation" and
   * "tenured generation" for the serial one), each a line with {@code total …K, used …K}. Metaspace
   * and class space (no {@code total}) are not heap.
   */
  static long usedHeap(String heapInfo) {
    Matcher m = HEAP_GENERATION.matcher(heapInfo);
    long usedKb = 0;
    boolean found = false;
    while (m.find()) {
      usedKb += Long.parseLong(m.group(1));
      found = true;
    }
    if (!found) {
      throw new IllegalStateException("Unexpected jcmd GC.heap_info output: " + heapInfo);
    }
    return usedKb * 1024;
  }

  private String jcmd(String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid()), command)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("jcmd " + command + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The last lines of the node's log, for failure messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** A free loopback port for a node (or a mock) to listen on. */
  public static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void sleep(long millis) {
    sleep(millis, 0);
  }

  static void sleep(long millis, int nanos) {
    try {
      Thread.sleep(millis, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
