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

-- The events recorded before this migration.
insert into kpi_daily
select cast(e.occurred_at as date), coalesce(e.journey_key, ''), coalesce(e.step_id, ''), coalesce(e.channel, ''),
  coalesce(e.variant, ''),
  sum(case when e.event_type = 'SENT' then 1 else 0 end),
  sum(case when e.event_type = 'DELIVERED' then 1 else 0 end),
  sum(case when e.event_type = 'FAILED' then 1 else 0 end),
  sum(case when e.event_type = 'OPENED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'CLICKED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'ORDERED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'OPTED_OUT' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'REPLIED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'ORDERED' and e.first_key is not null and e.after_reply = true then 1 else 0 end),
  sum(case when e.event_type = 'HANDED_OFF' then 1 else 0 end),
  sum(case when e.event_type = 'NPS_SCORE' then 1 else 0 end),
  sum(case when e.event_type = 'NPS_SCORE' and e.score >= 9 then 1 else 0 end),
  sum(case when e.event_type = 'NPS_SCORE' and e.score <= 6 then 1 else 0 end),
  sum(case when e.event_type = 'HELD_OUT' then 1 else 0 end),
  coalesce(sum(case when e.event_type = 'ORDERED' then e.revenue end), 0),
  coalesce(sum(case when e.event_type = 'SENT' then e.cost end), 0)
from engagement_event e
group by cast(e.occurred_at as date), coalesce(e.journey_key, ''), coalesce(e.step_id, ''), coalesce(e.channel, ''),
  coalesce(e.variant, '');

insert into kpi_daily_segment
select cast(e.occurred_at as date), coalesce(e.journey_key, ''), coalesce(e.step_id, ''), coalesce(e.channel, ''),
  coalesce(e.variant, ''), s.segment,
  sum(case when e.event_type = 'SENT' then 1 else 0 end),
  sum(case when e.event_type = 'DELIVERED' then 1 else 0 end),
  sum(case when e.event_type = 'FAILED' then 1 else 0 end),
  sum(case when e.event_type = 'OPENED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'CLICKED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'ORDERED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'OPTED_OUT' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'REPLIED' and e.first_key is not null then 1 else 0 end),
  sum(case when e.event_type = 'ORDERED' and e.first_key is not null and e.after_reply = true then 1 else 0 end),
  sum(case when e.event_type = 'HANDED_OFF' then 1 else 0 end),
  sum(case when e.event_type = 'NPS_SCORE' then 1 else 0 end),
  sum(case when e.event_type = 'NPS_SCORE' and e.score >= 9 then 1 else 0 end),
  sum(case when e.event_type = 'NPS_SCORE' and e.score <= 6 then 1 else 0 end),
  sum(case when e.event_type = 'HELD_OUT' then 1 else 0 end),
  coalesce(sum(case when e.event_type = 'ORDERED' then e.revenue end), 0),
  coalesce(sum(case when e.event_type = 'SENT' then e.cost end), 0)
from engagement_event e join engagement_segment s on s.event_id = e.id
group by cast(e.occurred_at as date), coalesce(e.journey_key, ''), coalesce(e.step_id, ''), coalesce(e.channel, ''),
  coalesce(e.variant, ''), s.segment;
