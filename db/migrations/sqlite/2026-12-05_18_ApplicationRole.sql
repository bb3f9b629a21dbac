-- Why: the SQL Server twin of this script makes the role the API and the workers connect as (least privilege). SQLite
-- has no users or grants: the embedded database is a file, guarded by the file system's owner-only permissions
-- (db/Infrastructure/Database.cs). Nothing to do here; the file keeps both folders' scripts in step.
SELECT 1;
