package io.relais.contact;

import io.relais.platform.ClusterLock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Nightly removal of inactive prospects (CNIL: 3 years), on one node of the cluster at a time. */
@Component
public class ContactRetention {

  private static final Logger log = LoggerFactory.getLogger(ContactRetention.class);

  private final ClusterLock lock;
  private final ContactPrivacy privacy;

  public ContactRetention(ClusterLock lock, ContactPrivacy privacy) {
    this.lock = lock;
    this.privacy = privacy;
  }

  @Scheduled(cron = "${relais.contact.retention-cron:0 30 3 * * *}")
  public void nightly() {
    run();
  }

  /** Runs the removal if no other node is running it; returns the number removed, -1 if skipped. */
  public int run() {
    int[] removed = {-1};
    lock.runExclusively("contact-retention", Duration.ofHours(1), () -> removed[0] = privacy.removeInactiveProspects());
    if (removed[0] > 0) {
      log.info("Retention: removed {} prospects inactive for longer than the retention period", removed[0]);
    }
    return removed[0];
  }
}
