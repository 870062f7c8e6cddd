-- Dates are checked (issue 15): an inspection recorded as done before its planned day keeps the
-- reason given for it, and a problem whose deadline was already past when set keeps its reason.
ALTER TABLE inspections ADD COLUMN done_reason TEXT;
ALTER TABLE problems ADD COLUMN deadline_reason TEXT;
