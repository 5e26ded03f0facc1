package io.relais.contact;

/** Why a message is sent. Marketing needs a current grant for the channel; transactional does not but honours an explicit withdrawal. */
public enum Purpose {
  MARKETING,
  TRANSACTIONAL
}
