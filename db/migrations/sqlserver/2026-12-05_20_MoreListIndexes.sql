-- Why: the remaining lists answer a page at a time too, each reading on from the last row given (keyset paging), so each
-- needs an index in its order; a page is then read from where the one before ended, not by sorting every row.
-- (Allocations are listed by randomisation number: UQ_Allocation_RandomisationNumber. A participant's history is listed by
-- audit id: IX_AuditEvent_ParticipantCode, whose rows follow the id within a participant.)
-- Users: in the order they were created, then by id.
CREATE INDEX IX_AppUser_CreatedUtc_Id ON AppUser (CreatedUtc, Id);
-- A participant's assessments: in the order of administration, then by id.
CREATE INDEX IX_Assessment_ParticipantId_AdministeredUtc_Id ON Assessment (ParticipantId, AdministeredUtc, Id);
-- Visits due: planned visits still to do, by the day their window closes, then target date, participant and visit.
CREATE INDEX IX_ScheduledVisit_Due ON ScheduledVisit (Status, Provisional, WindowEnd, TargetDate, ParticipantId, VisitCode);
-- A participant's concomitant medications: by start date, then by id.
CREATE INDEX IX_ConcomitantMedication_ParticipantId_StartDate_Id ON ConcomitantMedication (ParticipantId, StartDate, Id);
