-- The test contacts created from the simulator page, so that anyone on any node finds them again.
-- The contact registry stays the source of truth for the addresses when it knows the contact;
-- the copy here only lets the simulator play a contact the registry has not stored.
create table simulator_contact (
  id          varchar(64)  primary key,
  first_name  varchar(100),
  phone       varchar(32)  not null,
  email       varchar(320),
  created_by  varchar(64)  not null,
  created_at  timestamp    not null
);
create index ix_simulator_contact_created on simulator_contact (created_at);
