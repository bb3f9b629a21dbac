-- Why: an extract bundle must reflect one consistent moment while data entry goes on, so the
-- export reads every dataset in one SNAPSHOT transaction, which SQL Server allows only once the
-- database permits it. Readers then see row versions as of the snapshot and never block writers.
-- Transaction: none (ALTER DATABASE cannot run inside a user transaction; the migrator runs this
-- script on its own, and running it twice changes nothing).

ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION ON;
