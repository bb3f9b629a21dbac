using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Randomisation;

/// <summary>A participant's allocation. Holds the arm: only unblinded code paths read it.</summary>
public sealed class AllocationRow
{
    public Guid ParticipantId { get; init; }
    public int RandomisationNumber { get; init; }
    public string Stratum { get; init; } = "";
    public int SequenceNumber { get; init; }
    public string Arm { get; init; } = "";
    public string Method { get; init; } = "";
    public decimal? BaselineMadrsTotal { get; init; }
    public DateTime RandomisedUtc { get; init; }
    public Guid RandomisedBy { get; init; }
    public string ProtocolVersion { get; init; } = "";
}

/// <summary>
/// Who is in which arm, for outputs entitled to see it (the unblinded statistician's extracts and reports, the
/// pharmacy's list): the participant, their arm and stratum, their randomisation number, and whether and when they
/// were unblinded in an emergency.
/// </summary>
public sealed class ParticipantAllocation
{
    public string ParticipantCode { get; init; } = "";
    public string SiteCode { get; init; } = "";
    public string Arm { get; init; } = "";
    public string Stratum { get; init; } = "";
    public int SequenceNumber { get; init; }
    public int RandomisationNumber { get; init; }
    public DateTime RandomisedUtc { get; init; }
    public DateTime? UnblindedUtc { get; init; }
}

public sealed class AllocationListEntryRow
{
    public string Stratum { get; init; } = "";
    public int SequenceNumber { get; init; }
    public string Arm { get; init; } = "";
    public DateTime ImportedUtc { get; init; }
    public Guid ImportedBy { get; init; }
}

public sealed class PreparationRow
{
    public Guid Id { get; init; }
    /// <summary>The pharmacy's label of the preparation, which the investigator reads off the syringe.</summary>
    public string PreparationId { get; init; } = "";
    public Guid ParticipantId { get; init; }
    public string VisitCode { get; init; } = "";
    public string Arm { get; init; } = "";
    public decimal DoseMgPerKg { get; init; }
    public decimal TotalDoseMg { get; init; }
    public decimal VolumeMl { get; init; }
    /// <summary>The weight the dose was calculated for.</summary>
    public decimal WeightKg { get; init; }
    public DateTime PreparedUtc { get; init; }
    public Guid PreparedBy { get; init; }
}

public sealed class UnblindingRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string Reason { get; init; } = "";
    public DateTime UnblindedUtc { get; init; }
    public Guid UnblindedBy { get; init; }
}

public sealed class BlindingGuessRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string VisitCode { get; init; } = "";
    public string Guesser { get; init; } = "";
    public string Guess { get; init; } = "";
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }

    /// <summary>When the guess was made (RecordedUtc is when it was entered). Null on guesses stored before it was recorded.</summary>
    public DateTime? GuessedUtc { get; init; }

    /// <summary>The number, among the infusions given, of the infusion the guess follows. Null on guesses stored before it was recorded.</summary>
    public int? InfusionNumber { get; init; }

    /// <summary>Whole minutes from the end of that infusion to the guess. Null on guesses stored before it was recorded.</summary>
    public int? MinutesAfterInfusionEnd { get; init; }
}

/// <summary>An infusion given, as the timing of a blinding guess reads it.</summary>
public sealed class GuessInfusionRow
{
    public string VisitCode { get; init; } = "";
    public DateTime StartUtc { get; init; }
    public DateTime EndUtc { get; init; }
}

/// <summary>The baseline MADRS as the stratum needs it: whether it is complete, and its total.</summary>
/// <summary>A preparation or an infusion recorded for a participant (<see cref="Step"/>: "preparation" or "infusion").</summary>
public sealed class DosingStepRow
{
    public string Step { get; init; } = "";
    public string VisitCode { get; init; } = "";
}

public sealed class BaselineMadrsRow
{
    public bool Complete { get; init; }
    public decimal? Total { get; init; }
}

