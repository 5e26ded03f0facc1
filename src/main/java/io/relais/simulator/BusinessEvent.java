package io.relais.simulator;

import io.relais.journey.JourneyMessages;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The business events a shop would send that the bundled journeys react to, with the sample data a
 * shop would send with them. All but the order start a journey; the order reaches running ones.
 */
public enum BusinessEvent {
  CART_ABANDONED(JourneyMessages.CART_ABANDONED, true),
  ORDER_SHIPPED(JourneyMessages.ORDER_SHIPPED, true),
  FIRST_PURCHASE(JourneyMessages.FIRST_PURCHASE, true),
  ORDER_PLACED(JourneyMessages.ORDER_PLACED, false),
  NPS_REQUESTED(JourneyMessages.NPS_REQUESTED, true);

  private static final String SHOP = "https://boutique.example";

  private final String messageName;
  private final boolean startsJourney;

  BusinessEvent(String messageName, boolean startsJourney) {
    this.messageName = messageName;
    this.startsJourney = startsJourney;
  }

  /** The BPMN message name, as a backend would pass it to {@code POST /engine-rest/message}. */
  public String messageName() {
    return messageName;
  }

  public boolean startsJourney() {
    return startsJourney;
  }

  /** Plausible data for this event: no personal data, the contact id only. */
  Map<String, Object> sampleData(String contactId, Instant now) {
    String ref = Long.toString(ThreadLocalRandom.current().nextLong(100_000, 1_000_000));
    Map<String, Object> v = new LinkedHashMap<>();
    v.put(JourneyMessages.VAR_CONTACT_ID, contactId);
    switch (this) {
      case CART_ABANDONED -> {
        v.put("cartId", "PANIER-" + ref);
        v.put("cartAmount", 89.90);
        v.put("currency", "EUR");
        v.put("cartItems", "Sac cabas en cuir camel, Pochette assortie");
        v.put("cartUrl", SHOP + "/panier/PANIER-" + ref);
        v.put("guideUrl", SHOP + "/guide/sacs");
      }
      case ORDER_SHIPPED -> {
        v.put("orderId", "CMD-" + ref);
        v.put("carrier", "Colissimo");
        v.put("trackingNumber", "6A" + ref + "12345");
        v.put("trackingUrl", SHOP + "/suivi/CMD-" + ref);
        v.put("deliveryDate", LocalDate.ofInstant(now, ZoneId.of("Europe/Paris")).plusDays(2).toString());
      }
      case FIRST_PURCHASE -> {
        v.put("orderId", "CMD-" + ref);
        v.put("productName", "Cafetière à piston 1 L");
        v.put("tipsUrl", SHOP + "/conseils/cafetiere-a-piston");
        v.put("tutorialUrl", SHOP + "/tutoriels/cafetiere-a-piston");
        v.put("crossSellUrl", SHOP + "/cafes/selection");
        v.put("orderAmount", 39.90);
        v.put("currency", "EUR");
      }
      case ORDER_PLACED -> {
        v.put("orderId", "CMD-" + ref);
        v.put("orderAmount", 89.90);
        v.put("currency", "EUR");
      }
      case NPS_REQUESTED -> {
        v.put("orderId", "CMD-" + ref);
        v.put("surveyTopic", "votre dernière commande");
        v.put("reviewUrl", SHOP + "/avis/CMD-" + ref);
      }
    }
    return v;
  }
}
