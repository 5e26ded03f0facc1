-- Messages recorded in the transaction of the journey that sends them (a send step right after a
-- start event: docs/outbound.md, "At a journey's start"), waiting for the dispatcher to hand them
-- to Twilio or SendGrid after that transaction committed. The message row (status QUEUED) holds
-- the text, the addresses and the ids; this row holds what the provider call needs besides, the
-- attempts made, and when the next one is due. It is deleted when a dispatcher claims the message.
create table message_outbox (
  message_id   varchar(36)   primary key,
  subject      varchar(1000),
  html         varchar(200000),
  content_sid  varchar(64),
  attempts     integer       not null,
  due_at       timestamp     not null
);
create index ix_message_outbox_due on message_outbox (due_at);
