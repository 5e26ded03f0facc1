package io.relais.inbound;

import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import io.relais.journey.WaitingExecutions;
import io.relais.platform.BatchingJobExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.ActivityTypes;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.bpmn.helper.BpmnProperties;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.ExecuteJobsCmd;
import org.camunda.bpm.engine.impl.db.entitymanager.DbEntityManager;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.impl.jobexecutor.AsyncContinuationJobHandler;
import org.camunda.bpm.engine.impl.jobexecutor.JobFailureCollector;
import org.camunda.bpm.engine.impl.persistence.entity.AcquirableJobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.MessageEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.stereotype.Component;

/**
 * Hands a customer's message to the journey it answers: the journey instance that last wrote to
 * the contact on this channel, if it waits for {@code CustomerReply}; otherwise the customer
 * started a conversation ({@code KeywordReceived} for a campaign keyword, else {@code
 * ConversationStarted}), business key = contact id. A journey that is running but not waiting yet
 * gets the reply kept for it ({@link Route#pending()}) for a bounded time.
 *
 * <p><b>A reply's next steps with its routing</b> ({@code relais.inbound.continue-in-routing}, on
 * by default). The event that catches a reply is asynchronous after it, so that the reply is taken
 * (committed) before the journey's next steps run, in a job. The routing is itself that committed
 * anchor: the message is stored, and the routing transaction commits the journey's progress with
 * the message's "processed" mark. So the routing runs the continuation the delivery just
 * created (the job, still in the routing's engine command, never written) in the same engine
 * command, as the job executor would have run it: classification, the bot answer's send step
 * (written with this transaction, as in the job), up to the journey's next wait. A step
 * asynchronous before it keeps its own job (a hand-off, a call to the order system). Should those
 * steps fail, the whole routing rolls back and {@link InboundProcessor} routes the message again
 * without them: the continuation is then a job as drawn, retried by the job executor and, if it
 * keeps failing, an incident on the journey, as before. What it saves per reply: the job's insert,
 * acquisition, lock and delete, the journey's executions and variables read again, one commit,
 * and the acquisition the engine's hint would wake at the commit to look for a job already run
 * ({@link BatchingJobExecutor#noJobLeftInThisTransaction}; kept when the routing leaves another
 * job due soon).
 * A journey the message starts keeps the job its diagram gives its first step: the customer's
 * first question may need the order system ({@code inbound-conversation}), and a slow call there
 * must hold a job thread, not one of the few inbound workers that honour STOP.
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
  private final CommandExecutor commands;
  private final WaitingExecutions waiting;

  ConversationRouter(ProcessEngine engine, RuntimeService runtimeService, RepositoryService repositoryService, InboundStore store,
      Clock clock, InboundProperties properties, WaitingExecutions waiting) {
    this.waiting = waiting;
    this.commands = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getCommandExecutorTxRequired();
    this.runtimeService = runtimeService;
    this.repositoryService = repositoryService;
    this.store = store;
    this.clock = clock;
    this.properties = properties;
  }

  /**
   * Routes in the caller's transaction (the engine joins it); with {@code continueJourney}, the
   * steps of the journey after a reply run there too, up to its next wait (see the class comment).
   * Their failure is this call's: the caller rolls back and routes again without them.
   */
  Route route(MessageRecord m, ReplyClassification c, boolean continueJourney) {
    if (!continueJourney) {
      return route(m, c);
    }
    // one engine command: the delivery and the continuation share its entities, and the
    // continuation's job, created and run in it, is never written
    return commands.execute(context -> {
      Route r = route(m, c);
      if (Route.REPLY.equals(r.kind()) && continueJourney(context, r.processInstanceId()) > 0 && !jobDueSoon(context)) {
        // the engine hinted at the continuation's job when the delivery created it
        BatchingJobExecutor.noJobLeftInThisTransaction();
      }
      return r;
    });
  }

  /**
   * Runs, in this command, the continuations after the events that caught the reply (asynchronous
   * after them) that this command created for the journey and that are due, as the engine's
   * {@link ExecuteJobsCmd} runs a job; answers how many. A step asynchronous before it keeps its
   * job, whether the delivery or these continuations created it: the diagram asks for a
   * transaction of its own there (a hand-off, another system's call).
   */
  static int continueJourney(CommandContext context, String processInstanceId) {
    Date now = ClockUtil.getCurrentTime();
    List<JobEntity> created = new ArrayList<>();
    for (JobEntity job : createdInThisCommand(context)) {
      if (job instanceof MessageEntity && processInstanceId.equals(job.getProcessInstanceId())
          && AsyncContinuationJobHandler.TYPE.equals(job.getJobHandlerType()) && afterCatchingEvent(job)
          && !job.isSuspended() && (job.getDuedate() == null || !job.getDuedate().after(now))) {
        created.add(job);
      }
    }
    for (JobEntity job : created) {
      try {
        new ExecuteJobsCmd(job.getId(), new JobFailureCollector(job.getId())).execute(context);
      } finally {
        context.setCurrentJob(null);
      }
    }
    return created.size();
  }

  /**
   * Whether this command leaves a job that the executor should take before its next regular look
   * (due within its wait time, as the engine's own hint decides for timers): a step asynchronous
   * before it that the continuation reached, say.
   */
  static boolean jobDueSoon(CommandContext context) {
    long soon = ClockUtil.getCurrentTime().getTime() + context.getProcessEngineConfiguration().getJobExecutor().getWaitTimeInMillis();
    return createdInThisCommand(context).stream().anyMatch(job -> job.getDuedate() == null || job.getDuedate().getTime() < soon);
  }

  /** The jobs this command created and has not deleted (not written yet: they are in its cache only). */
  private static List<JobEntity> createdInThisCommand(CommandContext context) {
    DbEntityManager db = context.getDbEntityManager();
    List<JobEntity> created = new ArrayList<>();
    // by the cache's key for jobs: the engine's look-up by a subtype of it (JobEntity) compares
    // the cache's wrapper class and finds nothing
    for (AcquirableJobEntity cached : db.getCachedEntitiesByType(AcquirableJobEntity.class)) {
      if (cached instanceof JobEntity job && db.getDbEntityCache().isTransient(job)) {
        created.add(job);
      }
    }
    return created;
  }

  /** Whether the job continues after a message catch event or receive task asynchronous after it. */
  private static boolean afterCatchingEvent(JobEntity job) {
    ExecutionEntity execution = job.getExecution();
    ActivityImpl activity = execution == null || job.getActivityId() == null ? null
        : execution.getProcessDefinition().findActivity(job.getActivityId());
    if (activity == null || !activity.isAsyncAfter()) {
      return false;
    }
    Object type = activity.getProperties().get(BpmnProperties.TYPE);
    return ActivityTypes.INTERMEDIATE_EVENT_MESSAGE.equals(type) || ActivityTypes.TASK_RECEIVE_TASK.equals(type);
  }

  private Route route(MessageRecord m, ReplyClassification c) {
    Map<String, Object> vars = replyVariables(m, c);
    // The journey that last wrote on this channel and still runs gets the reply. Delivering first
    // finds the waiting subscriptions and delivers; only when nothing waits there does it ask
    // whether that journey still runs. A journey waiting for a reply in two parallel branches gets
    // it in both; waiting executions only, so no definition that starts on CustomerReply is started
    // by a reply meant for this journey.
    for (InboundStore.JourneyThatWrote journey : store.journeysThatWrote(m.contactId(), m.channel(), 5)) {
      if (waiting.deliver(JourneyMessages.CUSTOMER_REPLY, journey.processInstanceId(), vars) > 0) {
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
