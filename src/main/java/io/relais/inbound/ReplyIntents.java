package io.relais.inbound;

/** The built-in intents a journey's exclusive gateway can branch on (values of {@code intent}). */
public final class ReplyIntents {

  public static final String YES = "YES";
  public static final String NO = "NO";
  public static final String SCORE = "SCORE";
  public static final String ORDER_STATUS = "ORDER_STATUS";
  public static final String ADDRESS_CHANGE = "ADDRESS_CHANGE";
  public static final String RETURN = "RETURN";
  public static final String HELP = "HELP";
  public static final String HUMAN = "HUMAN";
  public static final String NEGATIVE = "NEGATIVE";
  public static final String QUESTION = "QUESTION";
  public static final String UNKNOWN = "UNKNOWN";
  /** A campaign keyword of the DMN table; the keyword itself is in {@code keyword}. */
  public static final String KEYWORD = "KEYWORD";

  /** Process variables written with the intent. */
  public static final String VAR_SCORE = "score";
  public static final String VAR_KEYWORD = "keyword";

  /** The decision (processes/reply-intent.dmn) marketers edit. */
  public static final String DECISION_KEY = "replyIntent";

  private ReplyIntents() {}
}
