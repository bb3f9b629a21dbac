-- Why: safety. Adverse events with the ICH E2A fields; the alerts the protocol's rules raise,
-- one per rule and source record, never deleted (superseded when a correction removes their
-- cause); every state change of an alert with who, when and why; and the earlier versions of
-- corrected assessments. SafetyVersion goes up with every write the rules read; the participant's
-- alerts were evaluated at SafetyEvaluatedVersion, so the recurring sweep finds what a lost job missed.

ALTER TABLE Participant ADD COLUMN SafetyVersion INTEGER NOT NULL CONSTRAINT DF_Participant_SafetyVersion DEFAULT 1;
ALTER TABLE Participant ADD COLUMN SafetyEvaluatedVersion INTEGER NOT NULL CONSTRAINT DF_Participant_SafetyEvaluatedVersion DEFAULT 0;

CREATE TABLE AdverseEvent (
    Id TEXT NOT NULL CONSTRAINT PK_AdverseEvent PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_AdverseEvent_Participant REFERENCES Participant (Id),
    Term TEXT NOT NULL,
    CodedTerm TEXT NULL,
    OnsetDate TEXT NOT NULL,
    EndDate TEXT NULL,
    Severity TEXT NOT NULL,
    Serious INTEGER NOT NULL,
    SeriousCriteria TEXT NOT NULL,
    Relatedness TEXT NOT NULL,
    Expected INTEGER NOT NULL,
    ActionTaken TEXT NOT NULL,
    Outcome TEXT NOT NULL,
    AwareDate TEXT NOT NULL,
    SponsorReportedUtc TEXT NULL,
    SpecialInterest TEXT NULL,
    RowVersion INTEGER NOT NULL,
    RecordedUtc TEXT NOT NULL,
    RecordedBy TEXT NOT NULL,
    UpdatedUtc TEXT NOT NULL,
    UpdatedBy TEXT NOT NULL
);

CREATE TABLE SafetyAlert (
    Id TEXT NOT NULL CONSTRAINT PK_SafetyAlert PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_SafetyAlert_Participant REFERENCES Participant (Id),
    RuleCode TEXT NOT NULL,
    Severity TEXT NOT NULL CONSTRAINT CK_SafetyAlert_Severity CHECK (Severity IN ('low', 'medium', 'high', 'critical')),
    SourceType TEXT NOT NULL,
    SourceKey TEXT NOT NULL,
    VisitCode TEXT NULL,
    Message TEXT NOT NULL,
    ValuesJson TEXT NOT NULL,
    Status TEXT NOT NULL CONSTRAINT CK_SafetyAlert_Status CHECK (Status IN ('open', 'acknowledged', 'resolved')),
    Escalated INTEGER NOT NULL,
    RaisedUtc TEXT NOT NULL,
    SupersededUtc TEXT NULL,
    ProtocolVersion TEXT NOT NULL,
    CONSTRAINT UQ_SafetyAlert_Participant_Rule_Source UNIQUE (ParticipantId, RuleCode, SourceKey)
);

CREATE TABLE SafetyAlertEvent (
    Id TEXT NOT NULL CONSTRAINT PK_SafetyAlertEvent PRIMARY KEY,
    AlertId TEXT NOT NULL CONSTRAINT FK_SafetyAlertEvent_SafetyAlert REFERENCES SafetyAlert (Id),
    Action TEXT NOT NULL,
    FromStatus TEXT NULL,
    ToStatus TEXT NULL,
    Comment TEXT NULL,
    ActorId TEXT NULL,
    ActorRole TEXT NOT NULL,
    AtUtc TEXT NOT NULL
);

CREATE TABLE AssessmentRevision (
    AssessmentId TEXT NOT NULL CONSTRAINT FK_AssessmentRevision_Assessment REFERENCES Assessment (Id),
    RowVersion INTEGER NOT NULL,
    AdministeredUtc TEXT NOT NULL,
    ItemsJson TEXT NOT NULL,
    ScoresJson TEXT NOT NULL,
    Complete INTEGER NOT NULL,
    SeverityBand TEXT NULL,
    DefinitionVersion TEXT NOT NULL,
    ReplacedUtc TEXT NOT NULL,
    ReplacedBy TEXT NOT NULL,
    Reason TEXT NOT NULL,
    CONSTRAINT PK_AssessmentRevision PRIMARY KEY (AssessmentId, RowVersion)
);

CREATE INDEX IX_AdverseEvent_ParticipantId ON AdverseEvent (ParticipantId);
CREATE INDEX IX_SafetyAlert_Status_RaisedUtc ON SafetyAlert (Status, RaisedUtc);
CREATE INDEX IX_SafetyAlertEvent_AlertId ON SafetyAlertEvent (AlertId);
