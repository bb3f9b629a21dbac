-- Why: a controlled trial (ICH E9, E6(R3)): concealed stratified randomisation, blinding, emergency unblinding and
-- blinding integrity.
-- AppUser.Role gains the unblinded roles pharmacist and unblinded-statistician. SQLite cannot change a CHECK
-- constraint in place, so AppUser is rebuilt; UserSite and ApiToken, which reference it, are set aside and restored
-- around it, so no foreign key ever points at a user that is not there.
-- RandomisationCounter and RandomisationStratum hold the next randomisation number and each stratum's next place in
-- its sequence, taken inside the randomising transaction (a failed randomisation gives its place back).
-- Allocation is who was allocated to which arm, at which place of which stratum; AllocationListEntry an allocation
-- list imported by the unblinded statistician; Preparation what the unblinded pharmacy prepared for each infusion;
-- Unblinding every emergency unblinding, and Participant.UnblindedUtc the flag the extracts read; BlindingGuess the
-- guesses of the arm by rater and participant. These hold the arm, which the blinded never read: the audit trail
-- records their changes without it. Except the imported list (replaceable until first used), they are append-only.
-- In a blinded study the investigator records an infusion by the preparation given, not by a dose they must not know:
-- Infusion is rebuilt so that dose and total dose may be empty, with the preparation and its volume beside them, and
-- a check that an infusion carries either a dose or a preparation.

CREATE TABLE UserSite_Kept AS SELECT UserId, SiteCode FROM UserSite;
CREATE TABLE ApiToken_Kept AS SELECT Id, UserId, TokenHash, CreatedUtc, ExpiresUtc, RevokedUtc FROM ApiToken;
DROP TABLE UserSite;
DROP TABLE ApiToken;

CREATE TABLE AppUser_New (
    Id TEXT NOT NULL CONSTRAINT PK_AppUser PRIMARY KEY,
    Name TEXT NOT NULL,
    Role TEXT NOT NULL CONSTRAINT CK_AppUser_Role CHECK (Role IN ('admin', 'investigator', 'monitor', 'statistician', 'pharmacist', 'unblinded-statistician')),
    CreatedUtc TEXT NOT NULL,
    CreatedBy TEXT NULL
);
INSERT INTO AppUser_New (Id, Name, Role, CreatedUtc, CreatedBy) SELECT Id, Name, Role, CreatedUtc, CreatedBy FROM AppUser;
DROP TABLE AppUser;
ALTER TABLE AppUser_New RENAME TO AppUser;

CREATE TABLE UserSite (
    UserId TEXT NOT NULL CONSTRAINT FK_UserSite_AppUser REFERENCES AppUser (Id),
    SiteCode TEXT NOT NULL CONSTRAINT FK_UserSite_Site REFERENCES Site (Code),
    CONSTRAINT PK_UserSite PRIMARY KEY (UserId, SiteCode)
);
INSERT INTO UserSite (UserId, SiteCode) SELECT UserId, SiteCode FROM UserSite_Kept;

CREATE TABLE ApiToken (
    Id TEXT NOT NULL CONSTRAINT PK_ApiToken PRIMARY KEY,
    UserId TEXT NOT NULL CONSTRAINT FK_ApiToken_AppUser REFERENCES AppUser (Id),
    TokenHash TEXT NOT NULL CONSTRAINT UQ_ApiToken_TokenHash UNIQUE,
    CreatedUtc TEXT NOT NULL,
    ExpiresUtc TEXT NOT NULL,
    RevokedUtc TEXT NULL
);
INSERT INTO ApiToken (Id, UserId, TokenHash, CreatedUtc, ExpiresUtc, RevokedUtc)
    SELECT Id, UserId, TokenHash, CreatedUtc, ExpiresUtc, RevokedUtc FROM ApiToken_Kept;
CREATE INDEX IX_ApiToken_UserId ON ApiToken (UserId);

DROP TABLE UserSite_Kept;
DROP TABLE ApiToken_Kept;

