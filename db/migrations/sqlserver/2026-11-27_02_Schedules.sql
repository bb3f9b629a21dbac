-- Why: each participant's visit plan is stored so worklists and missed-visit detection can
-- query it across participants. The participant row carries two counters: DataVersion goes up
-- with every write the schedule depends on (visits, infusions, discontinuation), and
-- ScheduleVersion records the DataVersion the stored plan was computed from. Where they
-- differ the plan is stale, and the recurring sweep rebuilds it, so a lost job loses nothing.

ALTER TABLE Participant ADD DataVersion INT NOT NULL CONSTRAINT DF_Participant_DataVersion DEFAULT 1;
ALTER TABLE Participant ADD ScheduleVersion INT NOT NULL CONSTRAINT DF_Participant_ScheduleVersion DEFAULT 0;

CREATE TABLE ScheduledVisit (
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_ScheduledVisit_Participant REFERENCES Participant (Id),
    VisitCode NVARCHAR(20) NOT NULL,
    TargetDate DATE NOT NULL,
    WindowStart DATE NOT NULL,
    WindowEnd DATE NOT NULL,
    Provisional BIT NOT NULL,
    Status NVARCHAR(20) NOT NULL CONSTRAINT CK_ScheduledVisit_Status CHECK (Status IN ('scheduled', 'done', 'missed')),
    ActualDate DATE NULL,
    InWindow BIT NULL,
    ProtocolVersion NVARCHAR(50) NOT NULL,
    ComputedUtc DATETIME2(7) NOT NULL,
    CONSTRAINT PK_ScheduledVisit PRIMARY KEY (ParticipantId, VisitCode)
);

CREATE INDEX IX_ScheduledVisit_Status_WindowEnd ON ScheduledVisit (Status, WindowEnd);
