-- Why: safety. Adverse events with the ICH E2A fields; the alerts the protocol's rules raise,
-- one per rule and source record, never deleted (superseded when a correction removes their
-- cause); every state change of an alert with who, when and why; and the earlier versions of
-- corrected assessments. SafetyVersion goes up with every write the rules read; the participant's
-- alerts were evaluated at SafetyEvaluatedVersion, so the recurring sweep finds what a lost job missed.

ALTER TABLE Participant ADD SafetyVersion INT NOT NULL CONSTRAINT DF_Participant_SafetyVersion DEFAULT 1;
ALTER TABLE Participant ADD SafetyEvaluatedVersion INT NOT NULL CONSTRAINT DF_Participant_SafetyEvaluatedVersion DEFAULT 0;

CREATE TABLE AdverseEvent (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_AdverseEvent PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_AdverseEvent_Participant REFERENCES Participant (Id),
    Term NVARCHAR(500) NOT NULL,
    CodedTerm NVARCHAR(200) NULL,
    OnsetDate DATE NOT NULL,
    EndDate DATE NULL,
    Severity NVARCHAR(20) NOT NULL,
    Serious BIT NOT NULL,
    SeriousCriteria NVARCHAR(300) NOT NULL,
    Relatedness NVARCHAR(20) NOT NULL,
    Expected BIT NOT NULL,
    ActionTaken NVARCHAR(20) NOT NULL,
    Outcome NVARCHAR(30) NOT NULL,
    AwareDate DATE NOT NULL,
    SponsorReportedUtc DATETIME2(7) NULL,
    SpecialInterest NVARCHAR(30) NULL,
    RowVersion INT NOT NULL,
    RecordedUtc DATETIME2(7) NOT NULL,
    RecordedBy UNIQUEIDENTIFIER NOT NULL,
    UpdatedUtc DATETIME2(7) NOT NULL,
    UpdatedBy UNIQUEIDENTIFIER NOT NULL
);

CREATE TABLE SafetyAlert (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_SafetyAlert PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_SafetyAlert_Participant REFERENCES Participant (Id),
    RuleCode NVARCHAR(50) NOT NULL,
    Severity NVARCHAR(20) NOT NULL CONSTRAINT CK_SafetyAlert_Severity CHECK (Severity IN ('low', 'medium', 'high', 'critical')),
    SourceType NVARCHAR(20) NOT NULL,
    SourceKey NVARCHAR(50) NOT NULL,
    VisitCode NVARCHAR(20) NULL,
    Message NVARCHAR(1000) NOT NULL,
    ValuesJson NVARCHAR(2000) NOT NULL,
    Status NVARCHAR(20) NOT NULL CONSTRAINT CK_SafetyAlert_Status CHECK (Status IN ('open', 'acknowledged', 'resolved')),
    Escalated BIT NOT NULL,
    RaisedUtc DATETIME2(7) NOT NULL,
    SupersededUtc DATETIME2(7) NULL,
    ProtocolVersion NVARCHAR(50) NOT NULL,
    CONSTRAINT UQ_SafetyAlert_Participant_Rule_Source UNIQUE (ParticipantId, RuleCode, SourceKey)
);

CREATE TABLE SafetyAlertEvent (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_SafetyAlertEvent PRIMARY KEY,
    AlertId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_SafetyAlertEvent_SafetyAlert REFERENCES SafetyAlert (Id),
    Action NVARCHAR(30) NOT NULL,
    FromStatus NVARCHAR(20) NULL,
    ToStatus NVARCHAR(20) NULL,
    Comment NVARCHAR(2000) NULL,
    ActorId UNIQUEIDENTIFIER NULL,
    ActorRole NVARCHAR(20) NOT NULL,
    AtUtc DATETIME2(7) NOT NULL
);

CREATE TABLE AssessmentRevision (
    AssessmentId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_AssessmentRevision_Assessment REFERENCES Assessment (Id),
    RowVersion INT NOT NULL,
    AdministeredUtc DATETIME2(7) NOT NULL,
    ItemsJson NVARCHAR(4000) NOT NULL,
    ScoresJson NVARCHAR(4000) NOT NULL,
    Complete BIT NOT NULL,
    SeverityBand NVARCHAR(30) NULL,
    DefinitionVersion NVARCHAR(50) NOT NULL,
    ReplacedUtc DATETIME2(7) NOT NULL,
    ReplacedBy UNIQUEIDENTIFIER NOT NULL,
    Reason NVARCHAR(2000) NOT NULL,
    CONSTRAINT PK_AssessmentRevision PRIMARY KEY (AssessmentId, RowVersion)
);

CREATE INDEX IX_AdverseEvent_ParticipantId ON AdverseEvent (ParticipantId);
CREATE INDEX IX_SafetyAlert_Status_RaisedUtc ON SafetyAlert (Status, RaisedUtc);
CREATE INDEX IX_SafetyAlertEvent_AlertId ON SafetyAlertEvent (AlertId);
