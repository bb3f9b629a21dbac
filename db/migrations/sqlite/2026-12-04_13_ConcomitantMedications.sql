-- Why: the protocol restricts concomitant medication (benzodiazepines shortly before an infusion blunt ketamine's effect
-- and confound midazolam's; a new antidepressant or ECT during the infusion phase confounds the primary outcome), so
-- sites record every medication a participant takes, as SDTM's CM domain describes it: the name as written, the ATC code
-- when known (what the safety rule CONMED_PROHIBITED classifies by), dose, route, the start date, and either the end date
-- or that it is ongoing (never both). People enter and correct it, so it has a version (If-Match) like every such record.
-- The safety evaluation reads it with the participant's infusions, so it has no stamp of its own: its writes ask for the
-- whole participant's evaluation.

CREATE TABLE ConcomitantMedication (
    Id TEXT NOT NULL CONSTRAINT PK_ConcomitantMedication PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_ConcomitantMedication_Participant REFERENCES Participant (Id),
    Name TEXT NOT NULL,
    AtcCode TEXT NULL,
    Dose TEXT NULL,
    Route TEXT NULL,
    StartDate TEXT NOT NULL,
    EndDate TEXT NULL,
    Ongoing INTEGER NOT NULL,
    Indication TEXT NULL,
    RowVersion INTEGER NOT NULL,
    RecordedUtc TEXT NOT NULL,
    RecordedBy TEXT NOT NULL,
    UpdatedUtc TEXT NOT NULL,
    UpdatedBy TEXT NOT NULL,
    CONSTRAINT CK_ConcomitantMedication_EndOrOngoing CHECK ((Ongoing = 1 AND EndDate IS NULL) OR (Ongoing = 0 AND EndDate IS NOT NULL)),
    CONSTRAINT CK_ConcomitantMedication_Dates CHECK (EndDate IS NULL OR EndDate >= StartDate)
);

CREATE INDEX IX_ConcomitantMedication_ParticipantId ON ConcomitantMedication (ParticipantId, StartDate);
