package io.relais.inbound;

import static io.relais.inbound.InboundTestSupport.BRAND_NUMBER;
import static io.relais.inbound.InboundTestSupport.TOKEN;
import static io.relais.inbound.InboundTestSupport.assertTwiml;
import static io.relais.inbound.InboundTestSupport.encode;
import static io.relais.inbound.InboundTestSupport.form;
import static io.relais.inbound.InboundTestSupport.freshPhone;
import static io.relais.inbound.InboundTestSupport.journeyWrote;
import static io.relais.inbound.InboundTestSupport.sign;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bad and unusual webhook input: stored or refused with a reason, never a 500, never a duplicate. */
class InboundWebhookInputTest extends InboundEndToEnd {

  @Test
  void aBadSignatureIsRefusedAndNothingIsStored() {
    Map<String, String> form = form(freshPhone(), "Bonjour");
    String url = signature.publicBaseUrl() + TwilioMessageWebhook.PATH;

    assertThat(post(form, sign(url, form, "another-token")).statusCode()).isEqualTo(403);
    assertThat(post(form, null).statusCode()).isEqualTo(403);
    String signed = sign(url, form, TOKEN);
    form.put("Body", "Bonjour modifié");
    assertThat(post(form, signed).statusCode()).isEqualTo(403);
    assertThat(messageLog.findByProviderId("TWILIO", form.get("MessageSid"))).isEmpty();
  }

  @Test
  void queryParametersAreSignedInTheUrlNotAsBodyParameters() {
    Map<String, String> form = form(freshPhone(), "Bonjour");
    String pathAndQuery = TwilioMessageWebhook.PATH + "?campaign=rentree&step=2";
    String sig = sign(signature.publicBaseUrl() + pathAndQuery, form, TOKEN);
    assertTwiml(InboundTestSupport.post(port, pathAndQuery, encode(form), sig));
    assertThat(messageLog.findByProviderId("TWILIO", form.get("MessageSid"))).isPresent();
  }

  @Test
  void withoutAnAuthTokenUnsignedRequestsAreAccepted() {
    signature.useAuthToken("");
    Map<String, String> form = form(freshPhone(), "Bonjour");
    assertTwiml(post(form, null));
    assertThat(messageLog.findByProviderId("TWILIO", form.get("MessageSid"))).isPresent();
  }

  @Test
  void missingFieldsAreRefusedNamingTheField() {
    Map<String, String> noFrom = form(freshPhone(), "Bonjour");
    noFrom.remove("From");
    assertRefused(postSigned(noFrom), "From");

    Map<String, String> badFrom = form("bonjour", "Bonjour");
    assertRefused(postSigned(badFrom), "From");

    Map<String, String> noBody = form(freshPhone(), null);
    assertRefused(postSigned(noBody), "Body");

    Map<String, String> noSid = form(freshPhone(), "Bonjour");
    noSid.remove("MessageSid");
    assertRefused(postSigned(noSid), "MessageSid");

    Map<String, String> badMedia = form(freshPhone(), "Bonjour");
    badMedia.put("NumMedia", "beaucoup");
    assertRefused(postSigned(badMedia), "NumMedia");

    Map<String, String> tooLong = form(freshPhone(), "a".repeat(5000));
    assertRefused(postSigned(tooLong), "Body");

    for (Map<String, String> f : new Map[] {noFrom, badFrom, noBody, badMedia, tooLong}) {
      if (f.containsKey("MessageSid")) {
        assertThat(messageLog.findByProviderId("TWILIO", f.get("MessageSid"))).isEmpty();
      }
    }
  }

  @Test
  void mediaWithoutTextIsStoredWithItsMedia() {
    String phone = freshPhone();
    Map<String, String> form = form(phone, null);
    form.put("NumMedia", "1");
    form.put("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1");
    form.put("MediaContentType0", "image/jpeg");
    assertTwiml(postSigned(form));
    MessageRecord in = messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow();
    awaitProcessed(in.contactId());

    assertThat(jdbc.queryForObject("select content_type from inbound_media where message_id = ?", String.class, in.id())).isEqualTo("image/jpeg");
    var started = startedBy(JourneyMessages.CONVERSATION_STARTED, in.contactId());
    assertThat(started).hasSize(1);
    assertThat(variable(started.get(0).getId(), JourneyMessages.VAR_INTENT)).isEqualTo("UNKNOWN");
  }

