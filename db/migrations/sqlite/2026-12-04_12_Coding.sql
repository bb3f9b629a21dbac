-- Why: adverse events are coded to a dictionary (MedDRA, supplied by the sponsor under its licence, or a two-level
-- dictionary of preferred terms and system organ classes) by a coder, a blinded role that reads the verbatim terms.
-- AppUser.Role gains coder. SQLite cannot change a CHECK constraint in place, so AppUser is rebuilt as in
-- 2026-11-30_07_Randomisation; UserSite and ApiToken, which reference it, are set aside and restored around it, so no
-- foreign key ever points at a user that is not there.
-- CodingDictionary is one load of a dictionary: its name and version, where it came from (csv or meddra), how many
-- terms it holds, who loaded it and when. Number orders the loads: the highest is the current dictionary, the one new
-- codings use. A load is never changed or removed (events coded to it keep their terms).
-- CodingTerm holds the terms a coder can code to: for a two-level dictionary its preferred terms (TermCode is the
-- preferred term's code); for MedDRA its lowest level terms (TermCode is the LLT code) with the preferred term each
-- belongs to and that term's primary system organ class. IsCurrent is MedDRA's LLT currency (always 1 for two levels).
-- AdverseEvent gains its coding: the dictionary load and term it was coded to, the verbatim term as it read when it
-- was coded (a later change of the verbatim term puts the event back on the coder's list), and who coded it when.

CREATE TABLE UserSite_Kept AS SELECT UserId, SiteCode FROM UserSite;
CREATE TABLE ApiToken_Kept AS SELECT Id, UserId, TokenHash, CreatedUtc, ExpiresUtc, RevokedUtc FROM ApiToken;
DROP TABLE UserSite;
DROP TABLE ApiToken;

CREATE TABLE AppUser_New (
    Id TEXT NOT NULL CONSTRAINT PK_AppUser PRIMARY KEY,
    Name TEXT NOT NULL,
    Role TEXT NOT NULL CONSTRAINT CK_AppUser_Role CHECK (Role IN ('admin', 'investigator', 'monitor', 'statistician', 'pharmacist', 'unblinded-statistician', 'coder')),
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

CREATE TABLE CodingDictionary (
    Id TEXT NOT NULL CONSTRAINT PK_CodingDictionary PRIMARY KEY,
    Number INTEGER NOT NULL CONSTRAINT UQ_CodingDictionary_Number UNIQUE,
    Name TEXT NOT NULL,
    Version TEXT NOT NULL,
    Source TEXT NOT NULL CONSTRAINT CK_CodingDictionary_Source CHECK (Source IN ('csv', 'meddra')),
    TermCount INTEGER NOT NULL,
    LoadedUtc TEXT NOT NULL,
    LoadedBy TEXT NOT NULL,
    CONSTRAINT UQ_CodingDictionary_Name_Version UNIQUE (Name, Version)
);

CREATE TABLE CodingTerm (
    DictionaryId TEXT NOT NULL CONSTRAINT FK_CodingTerm_CodingDictionary REFERENCES CodingDictionary (Id),
    TermCode TEXT NOT NULL,
    Term TEXT NOT NULL,
    PreferredTermCode TEXT NOT NULL,
    PreferredTerm TEXT NOT NULL,
    SocCode TEXT NOT NULL,
    Soc TEXT NOT NULL,
    IsCurrent INTEGER NOT NULL,
    CONSTRAINT PK_CodingTerm PRIMARY KEY (DictionaryId, TermCode)
);

ALTER TABLE AdverseEvent ADD COLUMN CodingDictionaryId TEXT NULL CONSTRAINT FK_AdverseEvent_CodingDictionary REFERENCES CodingDictionary (Id);
ALTER TABLE AdverseEvent ADD COLUMN CodingTermCode TEXT NULL;
ALTER TABLE AdverseEvent ADD COLUMN CodedVerbatim TEXT NULL;
ALTER TABLE AdverseEvent ADD COLUMN CodedUtc TEXT NULL;
ALTER TABLE AdverseEvent ADD COLUMN CodedBy TEXT NULL;
