-- Every message in and out of Relais, the transcript of each contact's conversations.
create table message (
  id                  varchar(36)   primary key,
  contact_id          varchar(64)   not null,
  direction           varchar(3)    not null,
  channel             varchar(10)   not null,
  category            varchar(16),
  status              varchar(24)   not null,
  body                varchar(100000),
  from_address        varchar(320),
  to_address          varchar(320),
  provider            varchar(16),
  provider_id         varchar(128),
  idempotency_key     varchar(255),
  process_instance_id varchar(64),
  journey_key         varchar(255),
  journey_version     integer,
  step_id             varchar(255),
  variant             varchar(64),
  segments            integer,
  encoding            varchar(8),
  cost                decimal(12, 5),
  reason              varchar(1000),
  error_code          varchar(32),
  created_at          timestamp     not null,
  updated_at          timestamp     not null
);
create unique index ux_message_provider_id on message (provider, provider_id);
create unique index ux_message_idempotency on message (idempotency_key);
create index ix_message_contact on message (contact_id, created_at);
create index ix_message_instance on message (process_instance_id);
