-- Why: the SQL Server script of this name allows SNAPSHOT isolation for the extract bundle.
-- SQLite needs nothing: the database runs in WAL mode, where a read transaction sees the
-- database as of its first read until it ends, beside a writer and without blocking it. The
-- export opens one deferred transaction on one connection for the whole bundle. This script
-- exists so both dialects keep the same names; its statement changes nothing.

SELECT 1;
