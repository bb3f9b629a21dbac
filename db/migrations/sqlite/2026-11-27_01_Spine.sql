-- Why: the spine of the study database. Sites, users and their hashed API tokens;
-- participants with eligibility as recorded at screening; the visits that happened;
-- infusions, vital signs, and rating-scale assessments with one row per item response
-- and one row per computed score, each stamped with the instrument definition and
-- protocol version that produced it.
-- Dates are ISO-8601 text (yyyy-MM-dd); instants are UTC text; ids are GUID text.

CREATE TABLE Site (
    Code TEXT NOT NULL CONSTRAINT PK_Site PRIMARY KEY,
    Name TEXT NOT NULL,
    NextParticipantNumber INTEGER NOT NULL CONSTRAINT DF_Site_NextParticipantNumber DEFAULT 1,
    CreatedUtc TEXT NOT NULL
);

CREATE TABLE AppUser (
    Id TEXT NOT NULL CONSTRAINT PK_AppUser PRIMARY KEY,
    Name TEXT NOT NULL,
    Role TEXT NOT NULL CONSTRAINT CK_AppUser_Role CHECK (Role IN ('admin', 'investigator', 'monitor', 'statistician')),
    CreatedUtc TEXT NOT NULL,
    CreatedBy TEXT NULL
);

CREATE TABLE UserSite (
    UserId TEXT NOT NULL CONSTRAINT FK_UserSite_AppUser REFERENCES AppUser (Id),
    SiteCode TEXT NOT NULL CONSTRAINT FK_UserSite_Site REFERENCES Site (Code),
    CONSTRAINT PK_UserSite PRIMARY KEY (UserId, SiteCode)
);

CREATE TABLE ApiToken (
    Id TEXT NOT NULL CONSTRAINT PK_ApiToken PRIMARY KEY,
    UserId TEXT NOT NULL CONSTRAINT FK_ApiToken_AppUser REFERENCES AppUser (Id),
    TokenHash TEXT NOT NULL CONSTRAINT UQ_ApiToken_TokenHash UNIQUE,
    CreatedUtc TEXT NOT NULL,
    ExpiresUtc TEXT NOT NULL,
    RevokedUtc TEXT NULL
);

CREATE TABLE Participant (
    Id TEXT NOT NULL CONSTRAINT PK_Participant PRIMARY KEY,
    Code TEXT NOT NULL CONSTRAINT UQ_Participant_Code UNIQUE,
    SiteCode TEXT NOT NULL CONSTRAINT FK_Participant_Site REFERENCES Site (Code),
    Number INTEGER NOT NULL,
    Sex TEXT NOT NULL CONSTRAINT CK_Participant_Sex CHECK (Sex IN ('F', 'M', 'X')),
    BirthYear INTEGER NOT NULL,
    WeightKg DECIMAL(6, 2) NOT NULL,
    FailedAntidepressantTrials INTEGER NOT NULL,
    PsychotherapyWithoutResponse INTEGER NOT NULL,
    BpdDiagnosis INTEGER NOT NULL,
    PsychoticPersonalityOrganisation INTEGER NOT NULL,
    HighSuicideRisk INTEGER NOT NULL,
    Status TEXT NOT NULL CONSTRAINT CK_Participant_Status CHECK (Status IN ('enrolled', 'withdrawn', 'completed')),
    EnrolledDate TEXT NOT NULL,
    EnrolledUtc TEXT NOT NULL,
    ProtocolVersion TEXT NOT NULL,
    InfusionsDiscontinuedDate TEXT NULL,
    DiscontinuationReason TEXT NULL,
    CreatedBy TEXT NOT NULL,
    CONSTRAINT UQ_Participant_Site_Number UNIQUE (SiteCode, Number)
);

CREATE TABLE VisitRecord (
    Id TEXT NOT NULL CONSTRAINT PK_VisitRecord PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_VisitRecord_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    ActualDate TEXT NOT NULL,
    RecordedUtc TEXT NOT NULL,
    RecordedBy TEXT NOT NULL,
    CONSTRAINT UQ_VisitRecord_Participant_Visit UNIQUE (ParticipantId, VisitCode)
);

