package io.relais.journey;

import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import io.relais.web.RelaisUser;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.server.ResponseStatusException;

/**
 * Starts many journeys of one business event (start message, e.g. {@code CartAbandoned}) for a
 * backend system: the items are started in chunks, each chunk in one engine command and one
 * transaction (one flush of batched inserts), with a result per item. A journey started through
 * this path is recorded under (message, contact id, request key): repeating an item with the same
 * request key reports {@code ALREADY_STARTED} and starts nothing.
 */
@Service
public class BulkStarts {

  private static final Logger log = LoggerFactory.getLogger(BulkStarts.class);
  /** {@code ACT_RU_VARIABLE.TEXT_} holds 4,000 characters on PostgreSQL. */
  private static final int MAX_STRING_VARIABLE = 4000;

  /** One journey to start: the contact (business key), an optional request key of its own, its start variables. */
  public record Item(String contactId, String requestKey, Map<String, Object> variables) {}

  /** The request: the start message, the default request key of its items, the items. */
  public record Request(String message, String requestKey, List<Item> items) {}

  public enum Status {
    /** A journey was started by this request. */
    STARTED,
    /** A journey was started earlier for this contact, message and request key: nothing started. */
    ALREADY_STARTED,
    /** No such contact, or the contact was erased: nothing started. */
    UNKNOWN_CONTACT,
    /** The engine refused this item (see error); the other items are not affected. */
    FAILED
  }

  public record ItemResult(int index, String contactId, Status status, String processInstanceId, String error) {}

  public record Report(String message, int requested, int started, int alreadyStarted, int unknownContacts, int failed,
      List<ItemResult> items) {}

  private final ProcessEngine engine;
  private final RuntimeService runtime;
  private final AuthorizationService authorizations;
  private final NamedParameterJdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final BulkStartProperties properties;

  public BulkStarts(ProcessEngine engine, NamedParameterJdbcTemplate jdbc, PlatformTransactionManager transactions, Clock clock,
      BulkStartProperties properties) {
    this.engine = engine;
    this.runtime = engine.getRuntimeService();
    this.authorizations = engine.getAuthorizationService();
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.clock = clock;
    this.properties = properties;
  }

  /** Validates the whole request (400 naming the field), checks the caller's engine rights (403), then starts. */
  public Report start(Request request, RelaisUser caller) {
    List<Pending> pending = validate(request);
    List<ProcessDefinition> journeys = engine.getRepositoryService().createProcessDefinitionQuery()
        .messageEventSubscriptionName(request.message()).list();
    if (journeys.isEmpty()) {
      throw new NotFoundException("No deployed journey starts on message '" + request.message() + "'");
    }
    checkAuthorized(caller, journeys);
    List<ItemResult> results = new ArrayList<>(pending.size());
    for (int from = 0; from < pending.size(); from += properties.chunkSize()) {
      results.addAll(startChunk(request.message(), pending.subList(from, Math.min(pending.size(), from + properties.chunkSize()))));
    }
    results.sort((a, b) -> Integer.compare(a.index(), b.index()));
    return new Report(request.message(), results.size(), count(results, Status.STARTED), count(results, Status.ALREADY_STARTED),
        count(results, Status.UNKNOWN_CONTACT), count(results, Status.FAILED), results);
  }

  private static int count(List<ItemResult> results, Status status) {
    return (int) results.stream().filter(r -> r.status() == status).count();
  }

  /** An item after validation: its index in the request and its effective request key. */
  private record Pending(int index, String contactId, String requestKey, Map<String, Object> variables) {
    String key() {
      return contactId + '\n' + requestKey;
    }
  }

  private List<Pending> validate(Request request) {
    if (request == null || request.message() == null || request.message().isBlank()) {
      throw new InvalidInputException("message", "message is required: the start message of the journey, e.g. CartAbandoned");
    }
    if (request.requestKey() != null && (request.requestKey().isBlank() || request.requestKey().length() > 255)) {
      throw new InvalidInputException("requestKey", "requestKey must be 1 to 255 characters");
    }
    List<Item> items = request.items();
    if (items == null || items.isEmpty()) {
      throw new InvalidInputException("items", "items is required: at least one {contactId, variables}");
    }
    if (items.size() > properties.maxItems()) {
      throw new InvalidInputException("items",
          "At most " + properties.maxItems() + " items per request (got " + items.size() + "): split the request");
    }
    List<Pending> pending = new ArrayList<>(items.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      String at = "items[" + i + "]";
      if (item == null) {
        throw new InvalidInputException(at, at + " is null");
      }
      if (item.contactId() == null || item.contactId().isBlank() || item.contactId().length() > 64) {
        throw new InvalidInputException(at + ".contactId", at + ".contactId is required (1 to 64 characters)");
      }
      String requestKey = item.requestKey() != null ? item.requestKey() : request.requestKey();
      if (requestKey == null || requestKey.isBlank() || requestKey.length() > 255) {
        throw new InvalidInputException(at + ".requestKey",
            at + ".requestKey (or the request's requestKey) is required, 1 to 255 characters: it makes a repeated request start nothing twice");
      }
      Map<String, Object> variables = item.variables() == null ? Map.of() : item.variables();
      variables.forEach((name, value) -> checkVariable(at + ".variables." + name, name, value));
      Pending p = new Pending(i, item.contactId(), requestKey, variables);
      Integer first = seen.putIfAbsent(p.key(), i);
      if (first != null) {
        throw new InvalidInputException(at + ".contactId",
            at + " repeats items[" + first + "] (same contactId and requestKey)");
      }
      pending.add(p);
    }
    return pending;
  }

