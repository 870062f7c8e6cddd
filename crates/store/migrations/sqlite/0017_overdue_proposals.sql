-- Overdue Book 4 steps proposed on the escalation ladder (issue 17): an application not
-- inspected within the county's inspection days, an evaluation not reviewed by its due day.
-- Like `escalation_proposals`, but the source is an acceptance or an evaluation, not a Book 3
-- problem; a person confirms one (naming the Book 3 problem opened for it) or dismisses it.
-- `basis` is the rule that made it due and its source (the county's rules or the default).
CREATE TABLE overdue_proposals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    source_id   INTEGER NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    step        TEXT    NOT NULL,
    due_on      TEXT    NOT NULL,
    basis       TEXT    NOT NULL,
    proposed_on TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    decision    TEXT,
    reason      TEXT,
    problem_id  INTEGER REFERENCES problems (id),
    decided_by  INTEGER REFERENCES users (id),
    decided_at  INTEGER,
    UNIQUE (source, source_id, step)
);
CREATE INDEX overdue_proposals_county ON overdue_proposals (county_code, decided_at);
