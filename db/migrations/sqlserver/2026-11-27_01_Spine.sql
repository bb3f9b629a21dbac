-- Why: the spine of the study database. Sites, users and their hashed API tokens;
-- participants with eligibility as recorded at screening; the visits that happened;
-- infusions, vital signs, and rating-scale assessments with one row per item response
-- and one row per computed score, each stamped with the instrument definition and
-- protocol version that produced it.
-- Dates are DATE; instants are DATETIME2 in UTC; ids are UNIQUEIDENTIFIER.

CREATE TABLE Site (
    Code NVARCHAR(20) NOT NULL CONSTRAINT PK_Site PRIMARY KEY,
    Name NVARCHAR(200) NOT NULL,
    NextParticipantNumber INT NOT NULL CONSTRAINT DF_Site_NextParticipantNumber DEFAULT 1,
    CreatedUtc DATETIME2(7) NOT NULL
);

CREATE TABLE AppUser (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_AppUser PRIMARY KEY,
    Name NVARCHAR(200) NOT NULL,
    Role NVARCHAR(50) NOT NULL CONSTRAINT CK_AppUser_Role CHECK (Role IN ('admin', 'investigator', 'monitor', 'statistician')),
    CreatedUtc DATETIME2(7) NOT NULL,
    CreatedBy UNIQUEIDENTIFIER NULL
);

CREATE TABLE UserSite (
    UserId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_UserSite_AppUser REFERENCES AppUser (Id),
    SiteCode NVARCHAR(20) NOT NULL CONSTRAINT FK_UserSite_Site REFERENCES Site (Code),
    CONSTRAINT PK_UserSite PRIMARY KEY (UserId, SiteCode)
);

CREATE TABLE ApiToken (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_ApiToken PRIMARY KEY,
    UserId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_ApiToken_AppUser REFERENCES AppUser (Id),
    TokenHash CHAR(64) NOT NULL CONSTRAINT UQ_ApiToken_TokenHash UNIQUE,
    CreatedUtc DATETIME2(7) NOT NULL,
    ExpiresUtc DATETIME2(7) NOT NULL,
    RevokedUtc DATETIME2(7) NULL
);

CREATE TABLE Participant (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_Participant PRIMARY KEY,
    Code NVARCHAR(20) NOT NULL CONSTRAINT UQ_Participant_Code UNIQUE,
    SiteCode NVARCHAR(20) NOT NULL CONSTRAINT FK_Participant_Site REFERENCES Site (Code),
    Number INT NOT NULL,
    Sex NVARCHAR(50) NOT NULL CONSTRAINT CK_Participant_Sex CHECK (Sex IN ('F', 'M', 'X')),
    BirthYear INT NOT NULL,
    WeightKg DECIMAL(6, 2) NOT NULL,
    FailedAntidepressantTrials INT NOT NULL,
    PsychotherapyWithoutResponse BIT NOT NULL,
    BpdDiagnosis BIT NOT NULL,
    PsychoticPersonalityOrganisation BIT NOT NULL,
    HighSuicideRisk BIT NOT NULL,
    Status NVARCHAR(50) NOT NULL CONSTRAINT CK_Participant_Status CHECK (Status IN ('enrolled', 'withdrawn', 'completed')),
    EnrolledDate DATE NOT NULL,
    EnrolledUtc DATETIME2(7) NOT NULL,
    ProtocolVersion NVARCHAR(50) NOT NULL,
    InfusionsDiscontinuedDate DATE NULL,
    DiscontinuationReason NVARCHAR(2000) NULL,
    CreatedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_Participant_Site_Number UNIQUE (SiteCode, Number)
);

CREATE TABLE VisitRecord (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_VisitRecord PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_VisitRecord_Participant REFERENCES Participant (Id),
    VisitCode NVARCHAR(20) NOT NULL,
    ActualDate DATE NOT NULL,
    RecordedUtc DATETIME2(7) NOT NULL,
    RecordedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_VisitRecord_Participant_Visit UNIQUE (ParticipantId, VisitCode)
);

