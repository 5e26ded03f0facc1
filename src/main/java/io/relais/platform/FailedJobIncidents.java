package io.relais.platform;

import java.util.ArrayList;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.db.entitymanager.cache.CachedDbEntity;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.runtime.Incident;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The engine's handler of failed-job incidents, without the incident look-up when a job that
 * cannot have one is deleted.
 *
 * <p>The engine removes a job's failed-job incident whenever it deletes the job: every job that
 * completes runs a query for incidents configured with its id (one statement per job: per timer of
 * a burst, per reply's continuation). A job has such an incident only while its retries are 0: the
 * engine creates it when they fall to 0 and resolves it when they are raised again
 * ({@code JobEntity.setRetries}), and it acquires no job without retries. So the look-up is skipped
 * for a job of this command's cache that still has retries. A job whose retries another transaction changed
 * meanwhile fails this one's delete on its revision, so a stale cache cannot hide an incident. Any
 * other case (a job not in the cache, a job without retries, an incident resolved by raising the
 * retries) goes to the engine's own handler, unchanged.
 *
 * <p>{@code relais.engine.skip-needless-incident-lookups=false} keeps the engine's handler alone.
 */
@Component
public class FailedJobIncidents extends AbstractProcessEnginePlugin {

  private final boolean enabled;

  public FailedJobIncidents(@Value("${relais.engine.skip-needless-incident-lookups:true}") boolean enabled) {
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
    configuration.getCustomIncidentHandlers().add(new Handler());
  }

  static final class Handler extends DefaultIncidentHandler {
    Handler() {
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
}
