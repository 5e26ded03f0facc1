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
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What a backend system does with Relais over HTTP, and no more: Camunda's REST API as admin
 * (users, deployments) or as an integration user (start journeys by message, correlate replies).
 * JDK only, so that the benchmark runs with nothing but the JDBC driver on its class path.
 */
public final class RelaisClient {

  private final String baseUrl;
  private final String authorization;
  private final HttpClient http;

  public RelaisClient(String baseUrl, String user, String password) {
    this.baseUrl = baseUrl;
    this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  public RelaisClient as(String user, String password) {
    return new RelaisClient(baseUrl, user, password);
  }

  /** Creates a user (as admin) and makes it a member of {@code group}. */
  public void createUser(String id, String password, String group) {
    String json = "{\"profile\":{\"id\":\"" + id + "\",\"firstName\":\"Bench\",\"lastName\":\"Integration\",\"email\":\""
        + id + "@relais.example\"},\"credentials\":{\"password\":\"" + password + "\"}}";
    expect(post("/engine-rest/user/create", json), 204, "create user " + id);
    expect(send(request("/engine-rest/group/" + group + "/members/" + id).PUT(HttpRequest.BodyPublishers.noBody())),
        204, "add " + id + " to " + group);
  }

  /** Deploys one BPMN file through {@code /engine-rest/deployment/create} (what Modeler does). */
  public void deploy(Path bpmn) {
    String boundary = "relais-" + UUID.randomUUID();
    byte[] file;
    try {
      file = Files.readAllBytes(bpmn);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\nrelais-bench\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"enable-duplicate-filtering\"\r\n\r\ntrue\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"" + bpmn.getFileName()
        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[headBytes.length + file.length + tail.length];
    System.arraycopy(headBytes, 0, body, 0, headBytes.length);
    System.arraycopy(file, 0, body, headBytes.length, file.length);
    System.arraycopy(tail, 0, body, headBytes.length + file.length, tail.length);
    HttpResponse<String> r = send(request("/engine-rest/deployment/create")
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    expect(r, 200, "deploy " + bpmn);
  }

  /** {@code POST /engine-rest/message}: starts a journey or correlates to the one with this business key. */
  public HttpResponse<String> message(String messageName, String businessKey, Map<String, String> stringVariables) {
    String vars = stringVariables.entrySet().stream()
        .map(e -> "\"" + e.getKey() + "\":{\"value\":\"" + e.getValue() + "\",\"type\":\"String\"}")
        .collect(Collectors.joining(",", "{", "}"));
    String json = "{\"messageName\":\"" + messageName + "\",\"businessKey\":\"" + businessKey + "\",\"processVariables\":" + vars + "}";
    return post("/engine-rest/message", json);
  }

  /** {@code PUT /engine-rest/job/{id}/retries}: what Cockpit's "retry" does on an incident. */
  public void setJobRetries(String jobId, int retries) {
    expect(send(request("/engine-rest/job/" + jobId + "/retries")
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"retries\":" + retries + "}"))), 204, "retry job " + jobId);
  }

  public HttpResponse<String> put(String path, String json) {
    return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  public HttpResponse<String> get(String path) {
    return send(request(path).GET());
  }

  public HttpResponse<String> post(String path, String json) {
    return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A JSON post that may take long (a bulk request on a busy machine). */
  public HttpResponse<String> post(String path, String json, Duration timeout) {
    return send(request(path).timeout(timeout).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A CSV body, such as a contact import. */
  public HttpResponse<String> postCsv(String path, String csv) {
    return send(request(path).header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(csv)));
  }

  /** A form post (webhooks), with extra headers such as a provider's signature. */
  public HttpResponse<String> postForm(String path, String form, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/x-www-form-urlencoded");
    headers.forEach(b::header);
    return send(b.POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60)).header("Authorization", authorization);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("HTTP to " + baseUrl + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }
}
