-- Relais' own tables live beside Camunda's in the same database. Migrations must run on H2 and
-- PostgreSQL alike: portable types only (varchar, bigint, integer, boolean, timestamp, text as
-- varchar without length on H2 is fine), no vendor upsert.
-- Version ranges: 1-99 platform, 100-199 contact, 200-299 outbound, 300-399 inbound,
-- 400-499 journey, 500-599 handoff, 600-699 analytics, 700-799 simulator/reliability.

create table relais_lock (
  name         varchar(100) primary key,
  locked_until timestamp    not null,
  locked_by    varchar(64)  not null
);