CREATE TABLE RandomisationCounter (
    Id INTEGER NOT NULL CONSTRAINT PK_RandomisationCounter PRIMARY KEY CONSTRAINT CK_RandomisationCounter_One CHECK (Id = 1),
    NextNumber INTEGER NOT NULL
);

INSERT INTO RandomisationCounter (Id, NextNumber) VALUES (1, 1);

CREATE TABLE RandomisationStratum (
    Stratum TEXT NOT NULL CONSTRAINT PK_RandomisationStratum PRIMARY KEY,
    NextSequence INTEGER NOT NULL
);

CREATE TABLE AllocationListEntry (
    Stratum TEXT NOT NULL,
    SequenceNumber INTEGER NOT NULL,
    Arm TEXT NOT NULL,
    ImportedUtc TEXT NOT NULL,
    ImportedBy TEXT NOT NULL,
    CONSTRAINT PK_AllocationListEntry PRIMARY KEY (Stratum, SequenceNumber)
);

CREATE TABLE Allocation (
    ParticipantId TEXT NOT NULL CONSTRAINT PK_Allocation PRIMARY KEY CONSTRAINT FK_Allocation_Participant REFERENCES Participant (Id),
    RandomisationNumber INTEGER NOT NULL CONSTRAINT UQ_Allocation_RandomisationNumber UNIQUE,
    Stratum TEXT NOT NULL,
    SequenceNumber INTEGER NOT NULL,
    Arm TEXT NOT NULL,
    Method TEXT NOT NULL CONSTRAINT CK_Allocation_Method CHECK (Method IN ('permuted-blocks', 'imported-list')),
    BaselineMadrsTotal DECIMAL(6, 2) NULL,
    RandomisedUtc TEXT NOT NULL,
    RandomisedBy TEXT NOT NULL,
    ProtocolVersion TEXT NOT NULL,
    CONSTRAINT UQ_Allocation_Stratum_Sequence UNIQUE (Stratum, SequenceNumber)
);

CREATE TABLE Preparation (
    Id TEXT NOT NULL CONSTRAINT PK_Preparation PRIMARY KEY,
    PreparationId TEXT NOT NULL CONSTRAINT UQ_Preparation_PreparationId UNIQUE,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_Preparation_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    Arm TEXT NOT NULL,
    DoseMgPerKg DECIMAL(6, 3) NOT NULL,
    TotalDoseMg DECIMAL(8, 2) NOT NULL,
    VolumeMl DECIMAL(7, 2) NOT NULL,
    WeightKg DECIMAL(6, 2) NOT NULL,
    PreparedUtc TEXT NOT NULL,
    PreparedBy TEXT NOT NULL,
    CONSTRAINT UQ_Preparation_Participant_Visit UNIQUE (ParticipantId, VisitCode)
);

CREATE TABLE Unblinding (
    Id TEXT NOT NULL CONSTRAINT PK_Unblinding PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_Unblinding_Participant REFERENCES Participant (Id),
    Reason TEXT NOT NULL,
    UnblindedUtc TEXT NOT NULL,
    UnblindedBy TEXT NOT NULL
);

CREATE TABLE BlindingGuess (
    Id TEXT NOT NULL CONSTRAINT PK_BlindingGuess PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_BlindingGuess_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    Guesser TEXT NOT NULL CONSTRAINT CK_BlindingGuess_Guesser CHECK (Guesser IN ('rater', 'participant')),
    Guess TEXT NOT NULL,
    RecordedUtc TEXT NOT NULL,
    RecordedBy TEXT NOT NULL,
    CONSTRAINT UQ_BlindingGuess_Participant_Visit_Guesser UNIQUE (ParticipantId, VisitCode, Guesser)
);

CREATE INDEX IX_Unblinding_ParticipantId ON Unblinding (ParticipantId);

ALTER TABLE Participant ADD COLUMN UnblindedUtc TEXT NULL;

