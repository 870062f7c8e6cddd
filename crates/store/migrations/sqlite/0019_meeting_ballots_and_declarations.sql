-- Named votes and project declarations that cite a meeting (issue 18, deliverables 1 and 2).
--
-- In named-vote mode a decision item records each attendee's ballot, stored here apart from the
-- item's tally (which is derived from them) and never shown on a public page or the public API.
CREATE TABLE meeting_ballots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    item_id     INTEGER NOT NULL REFERENCES meeting_items (id),
    roster_id   INTEGER NOT NULL REFERENCES meeting_roster (id),
    -- for, against, abstain
    ballot      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (item_id, roster_id)
);

-- A project version declared from now on cites the meeting decision that approved it (an item
-- of a meeting of the same village that passed); its meeting_on and meeting_ref are filled from
-- the meeting. Older versions keep their free-text date and reference with no item.
ALTER TABLE project_versions ADD COLUMN meeting_item_id INTEGER REFERENCES meeting_items (id);
