-- Why: every list answers a page at a time in a stable order, and reads on from the last row given (keyset paging). Each
-- index below is that order, so a page is read from the index where the one before ended, not by sorting the whole table.
-- Safety alerts: newest first, then by id. (Participants are listed by site and number: UQ_Participant_Site_Number.)
CREATE INDEX IX_SafetyAlert_RaisedUtc_Id ON SafetyAlert (RaisedUtc DESC, Id);
