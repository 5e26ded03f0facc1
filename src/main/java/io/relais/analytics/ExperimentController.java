package io.relais.analytics;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/experiments}: the A/B tests found in the events, with their z-tests and winners. */
@RestController
public class ExperimentController {

  private final ExperimentResults results;

  public ExperimentController(ExperimentResults results) {
    this.results = results;
  }

  @GetMapping("/api/experiments")
  public List<ExperimentResults.Experiment> experiments(
      @RequestParam(required = false) String journey, @RequestParam(required = false) String step,
      @RequestParam(required = false) String metric, @RequestParam(required = false) String from,
      @RequestParam(required = false) String to) {
    ExperimentResults.Metric m = KpiController.choice(ExperimentResults.Metric.class, "metric", metric, "click, reply, order");
    KpiFilter period = KpiController.filter(journey, step, null, null, null, from, to, null);
    return results.experiments(period.journey(), period.step(), m == null ? ExperimentResults.Metric.CLICK : m, period.from(),
        period.to());
  }
}