  @Test
  void longEmojiMarkupAndSqlTextsAreStoredAsTheyCame() {
    String[] bodies = {
        "é".repeat(1600),
        "Merci 🎉🙏 c'est parfait 👍",
        "<script>alert('x')</script> <b>gras</b>",
        "Robert'); DROP TABLE message;--",
    };
    for (String body : bodies) {
      Map<String, String> form = form(freshPhone(), body);
      assertTwiml(postSigned(form));
      assertThat(messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow().body()).isEqualTo(body);
    }
    assertThat(jdbc.queryForObject("select count(*) from message", Integer.class)).isPositive();
  }

  @Test
  void invalidUtf8IsNeverAServerError() {
    signature.useAuthToken(""); // the bytes cannot be signed as text
    String sid = InboundTestSupport.sid();
    String raw = "MessageSid=" + sid + "&From=%2B" + freshPhone().substring(1) + "&To=%2B33937000001&NumMedia=0&Body=caf%C3%28%FF";
    HttpResponse<String> r = InboundTestSupport.post(port, TwilioMessageWebhook.PATH, raw, null);

    assertThat(r.statusCode()).as(r.body()).isIn(200, 400);
    if (r.statusCode() == 200) {
      assertThat(messageLog.findByProviderId("TWILIO", sid)).isPresent();
    } else {
      assertThat(r.body()).contains("field");
    }
    assertTwiml(InboundTestSupport.post(port, TwilioMessageWebhook.PATH, raw.replace("%C3%28%FF", "ok"), null));
  }

  @Test
  void aMessageToAnUnknownNumberIsStoredAndFlagged() {
    intake.useKnownSenders(Set.of(BRAND_NUMBER, "36180"));
    Map<String, String> form = form(freshPhone(), "Bonjour");
    form.put("To", "+33999999999");
    assertTwiml(postSigned(form));
    MessageRecord in = messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow();
    assertThat(in.reason()).contains("unknown To");

    Map<String, String> known = form(freshPhone(), "Bonjour");
    known.put("To", "36180");
    assertTwiml(postSigned(known));
    // not flagged (the processor may already have noted where it went: that is not a flag)
    String reason = messageLog.findByProviderId("TWILIO", known.get("MessageSid")).orElseThrow().reason();
    assertThat(reason == null ? "" : reason).doesNotContain("unknown To");
  }

  @Test
  void theTranscriptListsEveryMessageInOrderForAgents() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));
    assertTwiml(postSigned(form(phone, "Oui")));
    awaitProcessed(contactId);

    HttpResponse<String> r = InboundTestSupport.get(port, "/api/contacts/" + contactId + "/messages", "agent");
    assertThat(r.statusCode()).isEqualTo(200);
    String body = r.body();
    assertThat(body.indexOf("\"direction\":\"OUT\"")).isLessThan(body.indexOf("\"direction\":\"IN\""));
    assertThat(body).contains("\"journey\":\"inbound-test-waiting-journey\"").contains("\"step\":\"Task_Ask\"")
        .contains("\"status\":\"PROCESSED\"").contains("\"channel\":\"SMS\"");

    assertThat(InboundTestSupport.get(port, "/api/contacts/" + contactId + "/messages", null).statusCode()).isEqualTo(401);
    assertThat(InboundTestSupport.get(port, "/api/contacts/nobody-" + contactId + "/messages", "agent").statusCode()).isEqualTo(404);
  }

  HttpResponse<String> post(Map<String, String> form, String sig) {
    return InboundTestSupport.post(port, TwilioMessageWebhook.PATH, encode(form), sig);
  }

  static void assertRefused(HttpResponse<String> r, String field) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("\"field\":\"" + field + "\"");
  }

}