  private static void checkVariable(String field, String name, Object value) {
    if (name.isBlank()) {
      throw new InvalidInputException(field, "A variable name must not be blank");
    }
    boolean scalar = value == null || value instanceof String || value instanceof Number || value instanceof Boolean;
    if (!scalar) {
      throw new InvalidInputException(field, field + " must be a string, a number or a boolean");
    }
    if (value instanceof String s && s.length() > MAX_STRING_VARIABLE) {
      throw new InvalidInputException(field, field + " is longer than " + MAX_STRING_VARIABLE + " characters");
    }
  }

  /** The same rights {@code POST /engine-rest/message} needs: create instances of the journey. */
  private void checkAuthorized(RelaisUser caller, Collection<ProcessDefinition> journeys) {
    if (!engine.getProcessEngineConfiguration().isAuthorizationEnabled()) {
      return;
    }
    boolean allowed = authorizations.isUserAuthorized(caller.id(), caller.groups(), Permissions.CREATE, Resources.PROCESS_INSTANCE);
    for (ProcessDefinition d : journeys) {
      allowed &= authorizations.isUserAuthorized(caller.id(), caller.groups(), ProcessDefinitionPermissions.CREATE_INSTANCE,
          Resources.PROCESS_DEFINITION, d.getKey());
    }
    if (!allowed) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN,
          "User '" + caller.id() + "' may not start journeys of " + journeys.stream().map(ProcessDefinition::getKey).toList());
    }
  }

  /**
   * One chunk in one transaction. A concurrent request that recorded the same items first makes
   * the insert fail: the chunk is rolled back and replayed, and then finds them started. Any other
   * failure replays the chunk item by item, so that one bad item fails alone.
   */
  private List<ItemResult> startChunk(String message, List<Pending> chunk) {
    try {
      return tx.execute(status -> startAll(message, chunk));
    } catch (DuplicateKeyException e) {
      return tx.execute(status -> startAll(message, chunk));
    } catch (RuntimeException e) {
      log.warn("Bulk start of {} journeys on {} failed as a whole ({}); starting them one by one", chunk.size(), message, e.toString());
      List<ItemResult> results = new ArrayList<>(chunk.size());
      for (Pending one : chunk) {
        try {
          results.addAll(tx.execute(status -> startAll(message, List.of(one))));
        } catch (RuntimeException itemFailure) {
          results.add(new ItemResult(one.index(), one.contactId(), Status.FAILED, null, itemFailure.getMessage()));
        }
      }
      return results;
    }
  }

  private List<ItemResult> startAll(String message, List<Pending> chunk) {
    Set<String> contactIds = new HashSet<>();
    chunk.forEach(p -> contactIds.add(p.contactId()));
    MapSqlParameterSource ids = new MapSqlParameterSource("message", message).addValue("ids", contactIds);
    Map<String, String> earlier = new HashMap<>();
    jdbc.query("select business_key, request_key, process_instance_id from journey_start where message_name = :message and business_key in (:ids)",
        ids, rs -> {
          earlier.put(rs.getString(1) + '\n' + rs.getString(2), rs.getString(3));
        });
    Set<String> known = new HashSet<>(jdbc.queryForList("select id from contact where id in (:ids) and erased = false", ids, String.class));

    List<ItemResult> results = new ArrayList<>(chunk.size());
    List<Pending> toStart = new ArrayList<>();
    for (Pending p : chunk) {
      String before = earlier.get(p.key());
      if (before != null) {
        results.add(new ItemResult(p.index(), p.contactId(), Status.ALREADY_STARTED, before, null));
      } else if (!known.contains(p.contactId())) {
        results.add(new ItemResult(p.index(), p.contactId(), Status.UNKNOWN_CONTACT, null, "No contact with this id (or it was erased)"));
      } else {
        toStart.add(p);
      }
    }
    if (toStart.isEmpty()) {
      return results;
    }
    // One command: the nested correlations share its context, so the engine flushes once per chunk.
    CommandExecutor commands = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getCommandExecutorTxRequired();
    List<String> instanceIds = commands.execute(context -> {
      List<String> started = new ArrayList<>(toStart.size());
      for (Pending p : toStart) {
        started.add(runtime.createMessageCorrelation(message).processInstanceBusinessKey(p.contactId())
            .setVariables(p.variables()).correlateStartMessage().getId());
      }
      return started;
    });
    Timestamp now = Timestamp.from(clock.instant());
    MapSqlParameterSource[] rows = new MapSqlParameterSource[toStart.size()];
    for (int i = 0; i < toStart.size(); i++) {
      Pending p = toStart.get(i);
      rows[i] = new MapSqlParameterSource("message", message).addValue("key", p.contactId()).addValue("requestKey", p.requestKey())
          .addValue("pi", instanceIds.get(i)).addValue("at", now);
      results.add(new ItemResult(p.index(), p.contactId(), Status.STARTED, instanceIds.get(i), null));
    }
    jdbc.batchUpdate("insert into journey_start (message_name, business_key, request_key, process_instance_id, started_at) "
        + "values (:message, :key, :requestKey, :pi, :at)", rows);
    return results;
  }
}