CREATE TABLE Infusion (
    Id TEXT NOT NULL CONSTRAINT PK_Infusion PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_Infusion_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    WeightKg DECIMAL(6, 2) NOT NULL,
    DoseMgPerKg DECIMAL(6, 3) NOT NULL,
    TotalDoseMg DECIMAL(8, 2) NOT NULL,
    Route TEXT NOT NULL,
    StartUtc TEXT NOT NULL,
    EndUtc TEXT NOT NULL,
    RecordedUtc TEXT NOT NULL,
    RecordedBy TEXT NOT NULL,
    CONSTRAINT UQ_Infusion_Participant_Visit UNIQUE (ParticipantId, VisitCode)
);

CREATE TABLE VitalSign (
    Id TEXT NOT NULL CONSTRAINT PK_VitalSign PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_VitalSign_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    Timepoint TEXT NOT NULL,
    Systolic INTEGER NOT NULL,
    Diastolic INTEGER NOT NULL,
    HeartRate INTEGER NOT NULL,
    Spo2 INTEGER NOT NULL,
    RecordedUtc TEXT NOT NULL,
    RecordedBy TEXT NOT NULL,
    CONSTRAINT UQ_VitalSign_Participant_Visit_Timepoint UNIQUE (ParticipantId, VisitCode, Timepoint)
);

-- Timepoint is '' for visits without infusion timepoints, so the uniqueness rule behaves
-- the same in both dialects (SQL Server treats NULLs as equal in unique constraints, SQLite does not).
CREATE TABLE Assessment (
    Id TEXT NOT NULL CONSTRAINT PK_Assessment PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_Assessment_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    Instrument TEXT NOT NULL,
    Timepoint TEXT NOT NULL,
    Unscheduled INTEGER NOT NULL,
    AdministeredUtc TEXT NOT NULL,
    ReceivedUtc TEXT NOT NULL,
    Complete INTEGER NOT NULL,
    SeverityBand TEXT NULL,
    DefinitionVersion TEXT NOT NULL,
    ProtocolVersion TEXT NOT NULL,
    RowVersion INTEGER NOT NULL,
    CreatedBy TEXT NOT NULL,
    CONSTRAINT UQ_Assessment_Participant_Visit_Instrument_Timepoint UNIQUE (ParticipantId, VisitCode, Instrument, Timepoint)
);

CREATE TABLE AssessmentItem (
    AssessmentId TEXT NOT NULL CONSTRAINT FK_AssessmentItem_Assessment REFERENCES Assessment (Id),
    ItemNumber INTEGER NOT NULL,
    Value DECIMAL(9, 4) NULL,
    CONSTRAINT PK_AssessmentItem PRIMARY KEY (AssessmentId, ItemNumber)
);

CREATE TABLE AssessmentScore (
    AssessmentId TEXT NOT NULL CONSTRAINT FK_AssessmentScore_Assessment REFERENCES Assessment (Id),
    Name TEXT NOT NULL,
    Value DECIMAL(12, 4) NOT NULL,
    CONSTRAINT PK_AssessmentScore PRIMARY KEY (AssessmentId, Name)
);

-- A retried POST with the same Idempotency-Key (per user) returns the first result.
CREATE TABLE IdempotentRequest (
    UserId TEXT NOT NULL,
    IdempotencyKey TEXT NOT NULL,
    RequestHash TEXT NOT NULL,
    ResourceId TEXT NOT NULL,
    CreatedUtc TEXT NOT NULL,
    CONSTRAINT PK_IdempotentRequest PRIMARY KEY (UserId, IdempotencyKey)
);

CREATE INDEX IX_Participant_SiteCode ON Participant (SiteCode);
CREATE INDEX IX_ApiToken_UserId ON ApiToken (UserId);
CREATE INDEX IX_Assessment_ParticipantId ON Assessment (ParticipantId);
