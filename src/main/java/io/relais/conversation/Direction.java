package io.relais.conversation;

/** Whether a message went to the customer (OUT) or came from them (IN). */
public enum Direction {
  IN,
  OUT
}
