-- Why: adverse events are coded to a dictionary (MedDRA, supplied by the sponsor under its licence, or a two-level
-- dictionary of preferred terms and system organ classes) by a coder, a blinded role that reads the verbatim terms.
-- AppUser.Role gains coder.
-- CodingDictionary is one load of a dictionary: its name and version, where it came from (csv or meddra), how many
-- terms it holds, who loaded it and when. Number orders the loads: the highest is the current dictionary, the one new
-- codings use. A load is never changed or removed (events coded to it keep their terms).
-- CodingTerm holds the terms a coder can code to: for a two-level dictionary its preferred terms (TermCode is the
-- preferred term's code); for MedDRA its lowest level terms (TermCode is the LLT code) with the preferred term each
-- belongs to and that term's primary system organ class. IsCurrent is MedDRA's LLT currency (always 1 for two levels).
-- AdverseEvent gains its coding: the dictionary load and term it was coded to, the verbatim term as it read when it
-- was coded (a later change of the verbatim term puts the event back on the coder's list), and who coded it when.

ALTER TABLE AppUser DROP CONSTRAINT CK_AppUser_Role;
ALTER TABLE AppUser ADD CONSTRAINT CK_AppUser_Role
    CHECK (Role IN ('admin', 'investigator', 'monitor', 'statistician', 'pharmacist', 'unblinded-statistician', 'coder'));

CREATE TABLE CodingDictionary (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_CodingDictionary PRIMARY KEY,
    Number INT NOT NULL CONSTRAINT UQ_CodingDictionary_Number UNIQUE,
    Name NVARCHAR(100) NOT NULL,
    Version NVARCHAR(50) NOT NULL,
    Source NVARCHAR(10) NOT NULL CONSTRAINT CK_CodingDictionary_Source CHECK (Source IN ('csv', 'meddra')),
    TermCount INT NOT NULL,
    LoadedUtc DATETIME2(7) NOT NULL,
    LoadedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_CodingDictionary_Name_Version UNIQUE (Name, Version)
);

CREATE TABLE CodingTerm (
    DictionaryId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_CodingTerm_CodingDictionary REFERENCES CodingDictionary (Id),
    TermCode NVARCHAR(20) NOT NULL,
    Term NVARCHAR(200) NOT NULL,
    PreferredTermCode NVARCHAR(20) NOT NULL,
    PreferredTerm NVARCHAR(200) NOT NULL,
    SocCode NVARCHAR(20) NOT NULL,
    Soc NVARCHAR(200) NOT NULL,
    IsCurrent BIT NOT NULL,
    CONSTRAINT PK_CodingTerm PRIMARY KEY (DictionaryId, TermCode)
);

ALTER TABLE AdverseEvent ADD
    CodingDictionaryId UNIQUEIDENTIFIER NULL CONSTRAINT FK_AdverseEvent_CodingDictionary REFERENCES CodingDictionary (Id),
    CodingTermCode NVARCHAR(20) NULL,
    CodedVerbatim NVARCHAR(500) NULL,
    CodedUtc DATETIME2(7) NULL,
    CodedBy UNIQUEIDENTIFIER NULL;
