package io.relais.platform;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ActivityTypes;
import org.camunda.bpm.engine.impl.bpmn.helper.BpmnProperties;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.core.model.CoreModelElement;
import org.camunda.bpm.engine.impl.history.HistoryLevel;
import org.camunda.bpm.engine.impl.history.HistoryLevelAudit;
import org.camunda.bpm.engine.impl.history.event.HistoryEventType;
import org.camunda.bpm.engine.impl.history.event.HistoryEventTypes;
import org.camunda.bpm.engine.impl.migration.instance.MigratingActivityInstance;
import org.camunda.bpm.engine.impl.pvm.runtime.PvmExecutionImpl;
import org.springframework.stereotype.Component;

/**
 * Registers Relais' history level, {@value #NAME}: the engine's {@code audit} level without the
 * activity instances of event-based gateways. {@code camunda.bpm.history-level} chooses it
 * (application.yml does).
 *
 * <p><b>Why.</b> Every wait of a journey ("opened within 24 h?", "a reply?") is an event-based
 * gateway, and at {@code audit} each wait costs the engine an activity instance inserted when the
 * journey arrives, read again and updated when the wait ends: two of the four activity-history
 * writes of each SMS a timer burst sends, 22 of the 118 index entries it writes (docs/performance.md).
 *
 * <p><b>What history still says.</b> Everything {@code audit} records, but the gateways' own rows.
 * Which way a wait ended is the catch event that follows it (the timer, the reply, the click), with
 * its own activity instance, whose start time is the wait's end; the wait's start is the end of
 * the activity before the gateway. A journey waiting now is shown waiting at its gateway by the
 * runtime (Cockpit, {@code RuntimeService.getActivityInstance}, camunda-bpm-assert's
 * {@code isWaitingAt}), which this level does not touch. Relais' own measures (messages,
 * engagement events, KPIs) do not read the engine's history.
 *
 * <p><b>Switching.</b> The level keeps {@code audit}'s id, 2, which the engine stores in
 * {@code ACT_GE_PROPERTY} and checks at each start: a database created at either level starts at
 * the other, with no migration. {@code camunda.bpm.history-level: audit} brings the gateways'
 * rows back for journeys from then on.
 */
@Component
public class JourneyHistory extends AbstractProcessEnginePlugin {

  /** The level's name, for {@code camunda.bpm.history-level}. */
  public static final String NAME = "relais-audit";

  /** The level itself: one instance is enough, it holds no state. */
  private static final HistoryLevel LEVEL = new WithoutGatewayWaits();

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<HistoryLevel> levels = new ArrayList<>();
    if (configuration.getCustomHistoryLevels() != null) {
      levels.addAll(configuration.getCustomHistoryLevels());
    }
    if (levels.stream().noneMatch(level -> NAME.equals(level.getName()))) {
      levels.add(LEVEL);
    }
    configuration.setCustomHistoryLevels(levels);
  }

  /** {@code audit}, less the activity instances of event-based gateways. */
  static final class WithoutGatewayWaits extends HistoryLevelAudit {

    @Override
    public String getName() {
      return NAME;
    }

    @Override
    public boolean isHistoryEventProduced(HistoryEventType eventType, Object entity) {
      if (isActivityInstanceEvent(eventType) && entity != null && isEventBasedGateway(entity)) {
        return false;
      }
      // entity null: the parser asking whether to add the history listeners at all (yes)
      return super.isHistoryEventProduced(eventType, entity);
    }

    private static boolean isActivityInstanceEvent(HistoryEventType eventType) {
      return eventType == HistoryEventTypes.ACTIVITY_INSTANCE_START
          || eventType == HistoryEventTypes.ACTIVITY_INSTANCE_END
          || eventType == HistoryEventTypes.ACTIVITY_INSTANCE_UPDATE
          || eventType == HistoryEventTypes.ACTIVITY_INSTANCE_MIGRATE;
    }

    private static boolean isEventBasedGateway(Object entity) {
      if (entity instanceof PvmExecutionImpl execution) {
        return isEventBasedGateway(execution.getActivity());
      }
      if (entity instanceof MigratingActivityInstance migrating) {
        // a gateway's instance has no row to migrate, whichever side is the gateway
        return isEventBasedGateway(migrating.getSourceScope()) || isEventBasedGateway(migrating.getTargetScope());
      }
      return false;
    }

    private static boolean isEventBasedGateway(CoreModelElement element) {
      return element != null && ActivityTypes.GATEWAY_EVENT_BASED.equals(element.getProperties().get(BpmnProperties.TYPE));
    }
  }
}
