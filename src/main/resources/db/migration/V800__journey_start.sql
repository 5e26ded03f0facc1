-- Bulk journey starts (POST /api/journeys/starts): one row per journey started through the bulk
-- path, so that a backend system repeating a request (time-out, retry) never starts a journey twice
-- for the same contact, start message and request key.
create table journey_start (
  message_name        varchar(255) not null,
  business_key        varchar(64)  not null,
  request_key         varchar(255) not null,
  process_instance_id varchar(64)  not null,
  started_at          timestamp    not null,
  primary key (message_name, business_key, request_key)
);
create index ix_journey_start_started_at on journey_start (started_at);
