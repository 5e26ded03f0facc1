package io.relais.platform;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ibatis.builder.xml.XMLMapperBuilder;
import org.apache.ibatis.session.Configuration;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.db.entitymanager.DbEntityManager;
import org.camunda.bpm.engine.impl.history.HistoryLevel;
import org.camunda.bpm.engine.impl.history.event.HistoricActivityInstanceEventEntity;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.event.HistoryEventTypes;
import org.camunda.bpm.engine.impl.history.handler.DbHistoryEventHandler;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.JobManager;
import org.camunda.bpm.engine.impl.persistence.entity.VariableInstanceEntity;
import org.camunda.bpm.engine.runtime.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The engine's state of a batch's journeys read a table at a time, before the batch's first job
 * runs, instead of journey by journey as each job needs it. Run alone, a timer job reads its
 * journey's executions (by id, then the children of each), their event subscriptions, variables and
 * jobs, and the start time of the activity instance it ends: five to seven statements, each for
 * one journey. A batch of eight timers ({@link BatchingJobExecutor}) reads them in five statements
 * for all eight.
 *
 * <p>What is read is what the engine would read, by the engine's own result maps
 * ({@code journey-prefetch.xml}: the engine's statements with a list of ids where they take one),
 * into the command's entity cache. The engine's own restore of a journey's tree
 * ({@link ExecutionEntity#restoreProcessInstance}, used by its migrations) links each journey's
 * executions and hands them their subscriptions and variables. The jobs of an execution and the
 * start time of an activity instance are kept in this command's {@link Prefetched} session, each
 * answered once, when the engine first asks ({@link PrefetchedJobManager},
 * {@link PrefetchedStartTimes}); a second question goes to the database, as before.
 *
 * <p>A journey already in the command's cache is left alone: its state may already have changed in
 * this command. Nothing is written by the reads: entities the batch does not change are not
 * flushed. The reads are made when the batch begins, not when each job begins: a journey changed
 * by another transaction meanwhile (a reply correlated while the batch's first jobs ran) fails the
 * batch's commit on the row's revision, as a change after the job's own read always did, and the
 * batch's jobs run again one by one ({@link BatchingJobExecutor}). A journey is read whole, all
 * its executions with their subscriptions, variables and jobs, as the engine reads its tree; a
 * journey of many concurrent executions reads more than its timer needs (Relais' journeys have
 * two to four).
 *
 * <p>{@code relais.jobs.prefetch=false} keeps the engine's reads, journey by journey.
 */
@Component
public class JourneyPrefetch extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(JourneyPrefetch.class);

  private static final String NAMESPACE = JourneyPrefetch.class.getName() + ".";
  static final String EXECUTIONS = NAMESPACE + "selectExecutionsByProcessInstanceIds";
  static final String JOBS = NAMESPACE + "selectJobsByProcessInstanceIds";
  static final String SUBSCRIPTIONS = NAMESPACE + "selectEventSubscriptionsByExecutionIds";
  static final String VARIABLES = NAMESPACE + "selectVariablesByExecutionIds";
  static final String START_TIMES = NAMESPACE + "selectActivityInstanceStartTimes";
  private static final String MAPPER = "io/relais/platform/journey-prefetch.xml";

  /** Ids in one statement at most (Oracle's limit is 1,000; a batch holds far fewer). */
  static final int IDS_PER_STATEMENT = 500;

  private final boolean enabled;
  private final AtomicLong journeysRead = new AtomicLong();

  public JourneyPrefetch(@Value("${relais.jobs.prefetch:true}") boolean enabled) {
    this.enabled = enabled;
  }

  /** Journeys whose state a batch read before running their jobs, since the start. */
  public long journeysRead() {
    return journeysRead.get();
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (!enabled) {
      return;
    }
    EngineSessions.register(configuration, Prefetched.class, () -> new Prefetched(journeysRead));
    // replaces the engine's factory of the manager, by its session type
    EngineSessions.register(configuration, JobManager.class, PrefetchedJobManager::new);
    if (configuration.getHistoryEventHandler() == null && configuration.isEnableDefaultDbHistoryEventHandler()) {
      // instead of the engine's database handler, which the engine would add after the custom ones:
      // after those registered so far (a plugin's preInit after this one adds its own after it)
      configuration.setEnableDefaultDbHistoryEventHandler(false);
      List<HistoryEventHandler> handlers = new ArrayList<>();
      if (configuration.getCustomHistoryEventHandlers() != null) {
        handlers.addAll(configuration.getCustomHistoryEventHandlers());
      }
      handlers.add(new PrefetchedStartTimes());
      configuration.setCustomHistoryEventHandlers(handlers);
    }
  }

  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    if (!enabled) {
      return;
    }
    Configuration mybatis = configuration.getSqlSessionFactory().getConfiguration();
    if (mybatis.hasStatement(EXECUTIONS, false)) {
      return; // a session factory shared by several engines: parsed once
    }
    try (InputStream xml = JourneyPrefetch.class.getClassLoader().getResourceAsStream(MAPPER)) {
      if (xml == null) {
        throw new IllegalStateException(MAPPER + " is missing from the class path");
      }
      new XMLMapperBuilder(xml, mybatis, MAPPER, mybatis.getSqlFragments()).parse();
    } catch (IOException e) {
      throw new IllegalStateException("Could not read " + MAPPER, e);
    }
  }

  /**
   * Reads the engine's state of the journeys of these jobs (their process instances), unless the
   * engine runs without this plugin or fewer than two journeys are concerned (one journey's reads
   * cost what they cost).
   */
  static void prefetch(CommandContext commandContext, Collection<? extends Job> jobs) {
    if (commandContext.getSessionFactories().get(Prefetched.class) == null) {
      return;
    }
    DbEntityManager db = commandContext.getDbEntityManager();
    Set<String> journeys = new LinkedHashSet<>();
    for (Job job : jobs) {
      String journey = job.getProcessInstanceId();
      if (journey != null && db.getCachedEntity(ExecutionEntity.class, journey) == null) {
        journeys.add(journey);
      }
    }
    if (journeys.size() < 2) {
      return;
    }
    List<ExecutionEntity> executions = select(db, EXECUTIONS, journeys);
    if (executions.isEmpty()) {
      return;
    }
    Map<String, List<ExecutionEntity>> executionsByJourney = new HashMap<>();
    Map<String, String> journeyOfExecution = new HashMap<>();
    Set<String> activityInstances = new LinkedHashSet<>();
    HistoryLevel historyLevel = commandContext.getProcessEngineConfiguration().getHistoryLevel();
    for (ExecutionEntity execution : executions) {
      executionsByJourney.computeIfAbsent(execution.getProcessInstanceId(), k -> new ArrayList<>()).add(execution);
      journeyOfExecution.put(execution.getId(), execution.getProcessInstanceId());
      // the start time the engine reads when the activity instance ends, if the history records it
      // (not at level none; not an event-based gateway's at relais-audit, JourneyHistory)
      if (!execution.isProcessInstanceExecution() && execution.getActivityInstanceId() != null
          && historyLevel.isHistoryEventProduced(HistoryEventTypes.ACTIVITY_INSTANCE_END, execution)) {
        activityInstances.add(execution.getActivityInstanceId());
      }
    }
    Set<String> executionIds = journeyOfExecution.keySet();
    Map<String, List<EventSubscriptionEntity>> subscriptions = new HashMap<>();
    for (EventSubscriptionEntity subscription : JourneyPrefetch.<EventSubscriptionEntity>select(db, SUBSCRIPTIONS, executionIds)) {
      subscriptions.computeIfAbsent(journeyOfExecution.get(subscription.getExecutionId()), k -> new ArrayList<>()).add(subscription);
    }
    Map<String, List<VariableInstanceEntity>> variables = new HashMap<>();
    for (VariableInstanceEntity variable : JourneyPrefetch.<VariableInstanceEntity>select(db, VARIABLES, executionIds)) {
      variables.computeIfAbsent(journeyOfExecution.get(variable.getExecutionId()), k -> new ArrayList<>()).add(variable);
    }
    Prefetched prefetched = commandContext.getSession(Prefetched.class);
    if (commandContext.getJobManager() instanceof PrefetchedJobManager) {
      Map<String, List<JobEntity>> jobsByExecution = new HashMap<>();
      executionIds.forEach(id -> jobsByExecution.put(id, new ArrayList<>()));
      for (JobEntity job : JourneyPrefetch.<JobEntity>select(db, JOBS, executionsByJourney.keySet())) {
        List<JobEntity> ofExecution = jobsByExecution.get(job.getExecutionId());
        if (ofExecution != null) {
          ofExecution.add(job);
        }
      }
      prefetched.jobsByExecution.putAll(jobsByExecution);
    }
    if (!activityInstances.isEmpty()) {
      for (Map<String, Object> row : JourneyPrefetch.<Map<String, Object>>select(db, START_TIMES, activityInstances)) {
        prefetched.startTimes.put((String) row.get("id"), (Date) row.get("startTime"));
      }
    }
    int restored = 0;
    for (Map.Entry<String, List<ExecutionEntity>> journey : executionsByJourney.entrySet()) {
      ExecutionEntity processInstance = db.getCachedEntity(ExecutionEntity.class, journey.getKey());
      if (processInstance == null) {
        continue; // a journey whose root row went meanwhile: the job's own reads will say so
      }
      processInstance.restoreProcessInstance(journey.getValue(), subscriptions.getOrDefault(journey.getKey(), List.of()),
          variables.getOrDefault(journey.getKey(), List.of()), null, null, null, null);
      restored++;
    }
    prefetched.journeysRead.addAndGet(restored);
    log.debug("Read the state of {} journeys at once ({} executions)", restored, executions.size());
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> select(DbEntityManager db, String statement, Collection<String> ids) {
    List<String> all = new ArrayList<>(ids);
    List<T> rows = new ArrayList<>();
    for (int from = 0; from < all.size(); from += IDS_PER_STATEMENT) {
      rows.addAll(db.selectList(statement, all.subList(from, Math.min(all.size(), from + IDS_PER_STATEMENT)).toArray(String[]::new)));
    }
    return rows;
  }

  /**
   * What a batch read for the engine to ask later, in this command: the jobs of each execution,
   * the start time of each activity instance. Each is answered once.
   */
  static final class Prefetched implements Session {
    final Map<String, List<JobEntity>> jobsByExecution = new HashMap<>();
    final Map<String, Date> startTimes = new HashMap<>();
    /** The plugin's count of journeys read. */
    private final AtomicLong journeysRead;

    Prefetched(AtomicLong journeysRead) {
      this.journeysRead = journeysRead;
    }

    /** This command's, if a batch read anything in it. */
    static Prefetched current() {
      CommandContext commandContext = Context.getCommandContext();
      return commandContext == null ? null : (Prefetched) commandContext.getSessions().get(Prefetched.class);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }

  /** The engine's job manager, answering an execution's jobs from the batch's read when it has them. */
  static final class PrefetchedJobManager extends JobManager {
    @Override
    public List<JobEntity> findJobsByExecutionId(String executionId) {
      Prefetched prefetched = Prefetched.current();
      List<JobEntity> jobs = prefetched == null ? null : prefetched.jobsByExecution.remove(executionId);
      return jobs != null ? jobs : super.findJobsByExecutionId(executionId);
    }
  }

  /**
   * The engine's database history handler, taking an ended activity instance's start time from the
   * batch's read when it has it; otherwise, and for every other event, the engine's code.
   */
  static final class PrefetchedStartTimes extends DbHistoryEventHandler {
    @Override
    protected void insertOrUpdate(HistoryEvent event) {
      if (event instanceof HistoricActivityInstanceEventEntity activity && event.getId() != null && !isInitialEvent(event)) {
        Prefetched prefetched = Prefetched.current();
        Date start = prefetched == null ? null : prefetched.startTimes.remove(event.getId());
        if (start != null) {
          DbEntityManager db = getDbEntityManager();
          if (db.getCachedEntity(event.getClass(), event.getId()) == null) {
            // as the engine's handler, with the start time it would have read
            activity.setStartTime(start);
            db.merge(event);
          }
          return;
        }
      }
      super.insertOrUpdate(event);
    }
  }
}
