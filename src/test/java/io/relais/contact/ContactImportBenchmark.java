package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Imports 100,000 generated lines (contact + one SMS grant each) and prints lines per second.
 * A benchmark, not a test: excluded by default; run it with
 * {@code ./mvnw -o test -Dtest=ContactImportBenchmark -Dsurefire.excludedGroups=none}.
 */
@Tag("benchmark")
@RelaisSpringTest
class ContactImportBenchmark {

  private static final int LINES = 100_000;

  @Autowired ContactImport imports;

  @Test
  void import100kLines() {
    String run = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000), 36);
    int phoneBase = ThreadLocalRandom.current().nextInt(10) * 1_000_000;
    InputStream generated = new InputStream() {
      int line = -1;
      byte[] current = ("id,phone,email,firstName,sms_marketing,consent_source,consent_collected_at\n").getBytes(StandardCharsets.UTF_8);
      int pos = 0;

      @Override
      public int read() {
        if (pos == current.length) {
          if (++line >= LINES) {
            return -1;
          }
          current = ("bench-" + run + "-" + line + ",+3375" + String.format("%07d", phoneBase + line) + ",b" + line + "-" + run
              + "@exemple.fr,Prénom" + line + ",GRANTED,https://boutique.example/form,2025-06-01T12:00:00Z\n")
              .getBytes(StandardCharsets.UTF_8);
          pos = 0;
        }
        return current[pos++] & 0xff;
      }
    };
    long start = System.nanoTime();
    ContactImport.Report report = imports.importCsv(generated, null, "benchmark");
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("ContactImportBenchmark: %d lines in %.1f s = %.0f lines/s (imported %d, rejected %d)%n",
        report.lines(), seconds, report.lines() / seconds, report.imported(), report.rejectedCount());
    assertThat(report.imported()).isEqualTo(LINES);
  }
}