/// <summary>The allocation of a blinded study: counters, allocations, the imported list, preparations, unblindings and guesses.</summary>
public static class RandomisationQueries
{
    private const string AllocationColumns =
        "ParticipantId, RandomisationNumber, Stratum, SequenceNumber, Arm, Method, BaselineMadrsTotal, RandomisedUtc, RandomisedBy, ProtocolVersion";
    private const string PreparationColumns =
        "Id, PreparationId, ParticipantId, VisitCode, Arm, DoseMgPerKg, TotalDoseMg, VolumeMl, WeightKg, PreparedUtc, PreparedBy";

    // Taking the number first locks the counter's row to the end of the transaction (SQL Server; SQLite has one writer),
    // so randomisations run one after another: the stratum row below is then created by one of them only.
    private const string TakeNumberSql = "UPDATE RandomisationCounter SET NextNumber = NextNumber + 1 WHERE Id = 1";
    private const string TakenNumberSql = "SELECT NextNumber - 1 FROM RandomisationCounter WHERE Id = 1";
    private const string LockCounterSql = "UPDATE RandomisationCounter SET NextNumber = NextNumber WHERE Id = 1";
    private const string EnsureStratumSql =
        "INSERT INTO RandomisationStratum (Stratum, NextSequence) SELECT @stratum, 1 WHERE NOT EXISTS (SELECT 1 FROM RandomisationStratum WHERE Stratum = @stratum)";
    private const string TakeSequenceSql = "UPDATE RandomisationStratum SET NextSequence = NextSequence + 1 WHERE Stratum = @stratum";
    private const string TakenSequenceSql = "SELECT NextSequence - 1 FROM RandomisationStratum WHERE Stratum = @stratum";

    private const string InsertAllocationSql =
        $"""
        INSERT INTO Allocation ({AllocationColumns})
        VALUES (@ParticipantId, @RandomisationNumber, @Stratum, @SequenceNumber, @Arm, @Method, @BaselineMadrsTotal, @RandomisedUtc, @RandomisedBy, @ProtocolVersion)
        """;
    private const string FindAllocationSql = $"SELECT {AllocationColumns} FROM Allocation WHERE ParticipantId = @participantId";
    private const string CountAllocationsSql = "SELECT COUNT(*) FROM Allocation";
    private const string SelectParticipantAllocation =
        """
        SELECT p.Code AS ParticipantCode, p.SiteCode, a.Arm, a.Stratum, a.SequenceNumber, a.RandomisationNumber, a.RandomisedUtc, p.UnblindedUtc
        FROM Allocation a JOIN Participant p ON p.Id = a.ParticipantId
        """;
    private const string AllocationsSql = SelectParticipantAllocation + " WHERE (@anySite = 1 OR p.SiteCode IN @sites) ORDER BY a.RandomisationNumber";
    // A page after the allocation numbered @afterNumber, read in the order of randomisation from UQ_Allocation_RandomisationNumber.
    private const string AllocationPageSql =
        """
        SELECT TOP (@limit) p.Code AS ParticipantCode, p.SiteCode, a.Arm, a.Stratum, a.SequenceNumber, a.RandomisationNumber, a.RandomisedUtc, p.UnblindedUtc
        FROM Allocation a JOIN Participant p ON p.Id = a.ParticipantId
        WHERE a.RandomisationNumber > @afterNumber AND (@anySite = 1 OR p.SiteCode IN @sites)
        ORDER BY a.RandomisationNumber
        """;
    private const string FindParticipantAllocationSql = SelectParticipantAllocation + " WHERE a.ParticipantId = @participantId";
    private const string AllocationsOfStratumSql = SelectParticipantAllocation + " WHERE a.Stratum = @stratum ORDER BY a.SequenceNumber";