CREATE TABLE Infusion_New (
    Id TEXT NOT NULL CONSTRAINT PK_Infusion PRIMARY KEY,
    ParticipantId TEXT NOT NULL CONSTRAINT FK_Infusion_Participant REFERENCES Participant (Id),
    VisitCode TEXT NOT NULL,
    WeightKg DECIMAL(6, 2) NOT NULL,
    DoseMgPerKg DECIMAL(6, 3) NULL,
    TotalDoseMg DECIMAL(8, 2) NULL,
    Route TEXT NOT NULL,
    StartUtc TEXT NOT NULL,
    EndUtc TEXT NOT NULL,
    RecordedUtc TEXT NOT NULL,
    RecordedBy TEXT NOT NULL,
    RowVersion INTEGER NOT NULL CONSTRAINT DF_Infusion_RowVersion DEFAULT 1,
    UpdatedUtc TEXT NULL,
    UpdatedBy TEXT NULL,
    PreparationId TEXT NULL CONSTRAINT FK_Infusion_Preparation REFERENCES Preparation (PreparationId),
    VolumeMl DECIMAL(7, 2) NULL,
    CONSTRAINT UQ_Infusion_Participant_Visit UNIQUE (ParticipantId, VisitCode),
    CONSTRAINT CK_Infusion_DoseOrPreparation CHECK (
        (DoseMgPerKg IS NOT NULL AND TotalDoseMg IS NOT NULL AND PreparationId IS NULL AND VolumeMl IS NULL)
        OR (DoseMgPerKg IS NULL AND TotalDoseMg IS NULL AND PreparationId IS NOT NULL AND VolumeMl IS NOT NULL))
);
INSERT INTO Infusion_New (Id, ParticipantId, VisitCode, WeightKg, DoseMgPerKg, TotalDoseMg, Route, StartUtc, EndUtc, RecordedUtc, RecordedBy,
                          RowVersion, UpdatedUtc, UpdatedBy, PreparationId, VolumeMl)
    SELECT Id, ParticipantId, VisitCode, WeightKg, DoseMgPerKg, TotalDoseMg, Route, StartUtc, EndUtc, RecordedUtc, RecordedBy,
           RowVersion, UpdatedUtc, UpdatedBy, NULL, NULL
    FROM Infusion;
DROP TABLE Infusion;
ALTER TABLE Infusion_New RENAME TO Infusion;

CREATE TRIGGER TR_Allocation_NoUpdate BEFORE UPDATE ON Allocation
BEGIN
    SELECT RAISE(ABORT, 'Allocations are append-only: an allocation cannot be changed.');
END;

CREATE TRIGGER TR_Allocation_NoDelete BEFORE DELETE ON Allocation
BEGIN
    SELECT RAISE(ABORT, 'Allocations are append-only: an allocation cannot be deleted.');
END;

CREATE TRIGGER TR_Preparation_NoUpdate BEFORE UPDATE ON Preparation
BEGIN
    SELECT RAISE(ABORT, 'Preparations are append-only: a preparation cannot be changed.');
END;

CREATE TRIGGER TR_Preparation_NoDelete BEFORE DELETE ON Preparation
BEGIN
    SELECT RAISE(ABORT, 'Preparations are append-only: a preparation cannot be deleted.');
END;

CREATE TRIGGER TR_Unblinding_NoUpdate BEFORE UPDATE ON Unblinding
BEGIN
    SELECT RAISE(ABORT, 'Unblindings are append-only: an unblinding cannot be changed.');
END;

CREATE TRIGGER TR_Unblinding_NoDelete BEFORE DELETE ON Unblinding
BEGIN
    SELECT RAISE(ABORT, 'Unblindings are append-only: an unblinding cannot be deleted.');
END;

CREATE TRIGGER TR_BlindingGuess_NoUpdate BEFORE UPDATE ON BlindingGuess
BEGIN
    SELECT RAISE(ABORT, 'Blinding guesses are append-only: a guess cannot be changed.');
END;

CREATE TRIGGER TR_BlindingGuess_NoDelete BEFORE DELETE ON BlindingGuess
BEGIN
    SELECT RAISE(ABORT, 'Blinding guesses are append-only: a guess cannot be deleted.');
END;
