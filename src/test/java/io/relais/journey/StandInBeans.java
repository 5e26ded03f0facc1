package io.relais.journey;

import io.relais.contact.Channel;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.Purpose;
import java.text.Normalizer;
import java.util.Locale;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * STAND-INS for journey tests only, each registered only while the real bean is missing (the
 * inbound helper's {@code classifyReply}, the contact helper's {@link ConsentPolicy}). Remove once
 * both have landed on main.
 */
@Configuration(proxyBeanMethods = false)
class StandInBeans {

  /** Contact ids starting with this prefix have WhatsApp marketing consent in the stand-in. */
  static final String WHATSAPP_OPTED_IN_PREFIX = "wa-";

  @Bean
  @ConditionalOnMissingBean(ConsentPolicy.class)
  ConsentPolicy standInConsentPolicy() {
    return (contactId, channel, purpose) -> {
      if (purpose == Purpose.TRANSACTIONAL) {
        return ConsentVerdict.NOT_REQUIRED;
      }
      boolean whatsapp = channel == Channel.WHATSAPP && contactId.startsWith(WHATSAPP_OPTED_IN_PREFIX);
      return whatsapp || channel != Channel.WHATSAPP ? ConsentVerdict.GRANTED : ConsentVerdict.NO_GRANT;
    };
  }

  @Bean(name = "classifyReply")
  @ConditionalOnMissingBean(name = "classifyReply")
  JavaDelegate standInClassifyReply() {
    return execution -> {
      Object raw = execution.getVariable(JourneyMessages.VAR_REPLY_TEXT);
      String text = Normalizer.normalize(raw == null ? "" : raw.toString(), Normalizer.Form.NFD)
          .replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT).trim();
      String intent = "UNKNOWN";
      Object score = null;
      Object keyword = null;
      if (text.matches("(10|[0-9])[ .!]*")) {
        intent = "SCORE";
        score = Integer.valueOf(text.replaceAll("[^0-9]", ""));
      } else if (text.startsWith("quiz")) {
        intent = "KEYWORD";
        keyword = "QUIZ";
      } else if (text.contains("conseiller") || text.contains("humain")) {
        intent = "HUMAN";
      } else if (text.contains("decu") || text.contains("arnaque") || text.contains("rembours")) {
        intent = "NEGATIVE";
      } else if (text.contains("retour")) {
        intent = "RETURN";
      } else if (text.contains("absent") || text.contains("adresse")) {
        intent = "ADDRESS_CHANGE";
      } else if (text.contains("commande") && (text.contains("ou en est") || text.contains("suivi"))) {
        intent = "ORDER_STATUS";
      } else if (text.matches("(oui|yes|ok)\\b.*")) {
        intent = "YES";
      } else if (text.matches("(non|no)\\b.*")) {
        intent = "NO";
      } else if (text.contains("?")) {
        intent = "QUESTION";
      }
      execution.setVariable("intent", intent);
      execution.setVariable("score", score);
      execution.setVariable("keyword", keyword);
    };
  }
}
