package io.relais.inbound;

/**
 * What a customer's reply means for a journey: an {@link ReplyIntents intent}, the NPS score when
 * the intent is SCORE, the campaign keyword when it is KEYWORD.
 */
public record ReplyClassification(String intent, Integer score, String keyword) {

  static ReplyClassification of(String intent) {
    return new ReplyClassification(intent, null, null);
  }
}
