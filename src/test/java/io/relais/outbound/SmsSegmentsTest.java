package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every vector of domain-rules §4: encoding, units and segments. */
class SmsSegmentsTest {

  static Stream<Arguments> vectors() {
    String party = "\uD83C\uDF89"; // 🎉
    return Stream.of(
        Arguments.of("T01", "Bonjour", "GSM7", 7, 1),
        Arguments.of("T02", "a".repeat(160), "GSM7", 160, 1),
        Arguments.of("T03", "a".repeat(161), "GSM7", 161, 2),
        Arguments.of("T04", "a".repeat(306), "GSM7", 306, 2),
        Arguments.of("T05", "a".repeat(307), "GSM7", 307, 3),
        Arguments.of("T06a", "a".repeat(459), "GSM7", 459, 3),
        Arguments.of("T06b", "a".repeat(460), "GSM7", 460, 4),
        Arguments.of("T07a", "ê".repeat(70), "UCS2", 70, 1),
        Arguments.of("T07b", "ê".repeat(71), "UCS2", 71, 2),
        Arguments.of("T08a", "ê".repeat(134), "UCS2", 134, 2),
        Arguments.of("T08b", "ê".repeat(135), "UCS2", 135, 3),
        Arguments.of("T09a", "€".repeat(80), "GSM7", 160, 1),
        Arguments.of("T09b", "€".repeat(81), "GSM7", 162, 2),
        Arguments.of("T10a", "a".repeat(158) + "€", "GSM7", 160, 1),
        Arguments.of("T10b", "a".repeat(159) + "€", "GSM7", 161, 2),
        Arguments.of("T11", "a".repeat(152) + "€" + "a".repeat(152), "GSM7", 306, 3),
        Arguments.of("T12", "a".repeat(152) + "€" + "a".repeat(151), "GSM7", 305, 2),
        Arguments.of("T13a", "a".repeat(68) + party, "UCS2", 70, 1),
        Arguments.of("T13b", "a".repeat(69) + party, "UCS2", 71, 2),
        Arguments.of("T14", "ê".repeat(66) + party + "ê".repeat(66), "UCS2", 134, 3),
        Arguments.of("T15", "MaBoutique: -20% sur toute la collection été jusqu'à samedi ! Code ETE20 sur maboutique.fr STOP au 36180", "GSM7", 104, 1),
        Arguments.of("T16", "MaBoutique: Offre de Noël -20% jusqu'au 24/12 ! STOP au 36180", "UCS2", 61, 1),
        Arguments.of("T17", "MaBoutique: -20% jusqu’à samedi ! STOP au 36180", "UCS2", 47, 1),
        Arguments.of("T18", "Merci pour votre reçu. STOP au 36180", "UCS2", 36, 1),
        Arguments.of("T19", "ÇA ARRIVE ! STOP au 36180", "GSM7", 25, 1),
        Arguments.of("T20", "MaBoutique: 10€ offerts dès 50€ d'achat ! STOP au 36180", "GSM7", 57, 1),
        Arguments.of("T21", "Soldes\u00A0! STOP au 36180", "UCS2", 22, 1),
        Arguments.of("T-fete", "MaBoutique: fêtez la rentrée avec -30% sur les cahiers, stylos et cartables jusqu'au 15/09. STOP au 36180", "UCS2", 105, 2),
        Arguments.of("T-fete-gsm", "MaBoutique: fetez la rentrée avec -30% sur les cahiers, stylos et cartables jusqu'au 15/09. STOP au 36180", "GSM7", 105, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void countsEncodingUnitsAndSegmentsLikeTheReference(String id, String text, String encoding, int units, int segments) {
    assertThat(SmsSegments.count(text)).isEqualTo(new SmsSegments.Count(encoding, units, segments));
  }

  @Test
  void anEmptyMessageIsBilledAsOneSegment() {
    assertThat(SmsSegments.count("")).isEqualTo(new SmsSegments.Count("GSM7", 0, 1));
  }

  @Test
  void punctuationNormalisationKeepsAccentsAndBringsPromosBackToGsm7() {
    String promo = "MaBoutique\u00A0: «\u00A0-20\u00A0%\u00A0» jusqu’à samedi… – STOP au 36180";
    String normalized = SmsSegments.normalizePunctuation(promo);
    assertThat(normalized).isEqualTo("MaBoutique : \" -20 % \" jusqu'à samedi... - STOP au 36180");
    assertThat(SmsSegments.count(normalized).encoding()).isEqualTo("GSM7");
    assertThat(SmsSegments.normalizePunctuation("fêtez Noël")).isEqualTo("fêtez Noël");
  }
}
