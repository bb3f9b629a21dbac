-- Why: a controlled trial (ICH E9, E6(R3)): concealed stratified randomisation, blinding, emergency unblinding and
-- blinding integrity.
-- AppUser.Role gains the unblinded roles pharmacist and unblinded-statistician.
-- RandomisationCounter and RandomisationStratum hold the next randomisation number and each stratum's next place in
-- its sequence, taken inside the randomising transaction (a failed randomisation gives its place back).
-- Allocation is who was allocated to which arm, at which place of which stratum; AllocationListEntry an allocation
-- list imported by the unblinded statistician; Preparation what the unblinded pharmacy prepared for each infusion;
-- Unblinding every emergency unblinding, and Participant.UnblindedUtc the flag the extracts read; BlindingGuess the
-- guesses of the arm by rater and participant. These hold the arm, which the blinded never read: the audit trail
-- records their changes without it. Except the imported list (replaceable until first used), they are append-only.
-- In a blinded study the investigator records an infusion by the preparation given, not by a dose they must not know:
-- an infusion's dose and total dose may be empty, with the preparation and its volume beside them, and a check that
-- an infusion carries either a dose or a preparation.

ALTER TABLE AppUser DROP CONSTRAINT CK_AppUser_Role;
ALTER TABLE AppUser ADD CONSTRAINT CK_AppUser_Role
    CHECK (Role IN ('admin', 'investigator', 'monitor', 'statistician', 'pharmacist', 'unblinded-statistician'));

CREATE TABLE RandomisationCounter (
    Id INT NOT NULL CONSTRAINT PK_RandomisationCounter PRIMARY KEY CONSTRAINT CK_RandomisationCounter_One CHECK (Id = 1),
    NextNumber INT NOT NULL
);

INSERT INTO RandomisationCounter (Id, NextNumber) VALUES (1, 1);

CREATE TABLE RandomisationStratum (
    Stratum NVARCHAR(100) NOT NULL CONSTRAINT PK_RandomisationStratum PRIMARY KEY,
    NextSequence INT NOT NULL
);

CREATE TABLE AllocationListEntry (
    Stratum NVARCHAR(100) NOT NULL,
    SequenceNumber INT NOT NULL,
    Arm NVARCHAR(20) NOT NULL,
    ImportedUtc DATETIME2(7) NOT NULL,
    ImportedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT PK_AllocationListEntry PRIMARY KEY (Stratum, SequenceNumber)
);

CREATE TABLE Allocation (
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_Allocation PRIMARY KEY CONSTRAINT FK_Allocation_Participant REFERENCES Participant (Id),
    RandomisationNumber INT NOT NULL CONSTRAINT UQ_Allocation_RandomisationNumber UNIQUE,
    Stratum NVARCHAR(100) NOT NULL,
    SequenceNumber INT NOT NULL,
    Arm NVARCHAR(20) NOT NULL,
    Method NVARCHAR(30) NOT NULL CONSTRAINT CK_Allocation_Method CHECK (Method IN ('permuted-blocks', 'imported-list')),
    BaselineMadrsTotal DECIMAL(6, 2) NULL,
    RandomisedUtc DATETIME2(7) NOT NULL,
    RandomisedBy UNIQUEIDENTIFIER NOT NULL,
    ProtocolVersion NVARCHAR(50) NOT NULL,
    CONSTRAINT UQ_Allocation_Stratum_Sequence UNIQUE (Stratum, SequenceNumber)
);

CREATE TABLE Preparation (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_Preparation PRIMARY KEY,
    PreparationId NVARCHAR(50) NOT NULL CONSTRAINT UQ_Preparation_PreparationId UNIQUE,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_Preparation_Participant REFERENCES Participant (Id),
    VisitCode NVARCHAR(20) NOT NULL,
    Arm NVARCHAR(20) NOT NULL,
    DoseMgPerKg DECIMAL(6, 3) NOT NULL,
    TotalDoseMg DECIMAL(8, 2) NOT NULL,
    VolumeMl DECIMAL(7, 2) NOT NULL,
    WeightKg DECIMAL(6, 2) NOT NULL,
    PreparedUtc DATETIME2(7) NOT NULL,
    PreparedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_Preparation_Participant_Visit UNIQUE (ParticipantId, VisitCode)
);

CREATE TABLE Unblinding (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_Unblinding PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_Unblinding_Participant REFERENCES Participant (Id),
    Reason NVARCHAR(2000) NOT NULL,
    UnblindedUtc DATETIME2(7) NOT NULL,
    UnblindedBy UNIQUEIDENTIFIER NOT NULL
);

CREATE TABLE BlindingGuess (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_BlindingGuess PRIMARY KEY,
    ParticipantId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_BlindingGuess_Participant REFERENCES Participant (Id),
    VisitCode NVARCHAR(20) NOT NULL,
    Guesser NVARCHAR(20) NOT NULL CONSTRAINT CK_BlindingGuess_Guesser CHECK (Guesser IN ('rater', 'participant')),
    Guess NVARCHAR(20) NOT NULL,
    RecordedUtc DATETIME2(7) NOT NULL,
    RecordedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_BlindingGuess_Participant_Visit_Guesser UNIQUE (ParticipantId, VisitCode, Guesser)
);

CREATE INDEX IX_Unblinding_ParticipantId ON Unblinding (ParticipantId);

ALTER TABLE Participant ADD UnblindedUtc DATETIME2(7) NULL;

ALTER TABLE Infusion ALTER COLUMN DoseMgPerKg DECIMAL(6, 3) NULL;
ALTER TABLE Infusion ALTER COLUMN TotalDoseMg DECIMAL(8, 2) NULL;
ALTER TABLE Infusion ADD PreparationId NVARCHAR(50) NULL CONSTRAINT FK_Infusion_Preparation REFERENCES Preparation (PreparationId);
ALTER TABLE Infusion ADD VolumeMl DECIMAL(7, 2) NULL;
GO

-- A batch of its own: the columns it checks were added in the batch before.
ALTER TABLE Infusion ADD CONSTRAINT CK_Infusion_DoseOrPreparation CHECK (
    (DoseMgPerKg IS NOT NULL AND TotalDoseMg IS NOT NULL AND PreparationId IS NULL AND VolumeMl IS NULL)
    OR (DoseMgPerKg IS NULL AND TotalDoseMg IS NULL AND PreparationId IS NOT NULL AND VolumeMl IS NOT NULL));
GO

CREATE TRIGGER TR_Allocation_AppendOnly ON Allocation INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51001, 'Allocations are append-only: an allocation cannot be changed or deleted.', 1;
END;
GO

CREATE TRIGGER TR_Preparation_AppendOnly ON Preparation INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51002, 'Preparations are append-only: a preparation cannot be changed or deleted.', 1;
END;
GO

CREATE TRIGGER TR_Unblinding_AppendOnly ON Unblinding INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51003, 'Unblindings are append-only: an unblinding cannot be changed or deleted.', 1;
END;
GO

CREATE TRIGGER TR_BlindingGuess_AppendOnly ON BlindingGuess INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51004, 'Blinding guesses are append-only: a guess cannot be changed or deleted.', 1;
END;
GO
