-- Why: a trail that holds against whoever owns the database (21 CFR Part 11 §11.10(e), ALCOA+).
-- Until now every audit row carried a plain SHA-256, so whoever could switch the triggers off could remove rows (an
-- emergency unblinding, say), recompute the chain and the head, and pass verification. From now on rows are hashed with
-- HMAC-SHA256 under a key held outside the database. The head records from which row the key applies (KeyedFromId, set
-- once, by the first process that holds the key) and the key's HMAC of that id (KeyMarker), so a process holding another
-- key cannot append and nobody without the key can move the switch; rows before it keep their plain hash and are still
-- verified with it. The head gets the trail's protection: it cannot be deleted, LastId only moves forward (its hash only
-- changes with it), and the key's switch is set once, at the row after the current end, and never changed afterwards.
-- AuditEvent.PreviousHash was CHAR(64): the first row's empty value was stored as 64 spaces and read back so, and the
-- chain never verified. It becomes VARCHAR(64), and the padded values are stored empty again (the trail's trigger is
-- switched off for that one statement, inside this script's transaction). Hash stays CHAR(64): it always holds 64 hex
-- digits. AuditChainHead.LastHash was VARCHAR(64) already.

ALTER TABLE AuditEvent ALTER COLUMN PreviousHash VARCHAR(64) NOT NULL;
GO

DISABLE TRIGGER TR_AuditEvent_AppendOnly ON AuditEvent;
-- SQL Server compares strings ignoring trailing spaces: this finds the padded empty values, and only those.
UPDATE AuditEvent SET PreviousHash = '' WHERE PreviousHash = '' AND DATALENGTH(PreviousHash) > 0;
ENABLE TRIGGER TR_AuditEvent_AppendOnly ON AuditEvent;
GO

ALTER TABLE AuditChainHead ADD KeyedFromId BIGINT NULL;
ALTER TABLE AuditChainHead ADD KeyMarker VARCHAR(64) NULL;
GO

CREATE TRIGGER TR_AuditChainHead_NoDelete ON AuditChainHead INSTEAD OF DELETE
AS
BEGIN
    THROW 51001, 'The audit chain head cannot be deleted.', 1;
END;
GO

CREATE TRIGGER TR_AuditChainHead_AppendOnly ON AuditChainHead AFTER UPDATE
AS
BEGIN
    IF UPDATE(Id) OR EXISTS (
        SELECT 1 FROM inserted n JOIN deleted o ON o.Id = n.Id
        WHERE n.LastId < o.LastId
           OR (n.LastId = o.LastId AND n.LastHash <> o.LastHash)
           OR (o.KeyedFromId IS NOT NULL AND (n.KeyedFromId IS NULL OR n.KeyedFromId <> o.KeyedFromId OR n.KeyMarker IS NULL OR n.KeyMarker <> o.KeyMarker))
           OR (o.KeyedFromId IS NULL AND n.KeyedFromId IS NOT NULL AND (n.KeyedFromId <> o.LastId + 1 OR n.KeyMarker IS NULL))
           OR (n.KeyedFromId IS NULL AND n.KeyMarker IS NOT NULL))
        THROW 51002, 'The audit chain head only moves forward: its end cannot go back or change in place, and the key''s switch is set once.', 1;
END;
GO
