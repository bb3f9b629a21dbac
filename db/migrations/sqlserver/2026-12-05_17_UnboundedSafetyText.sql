-- Why: SQL Server refuses a statement that writes a string longer than its column, where SQLite keeps the string whole,
-- so these columns, too short for what is written to them, failed on SQL Server only.
-- SafetyAlert.Message and SafetyAlertEvent.Comment (the alert's history, whose "raised" entry repeats the message and
-- whose "updated" entry quotes the message it replaces) hold the UNBLINDED alert's message, which gives the whole reason
-- for unblinding (up to 2,000 characters) after who unblinded whom and when: an emergency unblinding with a reason of
-- more than about 890 characters failed, and the investigator did not get the arm. The other rules' messages name
-- adverse event terms, medications, medication classes and lists of infusions or assessments, whose lengths the data and
-- the protocol decide. Both columns are unbounded from here on.
-- SafetyAlert.ValuesJson and AssessmentRevision.ItemsJson and ScoresJson hold JSON, whose length depends on how it is
-- escaped (System.Text.Json writes a letter outside ASCII as six characters) and on the protocol's settings: unbounded,
-- as the audit trail's JSON is.
-- Widening a column keeps its values; none of these columns is in an index, a key or a constraint.

ALTER TABLE SafetyAlert ALTER COLUMN Message NVARCHAR(MAX) NOT NULL;
ALTER TABLE SafetyAlert ALTER COLUMN ValuesJson NVARCHAR(MAX) NOT NULL;
ALTER TABLE SafetyAlertEvent ALTER COLUMN Comment NVARCHAR(MAX) NULL;
ALTER TABLE AssessmentRevision ALTER COLUMN ItemsJson NVARCHAR(MAX) NOT NULL;
ALTER TABLE AssessmentRevision ALTER COLUMN ScoresJson NVARCHAR(MAX) NOT NULL;