CREATE TABLE Infusion (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_Infusion PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_Infusion_Participant REFERENCES Participant (Id),
    VisitCode NVARCHAR(20) NOT NULL,
    WeightKg DECIMAL(6, 2) NOT NULL,
    DoseMgPerKg DECIMAL(6, 3) NOT NULL,
    TotalDoseMg DECIMAL(8, 2) NOT NULL,
    Route NVARCHAR(50) NOT NULL,
    StartUtc DATETIME2(7) NOT NULL,
    EndUtc DATETIME2(7) NOT NULL,
    RecordedUtc DATETIME2(7) NOT NULL,
    RecordedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_Infusion_Participant_Visit UNIQUE (ParticipantId, VisitCode)
);

CREATE TABLE VitalSign (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_VitalSign PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_VitalSign_Participant REFERENCES Participant (Id),
    VisitCode NVARCHAR(20) NOT NULL,
    Timepoint NVARCHAR(50) NOT NULL,
    Systolic INT NOT NULL,
    Diastolic INT NOT NULL,
    HeartRate INT NOT NULL,
    Spo2 INT NOT NULL,
    RecordedUtc DATETIME2(7) NOT NULL,
    RecordedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_VitalSign_Participant_Visit_Timepoint UNIQUE (ParticipantId, VisitCode, Timepoint)
);

-- Timepoint is '' for visits without infusion timepoints, so the uniqueness rule behaves
-- the same in both dialects (SQL Server treats NULLs as equal in unique constraints, SQLite does not).
CREATE TABLE Assessment (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_Assessment PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_Assessment_Participant REFERENCES Participant (Id),
    VisitCode NVARCHAR(20) NOT NULL,
    Instrument NVARCHAR(50) NOT NULL,
    Timepoint NVARCHAR(50) NOT NULL,
    Unscheduled BIT NOT NULL,
    AdministeredUtc DATETIME2(7) NOT NULL,
    ReceivedUtc DATETIME2(7) NOT NULL,
    Complete BIT NOT NULL,
    SeverityBand NVARCHAR(50) NULL,
    DefinitionVersion NVARCHAR(50) NOT NULL,
    ProtocolVersion NVARCHAR(50) NOT NULL,
    RowVersion INT NOT NULL,
    CreatedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_Assessment_Participant_Visit_Instrument_Timepoint UNIQUE (ParticipantId, VisitCode, Instrument, Timepoint)
);

CREATE TABLE AssessmentItem (
    AssessmentId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_AssessmentItem_Assessment REFERENCES Assessment (Id),
    ItemNumber INT NOT NULL,
    Value DECIMAL(9, 4) NULL,
    CONSTRAINT PK_AssessmentItem PRIMARY KEY (AssessmentId, ItemNumber)
);

CREATE TABLE AssessmentScore (
    AssessmentId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_AssessmentScore_Assessment REFERENCES Assessment (Id),
    Name NVARCHAR(200) NOT NULL,
    Value DECIMAL(12, 4) NOT NULL,
    CONSTRAINT PK_AssessmentScore PRIMARY KEY (AssessmentId, Name)
);

-- A retried POST with the same Idempotency-Key (per user) returns the first result.
CREATE TABLE IdempotentRequest (
    UserId UNIQUEIDENTIFIER NOT NULL,
    IdempotencyKey NVARCHAR(200) NOT NULL,
    RequestHash CHAR(64) NOT NULL,
    ResourceId UNIQUEIDENTIFIER NOT NULL,
    CreatedUtc DATETIME2(7) NOT NULL,
    CONSTRAINT PK_IdempotentRequest PRIMARY KEY (UserId, IdempotencyKey)
);

CREATE INDEX IX_Participant_SiteCode ON Participant (SiteCode);
CREATE INDEX IX_ApiToken_UserId ON ApiToken (UserId);
CREATE INDEX IX_Assessment_ParticipantId ON Assessment (ParticipantId);