    private const string BaselineMadrsSql =
        """
        SELECT a.Complete, s.Value AS Total
        FROM Assessment a LEFT JOIN AssessmentScore s ON s.AssessmentId = a.Id AND s.Name = @scoreName
        WHERE a.ParticipantId = @participantId AND a.VisitCode = @visitCode AND a.Instrument = @instrument AND a.Timepoint = @noTimepoint
        """;

    private const string DeleteListSql = "DELETE FROM AllocationListEntry";
    private const string InsertListEntrySql =
        "INSERT INTO AllocationListEntry (Stratum, SequenceNumber, Arm, ImportedUtc, ImportedBy) VALUES (@Stratum, @SequenceNumber, @Arm, @ImportedUtc, @ImportedBy)";
    private const string ListEntrySql = "SELECT Arm FROM AllocationListEntry WHERE Stratum = @stratum AND SequenceNumber = @sequenceNumber";
    private const string ListOfStratumSql =
        "SELECT Stratum, SequenceNumber, Arm, ImportedUtc, ImportedBy FROM AllocationListEntry WHERE Stratum = @stratum ORDER BY SequenceNumber";

    private const string InsertPreparationSql =
        $"""
        INSERT INTO Preparation ({PreparationColumns})
        VALUES (@Id, @PreparationId, @ParticipantId, @VisitCode, @Arm, @DoseMgPerKg, @TotalDoseMg, @VolumeMl, @WeightKg, @PreparedUtc, @PreparedBy)
        """;
    private const string FindPreparationSql = $"SELECT {PreparationColumns} FROM Preparation WHERE ParticipantId = @participantId AND VisitCode = @visitCode";
    private const string DosingStepsSql =
        """
        SELECT 'preparation' AS Step, VisitCode FROM Preparation WHERE ParticipantId = @participantId
        UNION ALL
        SELECT 'infusion' AS Step, VisitCode FROM Infusion WHERE ParticipantId = @participantId
        """;
    private const string FindPreparationByLabelSql = $"SELECT {PreparationColumns} FROM Preparation WHERE PreparationId = @preparationId";

    private const string InsertUnblindingSql =
        "INSERT INTO Unblinding (Id, ParticipantId, Reason, UnblindedUtc, UnblindedBy) VALUES (@Id, @ParticipantId, @Reason, @UnblindedUtc, @UnblindedBy)";
    private const string MarkUnblindedSql = "UPDATE Participant SET UnblindedUtc = @unblindedUtc WHERE Id = @participantId AND UnblindedUtc IS NULL";
    private const string UnblindingsSql =
        "SELECT Id, ParticipantId, Reason, UnblindedUtc, UnblindedBy FROM Unblinding WHERE ParticipantId = @participantId ORDER BY UnblindedUtc, Id";

    private const string GuessColumns = "Id, ParticipantId, VisitCode, Guesser, Guess, RecordedUtc, RecordedBy, GuessedUtc, InfusionNumber, MinutesAfterInfusionEnd";
    private const string InsertGuessSql =
        $"""
        INSERT INTO BlindingGuess ({GuessColumns})
        VALUES (@Id, @ParticipantId, @VisitCode, @Guesser, @Guess, @RecordedUtc, @RecordedBy, @GuessedUtc, @InfusionNumber, @MinutesAfterInfusionEnd)
        """;
    private const string FindGuessSql =
        $"SELECT {GuessColumns} FROM BlindingGuess WHERE ParticipantId = @participantId AND VisitCode = @visitCode AND Guesser = @guesser";
    // A write that changes nothing, so that the row stays locked to the end of the transaction (SQL Server; SQLite has one
    // writer): an emergency unblinding of the participant then waits for the guess, or the guess sees it.
    private const string HoldUnblindingSql = "UPDATE Participant SET UnblindedUtc = UnblindedUtc WHERE Id = @participantId";
    private const string UnblindedUtcSql = "SELECT UnblindedUtc FROM Participant WHERE Id = @participantId";
    private const string GuessInfusionsSql = "SELECT VisitCode, StartUtc, EndUtc FROM Infusion WHERE ParticipantId = @participantId ORDER BY StartUtc";

