-- Outbound: when a deferred message is due, per-contact send guard rows (frequency caps are
-- counted under their lock), per-sender throughput state, tracked short links, and the provider
-- events already processed (duplicate callbacks change nothing).
alter table message add column not_before timestamp;

create table send_guard (
  contact_id varchar(64) not null,
  channel    varchar(10) not null,
  locked_at  timestamp   not null,
  primary key (contact_id, channel)
);

-- Generic cell rate algorithm: the theoretical arrival time of the next segment of a sender.
create table sender_rate (
  sender    varchar(320) primary key,
  next_free timestamp    not null
);

create table short_link (
  code                varchar(16)   primary key,
  message_id          varchar(36)   not null,
  contact_id          varchar(64)   not null,
  channel             varchar(10)   not null,
  url                 varchar(4000) not null,
  journey_key         varchar(255),
  process_instance_id varchar(64),
  click_count         integer       not null,
  first_clicked_at    timestamp,
  last_clicked_at     timestamp,
  created_at          timestamp     not null
);
create index ix_short_link_message on short_link (message_id);

create table provider_event (
  provider    varchar(16)  not null,
  event_id    varchar(128) not null,
  received_at timestamp    not null,
  primary key (provider, event_id)
);

create index ix_message_contact_channel on message (contact_id, channel, direction, created_at);
