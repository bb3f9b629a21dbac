-- Why: trustworthy data (21 CFR Part 11 §11.10(e), ICH E6(R3), ALCOA+).
-- AuditEvent is the append-only trail of every change: who (user, role, token), when (UTC),
-- at which site, what (entity, action, the changed fields before and after, as canonical
-- JSON), why (reason) and from which request. Each row carries the SHA-256 of its content and
-- of the row before it, so an edit made behind the application's back breaks the chain;
-- AuditChainHead holds the end of the chain so appends are ordered by one writer at a time.
-- The database itself refuses UPDATE and DELETE on the trail.
-- Records entered by people get a row version (the ETag a correction must name in If-Match)
-- and who last changed them; participants get withdrawal and who discontinued infusions;
-- sites get their IANA time zone (their local calendar decides "today" and when a visit
-- window closes); adverse events get the instant the site became aware (the 24-hour clock).
-- IdempotentRequest is replaced by IdempotentResponse, which keeps the first response of
-- every creating request so that a retry with the same Idempotency-Key gets it back.

CREATE TABLE AuditEvent (
    Id INTEGER NOT NULL CONSTRAINT PK_AuditEvent PRIMARY KEY,
    AtUtc TEXT NOT NULL,
    UserId TEXT NOT NULL,
    UserName TEXT NOT NULL,
    Role TEXT NOT NULL,
    TokenId TEXT NULL,
    SiteCode TEXT NULL,
    EntityType TEXT NOT NULL,
    EntityId TEXT NOT NULL,
    ParticipantCode TEXT NULL,
    Action TEXT NOT NULL,
    OldValue TEXT NULL,
    NewValue TEXT NULL,
    Reason TEXT NULL,
    Flag TEXT NULL,
    RequestId TEXT NULL,
    PreviousHash TEXT NOT NULL,
    Hash TEXT NOT NULL
);

CREATE INDEX IX_AuditEvent_Entity ON AuditEvent (EntityType, EntityId);
CREATE INDEX IX_AuditEvent_ParticipantCode ON AuditEvent (ParticipantCode);
CREATE INDEX IX_AuditEvent_UserId ON AuditEvent (UserId);

CREATE TRIGGER TR_AuditEvent_NoUpdate BEFORE UPDATE ON AuditEvent
BEGIN
    SELECT RAISE(ABORT, 'The audit trail is append-only: its rows cannot be changed.');
END;

CREATE TRIGGER TR_AuditEvent_NoDelete BEFORE DELETE ON AuditEvent
BEGIN
    SELECT RAISE(ABORT, 'The audit trail is append-only: its rows cannot be deleted.');
END;

CREATE TABLE AuditChainHead (
    Id INTEGER NOT NULL CONSTRAINT PK_AuditChainHead PRIMARY KEY,
    LastId INTEGER NOT NULL,
    LastHash TEXT NOT NULL
);

INSERT INTO AuditChainHead (Id, LastId, LastHash) VALUES (1, 0, '');

ALTER TABLE Site ADD COLUMN TimeZone TEXT NOT NULL CONSTRAINT DF_Site_TimeZone DEFAULT 'UTC';

ALTER TABLE Participant ADD COLUMN RowVersion INTEGER NOT NULL CONSTRAINT DF_Participant_RowVersion DEFAULT 1;
ALTER TABLE Participant ADD COLUMN DiscontinuedUtc TEXT NULL;
ALTER TABLE Participant ADD COLUMN DiscontinuedBy TEXT NULL;
ALTER TABLE Participant ADD COLUMN WithdrawnDate TEXT NULL;
ALTER TABLE Participant ADD COLUMN WithdrawalReason TEXT NULL;
ALTER TABLE Participant ADD COLUMN WithdrawnUtc TEXT NULL;
ALTER TABLE Participant ADD COLUMN WithdrawnBy TEXT NULL;

ALTER TABLE VisitRecord ADD COLUMN RowVersion INTEGER NOT NULL CONSTRAINT DF_VisitRecord_RowVersion DEFAULT 1;
ALTER TABLE VisitRecord ADD COLUMN UpdatedUtc TEXT NULL;
ALTER TABLE VisitRecord ADD COLUMN UpdatedBy TEXT NULL;

ALTER TABLE Infusion ADD COLUMN RowVersion INTEGER NOT NULL CONSTRAINT DF_Infusion_RowVersion DEFAULT 1;
ALTER TABLE Infusion ADD COLUMN UpdatedUtc TEXT NULL;
ALTER TABLE Infusion ADD COLUMN UpdatedBy TEXT NULL;

ALTER TABLE VitalSign ADD COLUMN RowVersion INTEGER NOT NULL CONSTRAINT DF_VitalSign_RowVersion DEFAULT 1;
ALTER TABLE VitalSign ADD COLUMN UpdatedUtc TEXT NULL;
ALTER TABLE VitalSign ADD COLUMN UpdatedBy TEXT NULL;

ALTER TABLE Assessment ADD COLUMN UpdatedUtc TEXT NULL;
ALTER TABLE Assessment ADD COLUMN UpdatedBy TEXT NULL;

ALTER TABLE AdverseEvent ADD COLUMN AwareUtc TEXT NULL;

DROP TABLE IdempotentRequest;

CREATE TABLE IdempotentResponse (
    UserId TEXT NOT NULL,
    IdempotencyKey TEXT NOT NULL,
    RequestHash TEXT NOT NULL,
    StatusCode INTEGER NOT NULL,
    ContentType TEXT NULL,
    Location TEXT NULL,
    ETag TEXT NULL,
    Body TEXT NULL,
    CreatedUtc TEXT NOT NULL,
    CONSTRAINT PK_IdempotentResponse PRIMARY KEY (UserId, IdempotencyKey)
);

CREATE INDEX IX_IdempotentResponse_CreatedUtc ON IdempotentResponse (CreatedUtc);
