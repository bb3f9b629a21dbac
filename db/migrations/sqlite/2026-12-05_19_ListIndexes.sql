-- Why: every list answers a page at a time in a stable order, and reads on from the last row given (keyset paging). Each
-- index below is that order, so a page is read from the index where the one before ended, not by sorting the whole table.
-- Safety alerts: newest first, then by id. (Participants are listed by site and number: UQ_Participant_Site_Number.)
CREATE INDEX IX_SafetyAlert_RaisedUtc_Id ON SafetyAlert (RaisedUtc DESC, Id);
-- Adverse events: by participant (site and number), then onset and id; this index gives each participant's events in order.
CREATE INDEX IX_AdverseEvent_ParticipantId_OnsetDate_Id ON AdverseEvent (ParticipantId, OnsetDate, Id);
