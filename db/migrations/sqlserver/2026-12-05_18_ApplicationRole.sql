-- Why: least privilege (21 CFR Part 11 §11.10(d), ICH E6(R3) computerised systems: access limited to what each user
-- needs). The API and the workers connect as a user of the role trial_application, made by the migrator from
-- Database:ApplicationUser (db/Infrastructure/ApplicationUser.cs); only the migrator, as the database's owner, changes
-- the schema. The role reads and writes rows and nothing else: no DDL (no ALTER, CREATE, TRUNCATE, db_owner), no EXECUTE.
-- The grants are on the schemas, not per table, so the tables later migrations add are covered without a grant of their
-- own; the tables whose rows must never change are denied UPDATE and DELETE by name (a DENY on the object wins over a
-- GRANT on its schema), on top of the triggers that already refuse it: the audit trail (AuditEvent) and the arm tables
-- that are append-only (Allocation, Preparation, Unblinding, BlindingGuess). AllocationListEntry stays writable (an
-- imported list is replaceable until first used), as do the counters (RandomisationCounter, RandomisationStratum) and
-- AuditChainHead, which every append updates. A later migration that adds an append-only table adds its DENY beside it.
-- DbUp's journal (SchemaVersions) is read by the readiness check and written by the migrator alone.
-- Hangfire's tables live in the schema hangfire, made here if Hangfire has not made it yet; the migrator then installs
-- Hangfire's objects as the owner, and the role gets DML on that schema: all Hangfire's storage needs at run time
-- (its distributed locks are sp_getapplock, open to every user of the database).

IF DATABASE_PRINCIPAL_ID(N'trial_application') IS NULL
    CREATE ROLE trial_application AUTHORIZATION dbo;
GO

IF SCHEMA_ID(N'hangfire') IS NULL
    EXEC (N'CREATE SCHEMA hangfire AUTHORIZATION dbo');
GO

GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::dbo TO trial_application;
GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::hangfire TO trial_application;

DENY UPDATE, DELETE ON OBJECT::dbo.AuditEvent TO trial_application;
DENY UPDATE, DELETE ON OBJECT::dbo.Allocation TO trial_application;
DENY UPDATE, DELETE ON OBJECT::dbo.Preparation TO trial_application;
DENY UPDATE, DELETE ON OBJECT::dbo.Unblinding TO trial_application;
DENY UPDATE, DELETE ON OBJECT::dbo.BlindingGuess TO trial_application;
DENY INSERT, UPDATE, DELETE ON OBJECT::dbo.SchemaVersions TO trial_application;
