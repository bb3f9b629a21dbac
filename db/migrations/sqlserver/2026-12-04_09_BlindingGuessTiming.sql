-- Why: a blinding guess is only comparable with guesses made after as many infusions, and only when it was made after
-- the infusion ended. Guesses after the first infusion and after the last one (INF1 for a participant who stopped
-- there) were otherwise counted together. Each guess now records when it was made (GuessedUtc, beside RecordedUtc, when
-- it was entered), the number among the infusions given of the infusion it follows (InfusionNumber) and the whole
-- minutes from that infusion's end (MinutesAfterInfusionEnd). The columns are empty on guesses stored before: the table
-- is append-only, its trigger refuses updates, and it stays so (the report keeps those guesses apart, as "number not
-- recorded", never guessing a number for them).

ALTER TABLE BlindingGuess ADD GuessedUtc DATETIME2(7) NULL;
ALTER TABLE BlindingGuess ADD InfusionNumber INT NULL CONSTRAINT CK_BlindingGuess_InfusionNumber CHECK (InfusionNumber >= 1);
ALTER TABLE BlindingGuess ADD MinutesAfterInfusionEnd INT NULL CONSTRAINT CK_BlindingGuess_MinutesAfterInfusionEnd CHECK (MinutesAfterInfusionEnd >= 0);
