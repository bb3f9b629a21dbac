-- Why: the protocol restricts concomitant medication (benzodiazepines shortly before an infusion blunt ketamine's effect
-- and confound midazolam's; a new antidepressant or ECT during the infusion phase confounds the primary outcome), so
-- sites record every medication a participant takes, as SDTM's CM domain describes it: the name as written, the ATC code
-- when known (what the safety rule CONMED_PROHIBITED classifies by), dose, route, the start date, and either the end date
-- or that it is ongoing (never both). People enter and correct it, so it has a version (If-Match) like every such record.
-- The safety evaluation reads it with the participant's infusions, so it has no stamp of its own: its writes ask for the
-- whole participant's evaluation.

CREATE TABLE ConcomitantMedication (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_ConcomitantMedication PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_ConcomitantMedication_Participant REFERENCES Participant (Id),
    Name NVARCHAR(200) NOT NULL,
    AtcCode NVARCHAR(7) NULL,
    Dose NVARCHAR(100) NULL,
    Route NVARCHAR(100) NULL,
    StartDate DATE NOT NULL,
    EndDate DATE NULL,
    Ongoing BIT NOT NULL,
    Indication NVARCHAR(500) NULL,
    RowVersion INT NOT NULL,
    RecordedUtc DATETIME2(7) NOT NULL,
    RecordedBy UNIQUEIDENTIFIER NOT NULL,
    UpdatedUtc DATETIME2(7) NOT NULL,
    UpdatedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT CK_ConcomitantMedication_EndOrOngoing CHECK ((Ongoing = 1 AND EndDate IS NULL) OR (Ongoing = 0 AND EndDate IS NOT NULL)),
    CONSTRAINT CK_ConcomitantMedication_Dates CHECK (EndDate IS NULL OR EndDate >= StartDate)
);

CREATE INDEX IX_ConcomitantMedication_ParticipantId ON ConcomitantMedication (ParticipantId, StartDate);
