-- Why: the reason infusions stopped early and the reason a participant left the study are counted in the analysis
-- (CONSORT flow, SDTM DS), which needs them coded, not only in the site's words. Each gets a coded reason beside the
-- free text: a CDISC NCOMPLT term (the list is in Trial.Core, DispositionReasons; not repeated here as a CHECK so that
-- it lives in one place). Empty on discontinuations and withdrawals recorded before: no code is guessed for them.

ALTER TABLE Participant ADD COLUMN DiscontinuationReasonCode TEXT NULL;
ALTER TABLE Participant ADD COLUMN WithdrawalReasonCode TEXT NULL;
