-- A message whose processing keeps failing is parked after relais.inbound.max-attempts: it stays
-- stored and listed for an operator, is no longer retried, and no longer holds back the later
-- replies of its contact.
alter table inbound_queue add column parked_at timestamp;
