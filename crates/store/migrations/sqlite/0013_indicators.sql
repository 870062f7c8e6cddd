-- Performance targets as indicator rows (issue 17): each project version's targets are a table of
-- indicators (产出 / 效益 / 满意度: kind, operator, target in hundredths of its unit, weight out of
-- 100, core), replacing the four free fields of `project_versions`.
--
-- A version made from now on books each row as a `project.indicator` fact and leaves the old
-- columns empty ('' and 0). A version made before keeps its four columns, booked in its
-- `project.version` fact as they always were (so every leaf already in the log still verifies);
-- its rows are made here from those columns, and `verify` re-derives them from the booked
-- fields (`core::project::legacy_targets`, which this mapping must equal).
CREATE TABLE project_indicators (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    county_code TEXT    NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    version     INTEGER NOT NULL,
    -- The row's place in the table, from 0.
    position    INTEGER NOT NULL,
    -- quantity, quality, timeliness, cost, economic, social, ecological, sustainability, satisfied
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    -- ge, le, eq
    operator    TEXT    NOT NULL,
    -- Hundredths of the unit (3.2 公里 is 320).
    target      INTEGER NOT NULL,
    unit        TEXT    NOT NULL,
    weight      INTEGER NOT NULL,
    core        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (project_id, version, position),
    FOREIGN KEY (project_id, version) REFERENCES project_versions (project_id, version)
);

INSERT INTO project_indicators (county_code, project_id, version, position, kind, name, operator, target, unit, weight, core, created_at)
SELECT county_code, project_id, version, 0, 'quantity', outputs, 'ge', 100, '项', 30, 1, created_at
FROM project_versions WHERE households > 0 ORDER BY id;
INSERT INTO project_indicators (county_code, project_id, version, position, kind, name, operator, target, unit, weight, core, created_at)
SELECT county_code, project_id, version, 1, 'social', '受益户数', 'ge', households * 100, '户', 20, 0, created_at
FROM project_versions WHERE households > 0 ORDER BY id;
INSERT INTO project_indicators (county_code, project_id, version, position, kind, name, operator, target, unit, weight, core, created_at)
SELECT county_code, project_id, version, 2, 'economic', income_effect, 'ge', 100, '项', 30, 0, created_at
FROM project_versions WHERE households > 0 ORDER BY id;
INSERT INTO project_indicators (county_code, project_id, version, position, kind, name, operator, target, unit, weight, core, created_at)
SELECT county_code, project_id, version, 3, 'satisfied', '受益群众满意度', 'ge', satisfaction * 100, '%', 20, 0, created_at
FROM project_versions WHERE households > 0 ORDER BY id;