    /// <summary>
    /// Takes the study's next randomisation number inside the randomising transaction; a failed randomisation rolls it
    /// back with it, so numbers stay in order and gap-free. Every randomisation takes it first, which queues them.
    /// </summary>
    public static async Task<int> TakeRandomisationNumberAsync(DbSession s)
    {
        await s.ExecuteAsync(TakeNumberSql);
        return await s.ExecuteScalarAsync<int>(TakenNumberSql);
    }

    /// <summary>Queues this transaction behind any randomisation in progress (and holds later ones back) without taking a number.</summary>
    public static Task<int> LockRandomisationAsync(DbSession s) => s.ExecuteAsync(LockCounterSql);

    /// <summary>
    /// Takes the stratum's next place in its sequence: a conditional update of the stratum's counter, in the randomising
    /// transaction, so two randomisations in one stratum never get the same place and a failed one gives its place back.
    /// </summary>
    public static async Task<int> TakeSequenceNumberAsync(DbSession s, string stratum)
    {
        await s.ExecuteAsync(EnsureStratumSql, new { stratum });
        await s.ExecuteAsync(TakeSequenceSql, new { stratum });
        return await s.ExecuteScalarAsync<int>(TakenSequenceSql, new { stratum });
    }

    public static Task<int> InsertAllocationAsync(DbSession s, AllocationRow row) => s.ExecuteAsync(InsertAllocationSql, row);

    public static Task<AllocationRow?> FindAllocationAsync(DbSession s, Guid participantId) =>
        s.QuerySingleOrDefaultAsync<AllocationRow>(FindAllocationSql, new { participantId });

    public static Task<int> CountAllocationsAsync(DbSession s) => s.ExecuteScalarAsync<int>(CountAllocationsSql);

    /// <summary>
    /// Every participant's allocation at the given sites (all sites when <paramref name="sites"/> is null), in the order
    /// of randomisation: participant code, arm, stratum, randomisation number, and whether they were unblinded.
    /// Only for outputs the unblinded are entitled to.
    /// </summary>
    public static async Task<IReadOnlyList<ParticipantAllocation>> AllocationsAsync(DbSession s, IReadOnlyList<string>? sites) =>
        (await s.QueryAsync<ParticipantAllocation>(AllocationsSql, new { anySite = sites is null ? 1 : 0, sites = sites ?? [""] })).AsList();

    /// <summary>
    /// Up to <paramref name="limit"/> allocations at the given sites (all sites when null) randomised after number
    /// <paramref name="afterNumber"/> (0 for the first page), in the order of randomisation. Only for the unblinded.
    /// </summary>
    public static async Task<IReadOnlyList<ParticipantAllocation>> AllocationPageAsync(DbSession s, IReadOnlyList<string>? sites, int limit, int afterNumber) =>
        (await s.QueryAsync<ParticipantAllocation>(s.Dialect.Top(AllocationPageSql),
            new { limit, afterNumber, anySite = sites is null ? 1 : 0, sites = sites ?? [""] })).AsList();

    public static Task<ParticipantAllocation?> FindParticipantAllocationAsync(DbSession s, Guid participantId) =>
        s.QuerySingleOrDefaultAsync<ParticipantAllocation>(FindParticipantAllocationSql, new { participantId });

    /// <summary>The allocations made in the stratum, in the order of its sequence.</summary>
    public static async Task<IReadOnlyList<ParticipantAllocation>> AllocationsOfStratumAsync(DbSession s, string stratum) =>
        (await s.QueryAsync<ParticipantAllocation>(AllocationsOfStratumSql, new { stratum })).AsList();

    /// <summary>The participant's baseline-visit MADRS, or null when none was entered.</summary>
    public static Task<BaselineMadrsRow?> BaselineMadrsAsync(DbSession s, Guid participantId, string visitCode) =>
        s.QuerySingleOrDefaultAsync<BaselineMadrsRow>(BaselineMadrsSql,
            new { participantId, visitCode, instrument = "MADRS", scoreName = "total", noTimepoint = "" });

