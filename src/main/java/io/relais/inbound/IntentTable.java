package io.relais.inbound;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionRuleResult;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;

/**
 * One parsed version of the {@code replyIntent} decision table, evaluated in memory (no engine
 * history per message), with the vocabulary of its rules so that one-letter typos of marketers'
 * words can be corrected before matching.
 */
final class IntentTable {

  private static final DmnEngine DMN = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
  private static final Pattern INPUT_ENTRY = Pattern.compile("<(?:\\w+:)?inputEntry[^>]*>\\s*<(?:\\w+:)?text>(.*?)</", Pattern.DOTALL);
  private static final Pattern STRING_LITERAL = Pattern.compile("\"([^\"]+)\"");

  private static final int MAX_REMEMBERED = 10_000;

  private final DmnDecision decision;
  private final Set<String> vocabulary;
  private final java.util.concurrent.ConcurrentHashMap<String, Optional<ReplyClassification>> answers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private IntentTable(DmnDecision decision, Set<String> vocabulary) {
    this.decision = decision;
    this.vocabulary = vocabulary;
  }

  static IntentTable parse(InputStream dmnXml) {
    try (dmnXml) {
      String xml = new String(dmnXml.readAllBytes(), StandardCharsets.UTF_8);
      DmnDecision decision =
          DMN.parseDecision(ReplyIntents.DECISION_KEY, new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
      Set<String> words = new HashSet<>();
      Matcher entries = INPUT_ENTRY.matcher(xml);
      while (entries.find()) {
        Matcher literal = STRING_LITERAL.matcher(entries.group(1).replace("&quot;", "\""));
        while (literal.find()) {
          for (String w : TextNormalizer.words(TextNormalizer.normalize(literal.group(1)))) {
            words.add(w);
          }
        }
      }
      return new IntentTable(decision, Set.copyOf(words));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The first matching rule for an already normalised text (replies repeat: "OUI", "2", "STOP"...: answers are kept). */
  Optional<ReplyClassification> evaluate(String normalized) {
    Optional<ReplyClassification> known = answers.get(normalized);
    if (known != null) {
      return known;
    }
    Optional<ReplyClassification> answer = evaluateTable(normalized);
    if (answers.size() >= MAX_REMEMBERED) {
      answers.clear(); // a crude bound: the table is cheap to ask again, memory must not grow with the texts
    }
    answers.put(normalized, answer);
    return answer;
  }

  /** The FEEL engine parses the table's expressions at each evaluation: milliseconds per reply. */
  private Optional<ReplyClassification> evaluateTable(String normalized) {
    DmnDecisionTableResult result = DMN.evaluateDecisionTable(decision, Map.of("text", normalized));
    DmnDecisionRuleResult first = result.getFirstResult();
    if (first == null || first.get("intent") == null) {
      return Optional.empty();
    }
    String keyword = (String) first.get("keyword");
    return Optional.of(new ReplyClassification((String) first.get("intent"), null, keyword == null || keyword.isBlank() ? null : keyword));
  }

  Set<String> vocabulary() {
    return vocabulary;
  }
}
