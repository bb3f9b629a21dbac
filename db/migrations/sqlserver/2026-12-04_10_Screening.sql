-- Why: CONSORT counts everyone assessed for eligibility, not only those enrolled, and the protocol records eligibility at
-- screening (SCR). Screening holds one row per screening: the site, a number the system gives per site (WAW-S0001, from
-- Site.NextScreeningNumber, taken inside the recording transaction like the participant number), the date in the
-- site's calendar, the eligibility answers, the outcome computed from them by the protocol's rules (eligible or
-- screen-failure) with the criteria failed (their codes, semicolon-joined, empty when eligible), and an optional
-- free-text comment (Reason) only admins read. No name and no date of birth is stored.
-- Participant.ScreeningNumber links a participant to the eligible screening it was enrolled from; a screening is used by
-- at most one participant (a unique index over the filled values).
-- Participants enrolled before screenings were recorded get theirs here, so every participant has one: an eligible
-- screening dated on the enrolment date with the answers recorded at enrolment (they were enrolled only when eligible),
-- numbered at each site in the order of the participants' numbers, its Id the participant's Id. These rows have no audit
-- row of their own: the participant's enrolment row records the same answers.

ALTER TABLE Site ADD NextScreeningNumber INT NOT NULL CONSTRAINT DF_Site_NextScreeningNumber DEFAULT 1;

CREATE TABLE Screening (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_Screening PRIMARY KEY,
    ScreeningNumber NVARCHAR(30) NOT NULL CONSTRAINT UQ_Screening_ScreeningNumber UNIQUE,
    SiteCode NVARCHAR(20) NOT NULL CONSTRAINT FK_Screening_Site REFERENCES Site (Code),
    Number INT NOT NULL,
    ScreeningDate DATE NOT NULL,
    Outcome NVARCHAR(20) NOT NULL CONSTRAINT CK_Screening_Outcome CHECK (Outcome IN ('eligible', 'screen-failure')),
    FailedCriteria NVARCHAR(400) NOT NULL,
    FailedAntidepressantTrials INT NOT NULL,
    PsychotherapyWithoutResponse BIT NOT NULL,
    BpdDiagnosis BIT NOT NULL,
    PsychoticPersonalityOrganisation BIT NOT NULL,
    HighSuicideRisk BIT NOT NULL,
    Reason NVARCHAR(2000) NULL,
    ProtocolVersion NVARCHAR(50) NOT NULL,
    RecordedUtc DATETIME2(7) NOT NULL,
    RecordedBy UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT UQ_Screening_Site_Number UNIQUE (SiteCode, Number)
);

ALTER TABLE Participant ADD ScreeningNumber NVARCHAR(30) NULL;
GO

CREATE UNIQUE INDEX UX_Participant_ScreeningNumber ON Participant (ScreeningNumber) WHERE ScreeningNumber IS NOT NULL;

INSERT INTO Screening (Id, ScreeningNumber, SiteCode, Number, ScreeningDate, Outcome, FailedCriteria, FailedAntidepressantTrials,
                       PsychotherapyWithoutResponse, BpdDiagnosis, PsychoticPersonalityOrganisation, HighSuicideRisk, Reason, ProtocolVersion,
                       RecordedUtc, RecordedBy)
SELECT n.Id, n.SiteCode + N'-S' + FORMAT(n.Number, '0000'), n.SiteCode, n.Number, n.EnrolledDate, N'eligible', N'', n.FailedAntidepressantTrials,
       n.PsychotherapyWithoutResponse, n.BpdDiagnosis, n.PsychoticPersonalityOrganisation, n.HighSuicideRisk, NULL, n.ProtocolVersion,
       n.EnrolledUtc, n.CreatedBy
FROM (SELECT p.Id, p.SiteCode, ROW_NUMBER() OVER (PARTITION BY p.SiteCode ORDER BY p.Number) AS Number, p.EnrolledDate, p.FailedAntidepressantTrials,
             p.PsychotherapyWithoutResponse, p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk, p.ProtocolVersion,
             p.EnrolledUtc, p.CreatedBy
      FROM Participant p) AS n;

UPDATE Participant SET ScreeningNumber = (SELECT s.ScreeningNumber FROM Screening s WHERE s.Id = Participant.Id);
UPDATE Site SET NextScreeningNumber = 1 + (SELECT COUNT(*) FROM Screening s WHERE s.SiteCode = Site.Code);
