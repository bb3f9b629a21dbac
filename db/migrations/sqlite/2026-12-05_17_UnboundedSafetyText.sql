-- Why: the SQL Server script of this name makes the alerts' messages, their history's comments and the JSON of alerts
-- and assessment revisions unbounded: SQL Server refused strings longer than the columns' declared lengths (an emergency
-- unblinding with a long reason failed there). SQLite needs nothing: its TEXT columns hold strings of any length. This
-- script exists so both dialects keep the same names; its statement changes nothing.

SELECT 1;