    /// <summary>Replaces the imported allocation list (only allowed before any allocation was made from it).</summary>
    public static async Task ReplaceListAsync(DbSession s, IEnumerable<AllocationListEntryRow> entries)
    {
        await s.ExecuteAsync(DeleteListSql);
        foreach (var entry in entries) await s.ExecuteAsync(InsertListEntrySql, entry);
    }

    /// <summary>The arm at a place of the imported list, or null when the list has no such place.</summary>
    public static Task<string?> ListArmAsync(DbSession s, string stratum, int sequenceNumber) =>
        s.QuerySingleOrDefaultAsync<string?>(ListEntrySql, new { stratum, sequenceNumber });

    public static async Task<IReadOnlyList<AllocationListEntryRow>> ListOfStratumAsync(DbSession s, string stratum) =>
        (await s.QueryAsync<AllocationListEntryRow>(ListOfStratumSql, new { stratum })).AsList();

    public static Task<int> InsertPreparationAsync(DbSession s, PreparationRow row) => s.ExecuteAsync(InsertPreparationSql, row);

    /// <summary>
    /// The preparations and infusions recorded for the participant, as (step, visit) pairs: once the first exists the
    /// participant is being dosed, and can no longer be randomised.
    /// </summary>
    public static async Task<IReadOnlyList<DosingStepRow>> DosingStepsAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<DosingStepRow>(DosingStepsSql, new { participantId })).AsList();

    public static Task<PreparationRow?> FindPreparationAsync(DbSession s, Guid participantId, string visitCode) =>
        s.QuerySingleOrDefaultAsync<PreparationRow>(FindPreparationSql, new { participantId, visitCode });

    public static Task<PreparationRow?> FindPreparationByLabelAsync(DbSession s, string preparationId) =>
        s.QuerySingleOrDefaultAsync<PreparationRow>(FindPreparationByLabelSql, new { preparationId });

    public static Task<int> InsertUnblindingAsync(DbSession s, UnblindingRow row) => s.ExecuteAsync(InsertUnblindingSql, row);

    /// <summary>Flags the participant as unblinded from the first emergency unblinding on; 0 rows when already flagged.</summary>
    public static Task<int> MarkUnblindedAsync(DbSession s, Guid participantId, DateTime unblindedUtc) =>
        s.ExecuteAsync(MarkUnblindedSql, new { participantId, unblindedUtc });

    public static async Task<IReadOnlyList<UnblindingRow>> UnblindingsAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<UnblindingRow>(UnblindingsSql, new { participantId })).AsList();

    public static Task<int> InsertGuessAsync(DbSession s, BlindingGuessRow row) => s.ExecuteAsync(InsertGuessSql, row);

    public static Task<BlindingGuessRow?> FindGuessAsync(DbSession s, Guid participantId, string visitCode, string guesser) =>
        s.QuerySingleOrDefaultAsync<BlindingGuessRow>(FindGuessSql, new { participantId, visitCode, guesser });

    /// <summary>
    /// When the participant was first unblinded in an emergency (null: never), read under a lock on the participant's row
    /// held to the end of the session's transaction, so no unblinding can commit between this answer and the guess it allows.
    /// </summary>
    public static async Task<DateTime?> UnblindedUtcForGuessAsync(DbSession s, Guid participantId)
    {
        await s.ExecuteAsync(HoldUnblindingSql, new { participantId });
        return await s.ExecuteScalarAsync<DateTime?>(UnblindedUtcSql, new { participantId });
    }

    /// <summary>The participant's infusions in the order they were given: what a guess follows.</summary>
    public static async Task<IReadOnlyList<GuessInfusionRow>> GuessInfusionsAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<GuessInfusionRow>(GuessInfusionsSql, new { participantId })).AsList();
}
