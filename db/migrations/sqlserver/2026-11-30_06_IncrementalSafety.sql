-- Why: incremental safety evaluation. One more assessment must not make the evaluation read and re-evaluate
-- the participant's whole history, so the evaluation needs to know what is new and to find the few stored
-- records a new one is compared with.
-- Assessments, vital signs and adverse events get SafetyEvaluatedVersion: NULL until an evaluation has seen
-- the record, then the participant's SafetyVersion that evaluation saw (0 for records older than this script).
-- Participant.SafetyFullVersion is the SafetyVersion of the last write that may have changed findings already
-- made (a correction, a visit date, a discontinuation, a withdrawal, a missed visit): while it is above
-- SafetyEvaluatedVersion, the participant is evaluated whole. Participants waiting for an evaluation when this
-- script runs get a whole one.
-- Assessments are indexed by participant, instrument and time, so the evaluation reads the latest ones of an
-- instrument without reading the others; alerts by participant and source record, so it reads only those of
-- the new records.

ALTER TABLE Participant ADD SafetyFullVersion INT NOT NULL CONSTRAINT DF_Participant_SafetyFullVersion DEFAULT 0;
ALTER TABLE Assessment ADD SafetyEvaluatedVersion INT NULL;
ALTER TABLE VitalSign ADD SafetyEvaluatedVersion INT NULL;
ALTER TABLE AdverseEvent ADD SafetyEvaluatedVersion INT NULL;
GO

UPDATE Participant SET SafetyFullVersion = SafetyVersion;
UPDATE Assessment SET SafetyEvaluatedVersion = 0;
UPDATE VitalSign SET SafetyEvaluatedVersion = 0;
UPDATE AdverseEvent SET SafetyEvaluatedVersion = 0;

CREATE INDEX IX_Assessment_ParticipantId_SafetyEvaluatedVersion ON Assessment (ParticipantId, SafetyEvaluatedVersion);
CREATE INDEX IX_VitalSign_ParticipantId_SafetyEvaluatedVersion ON VitalSign (ParticipantId, SafetyEvaluatedVersion);
CREATE INDEX IX_AdverseEvent_ParticipantId_SafetyEvaluatedVersion ON AdverseEvent (ParticipantId, SafetyEvaluatedVersion);
CREATE INDEX IX_Assessment_ParticipantId_Instrument_AdministeredUtc ON Assessment (ParticipantId, Instrument, AdministeredUtc);
CREATE INDEX IX_SafetyAlert_ParticipantId_SourceKey ON SafetyAlert (ParticipantId, SourceKey);
