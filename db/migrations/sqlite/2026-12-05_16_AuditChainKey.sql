-- Why: a trail that holds against whoever owns the database (21 CFR Part 11 §11.10(e), ALCOA+).
-- Until now every audit row carried a plain SHA-256, so whoever could switch the triggers off could remove rows (an
-- emergency unblinding, say), recompute the chain and the head, and pass verification. From now on rows are hashed with
-- HMAC-SHA256 under a key held outside the database. The head records from which row the key applies (KeyedFromId, set
-- once, by the first process that holds the key) and the key's HMAC of that id (KeyMarker), so a process holding another
-- key cannot append and nobody without the key can move the switch; rows before it keep their plain hash and are still
-- verified with it. The head gets the trail's protection: it cannot be deleted, LastId only moves forward (its hash only
-- changes with it), and the key's switch is set once, at the row after the current end, and never changed afterwards.

ALTER TABLE AuditChainHead ADD COLUMN KeyedFromId INTEGER NULL;
ALTER TABLE AuditChainHead ADD COLUMN KeyMarker TEXT NULL;

CREATE TRIGGER TR_AuditChainHead_NoDelete BEFORE DELETE ON AuditChainHead
BEGIN
    SELECT RAISE(ABORT, 'The audit chain head cannot be deleted.');
END;

CREATE TRIGGER TR_AuditChainHead_AppendOnly BEFORE UPDATE ON AuditChainHead
WHEN NEW.Id <> OLD.Id
    OR NEW.LastId < OLD.LastId
    OR (NEW.LastId = OLD.LastId AND NEW.LastHash <> OLD.LastHash)
    OR (OLD.KeyedFromId IS NOT NULL AND (NEW.KeyedFromId IS NOT OLD.KeyedFromId OR NEW.KeyMarker IS NOT OLD.KeyMarker))
    OR (OLD.KeyedFromId IS NULL AND NEW.KeyedFromId IS NOT NULL AND (NEW.KeyedFromId <> OLD.LastId + 1 OR NEW.KeyMarker IS NULL))
    OR (NEW.KeyedFromId IS NULL AND NEW.KeyMarker IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'The audit chain head only moves forward: its end cannot go back or change in place, and the key''s switch is set once.');
END;
