package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.support.RelaisSpringTest;
import io.relais.web.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** CSV import: good lines kept, bad ones reported by line, idempotent re-import, huge lines, progress. */
@RelaisSpringTest
@SuppressWarnings("unchecked")
class ContactImportTest {

  static final String HEADER = "id,phone,email,firstName,lastName,locale,timeZone,postalCode,sms_marketing,email_marketing,"
      + "consent_source,consent_wording,consent_wording_version,consent_collected_at,consent_ip\n";

  @Autowired ContactImport imports;
  @Autowired ContactDirectory directory;
  @Autowired ConsentPolicy policy;
  @Autowired ConsentLedger ledger;
  @Autowired SuppressionList suppression;
  @Autowired TestRestTemplate rest;

  private static InputStream csv(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void goodLinesAreKeptBadOnesReportedAndReImportChangesNothing() {
    String a = ConsentLedgerTest.freshId();
    String b = ConsentLedgerTest.freshId();
    String c = ConsentLedgerTest.freshId();
    String phoneA = ConsentLedgerTest.freshMobile();
    String suppressed = ConsentLedgerTest.freshMobile();
    suppression.add("PHONE", suppressed, SuppressionList.REASON_ERASED);
    String file = HEADER
        + a + "," + "0" + phoneA.substring(3) + ",a-" + a + "@exemple.fr,Alice,Durand,fr-FR,,67000,GRANTED,,"
        + "https://boutique.example/form,\"J'accepte, par SMS\",v2,2025-01-15T10:00:00Z,198.51.100.4\n"
        + b + ",+262692" + phoneA.substring(6) + ",,Bruno,,,,,WITHDRAWN,GRANTED,salon-2025,Carte papier,v1,2025-02-01,\n"
        + ConsentLedgerTest.freshId() + ",06 12,,,,,,,,,,,,,\n"                       // line 4: bad phone
        + ConsentLedgerTest.freshId() + ",,pas-un-email,,,,,,,,,,,,\n"                 // line 5: bad email
        + ConsentLedgerTest.freshId() + "," + ConsentLedgerTest.freshMobile() + ",,,,,,,MAYBE,,,,,,\n" // 6
        + ConsentLedgerTest.freshId() + "," + ConsentLedgerTest.freshMobile() + ",,,,,,,GRANTED,,,,,,\n" // 7: no source
        + ConsentLedgerTest.freshId() + "," + suppressed + ",,,,,,,,,,,,,\n"           // 8: suppressed
        + "too,few,fields\n"                                                           // 9
        + "\n"
        + c + ",,c-" + c + "@exemple.fr,Chloé,,,America/Cayenne,,,,,,,,\n";          // 11
    ContactImport.Report first = imports.importCsv(csv(file), null, "test");

    assertThat(first.imported()).isEqualTo(3);
    assertThat(first.rejected()).extracting(r -> r.line() + ":" + r.field())
        .containsExactly("4:phone", "5:email", "6:sms_marketing", "7:consent_source", "8:phone", "9:null");
    assertThat(first.rejected().get(4).reason()).isEqualTo("SUPPRESSED");
    assertThat(directory.find(a).orElseThrow().holidayZone()).isEqualTo(HolidayZone.ALSACE_MOSELLE);
    assertThat(directory.find(b).orElseThrow().timeZone().getId()).isEqualTo("Indian/Reunion");
    assertThat(directory.find(c).orElseThrow().firstName()).isEqualTo("Chloé");
    assertThat(policy.check(a, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(policy.check(b, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);
    assertThat(policy.check(b, Channel.EMAIL, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    ConsentEvent proof = ledger.history(a).get(0);
    assertThat(proof.method()).isEqualTo(ConsentMethod.IMPORT);
    assertThat(proof.wording()).isEqualTo("J'accepte, par SMS");
    assertThat(proof.ip()).isEqualTo("198.51.100.4");
    assertThat(proof.occurredAt()).isEqualTo("2025-01-15T10:00:00Z");

    ContactImport.Report again = imports.importCsv(csv(file), null, "test");
    assertThat(again.imported()).isZero();
    assertThat(again.updated()).isZero();
    assertThat(again.unchanged()).isEqualTo(3);
    assertThat(again.rejectedCount()).isEqualTo(6);
    assertThat(ledger.history(a)).hasSize(1);
    assertThat(ledger.history(b)).hasSize(2);
  }

  @Test
  void aTenMegabyteLineIsReportedWithoutStoppingTheImport() {
    String before = ConsentLedgerTest.freshId();
    String after = ConsentLedgerTest.freshId();
    InputStream huge = new InputStream() {
      long left = 10L * 1024 * 1024;

      @Override
      public int read() {
        if (left-- > 0) {
          return 'x';
        }
        return left == -1 ? '\n' : -1;
      }
    };
    InputStream file = new SequenceInputStream(java.util.Collections.enumeration(List.of(
        csv("id,phone,firstName\n" + before + "," + ConsentLedgerTest.freshMobile() + ",Avant\n"), huge,
        csv(after + "," + ConsentLedgerTest.freshMobile() + ",Après\n"))));
    ContactImport.Report report = imports.importCsv(file, null, "test");
    assertThat(report.imported()).isEqualTo(2);
    assertThat(report.rejected()).singleElement().satisfies(r -> {
      assertThat(r.line()).isEqualTo(3);
      assertThat(r.reason()).contains("longer than");
    });
    assertThat(directory.find(after).orElseThrow().firstName()).isEqualTo("Après");
  }

  @Test
  void aBadHeaderIsRefusedBeforeAnythingIsWritten() {
    assertThatThrownBy(() -> imports.importCsv(csv("id,phone,shoeSize\nx,+33612345678,42\n"), null, "test"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("shoeSize").hasMessageContaining("Line 1");
    assertThatThrownBy(() -> imports.importCsv(csv(""), null, "test")).isInstanceOf(InvalidInputException.class);

    HttpHeaders h = new HttpHeaders();
    h.setContentType(MediaType.parseMediaType("text/csv"));
    var response = rest.withBasicAuth("admin", "admin").exchange("/api/contacts/import", HttpMethod.POST,
        new HttpEntity<>("firstName\nAnne\n", h), Map.class);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(response.getBody()).containsEntry("field", "header");
  }

  @Test
  void progressIsVisibleFromAnotherRequestWhileTheImportRuns() throws Exception {
    String importId = "progress-" + UUID.randomUUID();
    PipedOutputStream writer = new PipedOutputStream();
    PipedInputStream reader = new PipedInputStream(writer, 1 << 16);
    CompletableFuture<ContactImport.Report> running =
        CompletableFuture.supplyAsync(() -> imports.importCsv(reader, importId, "test"));
    writer.write("id,phone\n".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 600; i++) {
      writer.write((ConsentLedgerTest.freshId() + "," + ConsentLedgerTest.freshMobile() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    writer.flush();
    Map<String, Object> progress = Map.of();
    for (int i = 0; i < 300 && ((Number) progress.getOrDefault("lines", 0)).intValue() < 500; i++) {
      Thread.sleep(100);
      var response = rest.withBasicAuth("marketer", "marketer").getForEntity("/api/contacts/imports/" + importId, Map.class);
      progress = response.getStatusCode() == HttpStatus.OK ? response.getBody() : Map.of();
    }
    assertThat(progress).containsEntry("status", "RUNNING");
    assertThat(((Number) progress.get("lines")).intValue()).isGreaterThanOrEqualTo(500);
    writer.close();
    ContactImport.Report done = running.get(60, TimeUnit.SECONDS);
    assertThat(done.status()).isEqualTo("DONE");
    assertThat(done.lines()).isEqualTo(600);
    var finalProgress = rest.withBasicAuth("admin", "admin").getForEntity("/api/contacts/imports/" + importId, Map.class).getBody();
    assertThat(finalProgress).containsEntry("status", "DONE").containsEntry("lines", 600);
  }

  @Test
  void importOverHttpReturnsTheReport() {
    String id = ConsentLedgerTest.freshId();
    HttpHeaders h = new HttpHeaders();
    h.setContentType(MediaType.parseMediaType("text/csv; charset=utf-8"));
    var response = rest.withBasicAuth("integration", "integration").exchange("/api/contacts/import", HttpMethod.POST,
        new HttpEntity<>("id;phone;email\n" + id + ";" + ConsentLedgerTest.freshMobile() + ";\n;;\n", h), Map.class);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody()).containsEntry("imported", 1).containsEntry("rejectedCount", 1);
    assertThat((List<Map<String, Object>>) response.getBody().get("rejected")).singleElement()
        .satisfies(r -> assertThat(r).containsEntry("line", 3));
  }
}
