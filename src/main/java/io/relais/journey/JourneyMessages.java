package io.relais.journey;

/** BPMN message names and process variables shared by journeys and the Java that drives them. */
public final class JourneyMessages {

  // Waits inside journeys.
  public static final String CUSTOMER_REPLY = "CustomerReply";
  public static final String EMAIL_OPENED = "EmailOpened";
  public static final String LINK_CLICKED = "LinkClicked";
  public static final String ORDER_PLACED = "OrderPlaced";
  public static final String OPTED_OUT = "OptedOut";

  // Start events (business events).
  public static final String CART_ABANDONED = "CartAbandoned";
  public static final String ORDER_SHIPPED = "OrderShipped";
  public static final String FIRST_PURCHASE = "FirstPurchase";
  public static final String NPS_REQUESTED = "NpsRequested";
  public static final String CONVERSATION_STARTED = "ConversationStarted";
  public static final String KEYWORD_RECEIVED = "KeywordReceived";
  public static final String DOUBLE_OPT_IN_REQUESTED = "DoubleOptInRequested";

  // Variables set with CustomerReply.
  public static final String VAR_REPLY_TEXT = "replyText";
  public static final String VAR_REPLY_CHANNEL = "replyChannel";
  public static final String VAR_REPLY_MESSAGE_ID = "replyMessageId";
  public static final String VAR_REPLY_RECEIVED_AT = "replyReceivedAt";
  public static final String VAR_INTENT = "intent";

  // Set by send steps.
  public static final String VAR_SEND_OUTCOME = "sendOutcome";
  public static final String VAR_SEND_REASON = "sendReason";

  /** The business key of every journey instance is the contact id. */
  public static final String VAR_CONTACT_ID = "contactId";

  private JourneyMessages() {}
}
