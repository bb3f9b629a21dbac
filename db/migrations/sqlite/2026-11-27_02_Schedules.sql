-- Why: each participant's visit plan is stored so worklists and missed-visit detection can
-- query it across participants. The participant row carries two counters: DataVersion goes up
-- with every write the schedule depends on (visits, infusions, discontinuation), and
-- ScheduleVersion records the DataVersion the stored plan was computed from. Where they
-- differ the plan is stale, and the recurring sweep rebuilds it, so a lost job loses nothing.

ALTER TABLE Participant ADD COLUMN DataVersion INTEGER NOT NULL CONSTRAINT DF_Participant_DataVersion DEFAULT 1;
ALTER TABLE Participant ADD COLUMN ScheduleVersion INTEGER NOT NULL CONSTRAINT DF_Participant_ScheduleVersion DEFAULT 0;

CREATE TABLE ScheduledVisit (
    ParticipantId TEXT NOT NULL CONSTRAINT FK_ScheduledVisit_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    TargetDate TEXT NOT NULL,
    WindowStart TEXT NOT NULL,
    WindowEnd TEXT NOT NULL,
    Provisional INTEGER NOT NULL,
    Status TEXT NOT NULL CONSTRAINT CK_ScheduledVisit_Status CHECK (Status IN ('scheduled', 'done', 'missed')),
    ActualDate TEXT NULL,
    InWindow INTEGER NULL,
    ProtocolVersion TEXT NOT NULL,
    ComputedUtc TEXT NOT NULL,
    CONSTRAINT PK_ScheduledVisit PRIMARY KEY (ParticipantId, VisitCode)
);

CREATE INDEX IX_ScheduledVisit_Status_WindowEnd ON ScheduledVisit (Status, WindowEnd);
