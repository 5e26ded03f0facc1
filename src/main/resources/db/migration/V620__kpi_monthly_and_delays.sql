-- Analytics: the coarser summaries the KPI queries read for long periods (docs/analytics.md,
-- "Performance"). Maintained, like kpi_daily, in the transaction that records each event.
--
-- kpi_monthly / kpi_monthly_segment: kpi_daily / kpi_daily_segment per month instead of per day
-- (event_day is the month's first day), so that a year reads 12 rows per group instead of 365.
create table kpi_monthly (
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
create index ix_kpi_monthly_journey on kpi_monthly (journey_key, step_id, event_day);

create table kpi_monthly_segment (
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
create index ix_kpi_monthly_segment on kpi_monthly_segment (segment, event_day);
create index ix_kpi_monthly_segment_journey on kpi_monthly_segment (journey_key, step_id, event_day);

-- kpi_daily_cv / kpi_daily_cv_segment: kpi_daily / kpi_daily_segment summed over journeys and steps
-- (day × channel × variant), for the queries without a journey that group by day or week over long
-- periods (a year by day reads 8 rows a day instead of 800).
create table kpi_daily_cv (
  event_day            date          not null,
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
  primary key (event_day, channel, variant)
);

create table kpi_daily_cv_segment (
  event_day            date          not null,
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
  primary key (event_day, channel, variant, segment)
);
create index ix_kpi_daily_cv_segment on kpi_daily_cv_segment (segment, event_day);

-- kpi_delay: log-bucket histograms (io.relais.analytics.DelayHistogram) of the customer reply delays
-- (kind 'R') and agent first-response delays ('A'), n delays per bucket, per day (grain 'D') and per
-- month ('M'), in several roll-ups (KpiDailySummary.Rollup: which dimensions a row keeps; the others
-- are ''), so that a query reads the smallest one that has its filters and grouping.
create table kpi_delay (
  rollup       smallint      not null,
  grain        char(1)       not null,
  event_day    date          not null,
  journey_key  varchar(255)  not null,
  step_id      varchar(255)  not null,
  channel      varchar(10)   not null,
  variant      varchar(64)   not null,
  segment      varchar(100)  not null,
  kind         char(1)       not null,
  bucket       smallint      not null,
  n            bigint        not null,
  primary key (rollup, grain, event_day, journey_key, step_id, channel, variant, segment, kind, bucket)
);
create index ix_kpi_delay_journey on kpi_delay (rollup, grain, journey_key, step_id, event_day);
create index ix_kpi_delay_segment on kpi_delay (rollup, grain, segment, event_day);
-- Filled from the existing events and daily summary by db.migration.V621__kpi_monthly_backfill.
