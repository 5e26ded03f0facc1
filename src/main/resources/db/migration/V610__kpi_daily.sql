-- Analytics: the daily summary of engagement_event that the KPI queries read instead of the raw
-- events (docs/analytics.md, "Daily summary"). One row per day (server time zone) × journey × step
-- × channel × variant, and the same per segment in kpi_daily_segment. A missing dimension is ''.
-- EngagementEvents adds every event to both tables in the transaction that records it, so the
-- summary is always exactly the sum of the committed events, on any number of nodes.
create table kpi_daily (
  event_day            date          not null,
  journey_key          varchar(255)  not null,
  step_id              varchar(255)  not null,
  channel              varchar(10)   not null,
  variant              varchar(64)   not null,
  sent                 bigint        not null,
  delivered            bigint        not null,
  failed               bigint        not null,
  openers              bigint        not null,
  clickers             bigint        not null,
  orders               bigint        not null,
  opt_outs             bigint        not null,
  repliers             bigint        not null,
  repliers_who_ordered bigint        not null,
  handoffs             bigint        not null,
  nps_responses        bigint        not null,
  promoters            bigint        not null,
  detractors           bigint        not null,
  held_out             bigint        not null,
  revenue              decimal(18, 2) not null,
  cost                 decimal(18, 5) not null,
  primary key (event_day, journey_key, step_id, channel, variant)
);
create index ix_kpi_daily_journey on kpi_daily (journey_key, step_id, event_day);

create table kpi_daily_segment (
  event_day            date          not null,
  journey_key          varchar(255)  not null,
  step_id              varchar(255)  not null,
  channel              varchar(10)   not null,
  variant              varchar(64)   not null,
  segment              varchar(100)  not null,
  sent                 bigint        not null,
  delivered            bigint        not null,
  failed               bigint        not null,
  openers              bigint        not null,
  clickers             bigint        not null,
  orders               bigint        not null,
  opt_outs             bigint        not null,
  repliers             bigint        not null,
  repliers_who_ordered bigint        not null,
  handoffs             bigint        not null,
  nps_responses        bigint        not null,
  promoters            bigint        not null,
  detractors           bigint        not null,
  held_out             bigint        not null,
  revenue              decimal(18, 2) not null,
  cost                 decimal(18, 5) not null,
  primary key (event_day, journey_key, step_id, channel, variant, segment)
);
create index ix_kpi_daily_segment on kpi_daily_segment (segment, event_day);
create index ix_kpi_daily_segment_journey on kpi_daily_segment (journey_key, step_id, event_day);
-- The events recorded before this migration are added by db.migration.V612__kpi_daily_backfill.
