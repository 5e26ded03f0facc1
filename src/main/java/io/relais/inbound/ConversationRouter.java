package io.relais.inbound;

import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.stereotype.Component;

/**
 * Hands a customer's message to the journey it answers: the journey instance that last wrote to
 * the contact on this channel, if it waits for {@code CustomerReply}; otherwise the customer
 * started a conversation ({@code KeywordReceived} for a campaign keyword, else {@code
 * ConversationStarted}), business key = contact id. A journey that is running but not waiting yet
 * gets the reply kept for it ({@link Route#pending()}) for a bounded time.
 */
@Component
class ConversationRouter {

  /** Where a message went. */
  record Route(String kind, String processInstanceId, String journeyKey) {

    static final String REPLY = "REPLY";
    static final String STARTED = "STARTED";
    static final String PENDING = "PENDING";
    static final String UNROUTED = "UNROUTED";

    boolean pending() {
      return PENDING.equals(kind);
    }
  }

  private final RuntimeService runtimeService;
  private final RepositoryService repositoryService;
  private final InboundStore store;
  private final Clock clock;
  private final InboundProperties properties;
  private final Map<String, String> definitionKeys = new ConcurrentHashMap<>();

  ConversationRouter(RuntimeService runtimeService, RepositoryService repositoryService, InboundStore store, Clock clock,
      InboundProperties properties) {
    this.runtimeService = runtimeService;
    this.repositoryService = repositoryService;
    this.store = store;
    this.clock = clock;
    this.properties = properties;
  }

  /** Routes in the caller's transaction (the engine joins it). */
  Route route(MessageRecord m, ReplyClassification c) {
    Map<String, Object> vars = replyVariables(m, c);
    // The journey that last wrote on this channel and still runs gets the reply. Correlating first
    // finds the waiting execution and delivers in one query; only when nothing waits there does it
    // ask whether that journey still runs (an engine process instance query costs more CPU than the
    // correlation's own: the engine builds its SQL dynamically). Correlating "all" answers an empty
    // list when nothing waits instead of throwing, which would mark the surrounding transaction
    // rollback-only; correlation skips suspended instances, as the running check does. A journey
    // waiting for a reply in two parallel branches gets it in both; waiting executions only, so no
    // definition that starts on CustomerReply is started by a reply meant for this journey.
    for (InboundStore.JourneyThatWrote journey : store.journeysThatWrote(m.contactId(), m.channel(), 5)) {
      if (!JourneyMessages.toWaitingExecutions(runtimeService, JourneyMessages.CUSTOMER_REPLY)
          .processInstanceId(journey.processInstanceId())
          .setVariables(vars)
          .correlateAllWithResult().isEmpty()) {
        return new Route(Route.REPLY, journey.processInstanceId(), journeyKey(journey));
      }
      if (isRunning(journey.processInstanceId())) {
        if (clock.instant().isBefore(m.createdAt().plus(properties.pendingReplyTimeout()))) {
          return new Route(Route.PENDING, journey.processInstanceId(), null);
        }
        break; // it will not wait for this reply: the customer starts a conversation
      }
    }
    if (ReplyIntents.KEYWORD.equals(c.intent())) {
      Route started = start(JourneyMessages.KEYWORD_RECEIVED, m, vars);
      if (started != null) {
        return started;
      }
    }
    Route started = start(JourneyMessages.CONVERSATION_STARTED, m, vars);
    return started != null ? started : new Route(Route.UNROUTED, null, null);
  }

  /** Starts the journey with this start message, or null when none is deployed. */
  private Route start(String message, MessageRecord m, Map<String, Object> vars) {
    // checked first: a failed correlation would mark the surrounding transaction rollback-only
    if (repositoryService.createProcessDefinitionQuery().messageEventSubscriptionName(message).count() == 0) {
      return null;
    }
    ProcessInstance pi = runtimeService.createMessageCorrelation(message)
        .processInstanceBusinessKey(m.contactId())
        .setVariables(vars)
        .correlateStartMessage();
    return new Route(Route.STARTED, pi.getId(), definitionKey(pi.getProcessDefinitionId()));
  }

  private boolean isRunning(String processInstanceId) {
    return runtimeService.createProcessInstanceQuery().processInstanceId(processInstanceId).active().count() > 0;
  }

  /** The journey's key as its send step recorded it, else from the engine (an instance's definition never changes). */
  private String journeyKey(InboundStore.JourneyThatWrote journey) {
    if (journey.journeyKey() != null) {
      return journey.journeyKey();
    }
    ProcessInstance pi = runtimeService.createProcessInstanceQuery().processInstanceId(journey.processInstanceId()).singleResult();
    return pi == null ? null : definitionKey(pi.getProcessDefinitionId());
  }

  /**
   * A definition's key, read once per definition id (an id never changes its key): the engine's
   * {@code getProcessDefinition} reads the definition's row on every call.
   */
  private String definitionKey(String definitionId) {
    return definitionKeys.computeIfAbsent(definitionId, id -> repositoryService.getProcessDefinition(id).getKey());
  }

  static Map<String, Object> replyVariables(MessageRecord m, ReplyClassification c) {
    Map<String, Object> vars = new HashMap<>();
    vars.put(JourneyMessages.VAR_REPLY_TEXT, m.body() == null ? "" : m.body());
    vars.put(JourneyMessages.VAR_REPLY_CHANNEL, m.channel().name());
    vars.put(JourneyMessages.VAR_REPLY_MESSAGE_ID, m.id());
    vars.put(JourneyMessages.VAR_REPLY_RECEIVED_AT, Date.from(m.createdAt()));
    vars.put(JourneyMessages.VAR_INTENT, c.intent());
    vars.put(ReplyIntents.VAR_SCORE, c.score());
    vars.put(ReplyIntents.VAR_KEYWORD, c.keyword());
    vars.put(JourneyMessages.VAR_CONTACT_ID, m.contactId());
    return vars;
  }
}
