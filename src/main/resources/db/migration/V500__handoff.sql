-- One row per handoff of a conversation to a human: who, why, which queue, and the times that
-- make the KPIs (time to claim, time to first agent response, resolution). A row without
-- resolved_at means a human owns the conversation: the bot sends nothing automatically.
create table handoff (
  id                  varchar(36)   primary key,
  contact_id          varchar(64)   not null,
  process_instance_id varchar(64)   not null,
  reason              varchar(500),
  queue               varchar(100)  not null,
  channel             varchar(10),
  agent               varchar(100),
  out_of_hours        boolean       default false not null,
  created_at          timestamp     not null,
  claimed_at          timestamp,
  holding_sent_at     timestamp,
  escalated_at        timestamp,
  first_response_at   timestamp,
  resolved_at         timestamp,
  resolution          varchar(16)
);
create unique index ux_handoff_instance on handoff (process_instance_id);
create index ix_handoff_contact on handoff (contact_id, resolved_at);
create index ix_handoff_created on handoff (created_at);
