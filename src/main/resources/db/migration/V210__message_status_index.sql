-- The stale-PENDING check (UnknownOutcomes) and the UNKNOWN gauge look messages up by status.
create index ix_message_status on message (status, updated_at);
