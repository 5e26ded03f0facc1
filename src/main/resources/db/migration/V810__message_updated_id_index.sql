-- The message projector pages through changed messages by (updated_at, id): with both columns in
-- the index a page is one range scan of 500 entries, not a read and sort of every message changed
-- since the page's start (docs/performance.md, 30 Nov).
create index ix_message_updated_id on message (updated_at, id);
drop index ix_message_updated;
