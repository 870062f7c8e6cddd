-- Client ids are unique per county (the shard key), not across the whole database: one
-- county's retry key tells nothing about another county's, and a reused key is answered by the
-- caller's own county only.
ALTER TABLE transfers DROP CONSTRAINT transfers_client_id_key;
CREATE UNIQUE INDEX transfers_county_client_id ON transfers (county_code, client_id);
CREATE INDEX transfers_client ON transfers (client_id);
