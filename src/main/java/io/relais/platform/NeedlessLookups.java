package io.relais.platform;

import java.util.ArrayList;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.db.entitymanager.cache.CachedDbEntity;
import org.camunda.bpm.engine.impl.event.EventType;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionManager;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.runtime.Incident;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Two look-ups the engine runs for every job it completes and every message subscription it
 * removes, skipped where the engine's own rules say they cannot find anything. Each is a query per
 * timer of a burst and per reply; everything else goes to the engine's code, unchanged.
 *
 * <p><b>A failed-job incident of a job that still has retries.</b> The engine removes a job's
 * failed-job incident whenever it deletes the job: every job that completes runs a query for
 * incidents configured with its id. A job has such an incident only while its retries are 0: the
 * engine creates it when they fall to 0 and resolves it when they are raised again
 * ({@code JobEntity.setRetries}), and it acquires no job without retries. So the look-up is skipped
 * for a job of this command's cache that still has retries. A job whose retries another
 * transaction changed meanwhile fails this one's delete on its revision, so a stale cache cannot
 * hide an incident. Any other case (a job not in the cache, a job without retries, an incident
 * resolved by raising the retries) goes to the engine's own handler.
 *
 * <p><b>The asynchronous event jobs of a message subscription.</b> Removing an event subscription,
 * the engine looks for the jobs that would deliver an event to it asynchronously (handler {@code
 * event}). The engine creates such jobs only for a signal thrown asynchronously and for an
 * asynchronous compensation; a message is always delivered in the caller's transaction
 * ({@code MessageEventReceivedCmd}). So a message subscription (an event-based gateway's
 * branches, a reply's wait, an "opted out" event sub-process) is removed without that query; the
 * other types as the engine does.
 *
 * <p>{@code relais.engine.skip-needless-lookups=false} keeps the engine's code alone.
 */
@Component
public class NeedlessLookups extends AbstractProcessEnginePlugin {

  private final boolean enabled;

  public NeedlessLookups(@Value("${relais.engine.skip-needless-lookups:true}") boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (!enabled) {
      return;
    }
    if (configuration.getCustomIncidentHandlers() == null) {
      configuration.setCustomIncidentHandlers(new ArrayList<>());
    }
    // registered after the engine's default for the type, so it replaces it (composite handlers off)
    configuration.getCustomIncidentHandlers().add(new FailedJobIncidentHandler());
    // likewise replaces the engine's factory of the manager, by its session type
    EngineSessions.register(configuration, EventSubscriptionManager.class, MessageSubscriptions::new);
  }

  static final class FailedJobIncidentHandler extends DefaultIncidentHandler {
    FailedJobIncidentHandler() {
      super(Incident.FAILED_JOB_HANDLER_TYPE);
    }

    @Override
    protected void removeIncident(IncidentContext context, boolean incidentResolved) {
      if (!cannotHaveIncident(context)) {
        super.removeIncident(context, incidentResolved);
      }
    }

    /** Whether the job the context names is in this command's cache and cannot have an incident. */
    static boolean cannotHaveIncident(IncidentContext context) {
      CommandContext command = Context.getCommandContext();
      if (command == null || context.getConfiguration() == null) {
        return false;
      }
      CachedDbEntity cached = command.getDbEntityManager().getDbEntityCache()
          .getCachedEntity(JobEntity.class, context.getConfiguration());
      if (cached == null || !(cached.getEntity() instanceof JobEntity job)) {
        return false;
      }
      return job.getRetries() > 0;
    }
  }

  static final class MessageSubscriptions extends EventSubscriptionManager {
    @Override
    public void deleteEventSubscription(EventSubscriptionEntity subscription) {
      if (subscription.isSubscriptionForEventType(EventType.MESSAGE)) {
        getDbEntityManager().delete(subscription); // no asynchronous event job can name it
      } else {
        super.deleteEventSubscription(subscription);
      }
    }
  }
}
