-- Progress and outcome of each bulk import, readable from any node while the import runs.
create table contact_import (
  id           varchar(64)  primary key,
  status       varchar(10)  not null,
  lines        bigint       default 0 not null,
  imported     bigint       default 0 not null,
  updated      bigint       default 0 not null,
  unchanged    bigint       default 0 not null,
  rejected     bigint       default 0 not null,
  started_by   varchar(64),
  started_at   timestamp    not null,
  finished_at  timestamp
);
