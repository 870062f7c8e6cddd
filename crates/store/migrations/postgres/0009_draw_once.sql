-- One spot-check draw per round (issue 15): a second draw of a round replaces the first only with
-- a reason, and both stay; each draw keeps the population it drew from, so anyone can re-derive it.
ALTER TABLE spot_draws ADD COLUMN replaces BIGINT REFERENCES spot_draws (id);
ALTER TABLE spot_draws ADD COLUMN reason TEXT;
ALTER TABLE spot_draws ADD COLUMN population TEXT;
