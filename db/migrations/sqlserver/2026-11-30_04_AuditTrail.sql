-- Why: trustworthy data (21 CFR Part 11 §11.10(e), ICH E6(R3), ALCOA+).
-- AuditEvent is the append-only trail of every change: who (user, role, token), when (UTC),
-- at which site, what (entity, action, the changed fields before and after, as canonical
-- JSON), why (reason) and from which request. Each row carries the SHA-256 of its content and
-- of the row before it, so an edit made behind the application's back breaks the chain;
-- AuditChainHead holds the end of the chain, and an append locks its row, so appends are
-- ordered by one writer at a time. The database itself refuses UPDATE and DELETE on the trail.
-- Records entered by people get a row version (the ETag a correction must name in If-Match)
-- and who last changed them; participants get withdrawal and who discontinued infusions;
-- sites get their IANA time zone (their local calendar decides "today" and when a visit
-- window closes); adverse events get the instant the site became aware (the 24-hour clock).
-- IdempotentRequest is replaced by IdempotentResponse, which keeps the first response of
-- every creating request so that a retry with the same Idempotency-Key gets it back.

CREATE TABLE AuditEvent (
    Id BIGINT NOT NULL CONSTRAINT PK_AuditEvent PRIMARY KEY,
    AtUtc DATETIME2(7) NOT NULL,
    UserId UNIQUEIDENTIFIER NOT NULL,
    UserName NVARCHAR(200) NOT NULL,
    Role NVARCHAR(50) NOT NULL,
    TokenId UNIQUEIDENTIFIER NULL,
    SiteCode NVARCHAR(20) NULL,
    EntityType NVARCHAR(50) NOT NULL,
    EntityId NVARCHAR(100) NOT NULL,
    ParticipantCode NVARCHAR(30) NULL,
    Action NVARCHAR(30) NOT NULL,
    OldValue NVARCHAR(MAX) NULL,
    NewValue NVARCHAR(MAX) NULL,
    Reason NVARCHAR(2000) NULL,
    Flag NVARCHAR(50) NULL,
    RequestId NVARCHAR(100) NULL,
    PreviousHash CHAR(64) NOT NULL,
    Hash CHAR(64) NOT NULL
);

CREATE INDEX IX_AuditEvent_Entity ON AuditEvent (EntityType, EntityId);
CREATE INDEX IX_AuditEvent_ParticipantCode ON AuditEvent (ParticipantCode);
CREATE INDEX IX_AuditEvent_UserId ON AuditEvent (UserId);
GO

CREATE TRIGGER TR_AuditEvent_AppendOnly ON AuditEvent INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51000, 'The audit trail is append-only: its rows cannot be changed or deleted.', 1;
END;
GO

CREATE TABLE AuditChainHead (
    Id INT NOT NULL CONSTRAINT PK_AuditChainHead PRIMARY KEY,
    LastId BIGINT NOT NULL,
    LastHash VARCHAR(64) NOT NULL
);

INSERT INTO AuditChainHead (Id, LastId, LastHash) VALUES (1, 0, '');

ALTER TABLE Site ADD TimeZone NVARCHAR(64) NOT NULL CONSTRAINT DF_Site_TimeZone DEFAULT 'UTC';

ALTER TABLE Participant ADD RowVersion INT NOT NULL CONSTRAINT DF_Participant_RowVersion DEFAULT 1;
ALTER TABLE Participant ADD DiscontinuedUtc DATETIME2(7) NULL;
ALTER TABLE Participant ADD DiscontinuedBy UNIQUEIDENTIFIER NULL;
ALTER TABLE Participant ADD WithdrawnDate DATE NULL;
ALTER TABLE Participant ADD WithdrawalReason NVARCHAR(2000) NULL;
ALTER TABLE Participant ADD WithdrawnUtc DATETIME2(7) NULL;
ALTER TABLE Participant ADD WithdrawnBy UNIQUEIDENTIFIER NULL;

ALTER TABLE VisitRecord ADD RowVersion INT NOT NULL CONSTRAINT DF_VisitRecord_RowVersion DEFAULT 1;
ALTER TABLE VisitRecord ADD UpdatedUtc DATETIME2(7) NULL;
ALTER TABLE VisitRecord ADD UpdatedBy UNIQUEIDENTIFIER NULL;

ALTER TABLE Infusion ADD RowVersion INT NOT NULL CONSTRAINT DF_Infusion_RowVersion DEFAULT 1;
ALTER TABLE Infusion ADD UpdatedUtc DATETIME2(7) NULL;
ALTER TABLE Infusion ADD UpdatedBy UNIQUEIDENTIFIER NULL;

ALTER TABLE VitalSign ADD RowVersion INT NOT NULL CONSTRAINT DF_VitalSign_RowVersion DEFAULT 1;
ALTER TABLE VitalSign ADD UpdatedUtc DATETIME2(7) NULL;
ALTER TABLE VitalSign ADD UpdatedBy UNIQUEIDENTIFIER NULL;

ALTER TABLE Assessment ADD UpdatedUtc DATETIME2(7) NULL;
ALTER TABLE Assessment ADD UpdatedBy UNIQUEIDENTIFIER NULL;

ALTER TABLE AdverseEvent ADD AwareUtc DATETIME2(7) NULL;

DROP TABLE IdempotentRequest;

CREATE TABLE IdempotentResponse (
    UserId UNIQUEIDENTIFIER NOT NULL,
    IdempotencyKey NVARCHAR(200) NOT NULL,
    RequestHash CHAR(64) NOT NULL,
    StatusCode INT NOT NULL,
    ContentType NVARCHAR(100) NULL,
    Location NVARCHAR(400) NULL,
    ETag NVARCHAR(100) NULL,
    Body NVARCHAR(MAX) NULL,
    CreatedUtc DATETIME2(7) NOT NULL,
    CONSTRAINT PK_IdempotentResponse PRIMARY KEY (UserId, IdempotencyKey)
);

CREATE INDEX IX_IdempotentResponse_CreatedUtc ON IdempotentResponse (CreatedUtc);
