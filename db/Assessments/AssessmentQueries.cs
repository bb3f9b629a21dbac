using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Assessments;

public sealed class AssessmentRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string ParticipantCode { get; init; } = "";
    public string VisitCode { get; init; } = "";
    public string Instrument { get; init; } = "";
    /// <summary>'' when the visit has no infusion timepoints.</summary>
    public string Timepoint { get; init; } = "";
    public bool Unscheduled { get; init; }
    public DateTime AdministeredUtc { get; init; }
    public DateTime ReceivedUtc { get; init; }
    public bool Complete { get; init; }
    public string? SeverityBand { get; init; }
    public string DefinitionVersion { get; init; } = "";
    public string ProtocolVersion { get; init; } = "";
    public int RowVersion { get; init; }
    public Guid CreatedBy { get; init; }
}

public sealed class ItemValueRow
{
    public Guid AssessmentId { get; init; }
    public int ItemNumber { get; init; }
    public decimal? Value { get; init; }
}

public sealed class ScoreRow
{
    public Guid AssessmentId { get; init; }
    public string Name { get; init; } = "";
    public decimal Value { get; init; }
}

/// <summary>An assessment with its item responses and computed scores.</summary>
public sealed record StoredAssessment(AssessmentRow Row, IReadOnlyList<decimal?> Items, IReadOnlyDictionary<string, decimal> Scores);

public static class AssessmentQueries
{
    private const string Columns =
        """
        a.Id, a.ParticipantId, p.Code AS ParticipantCode, a.VisitCode, a.Instrument, a.Timepoint, a.Unscheduled,
               a.AdministeredUtc, a.ReceivedUtc, a.Complete, a.SeverityBand, a.DefinitionVersion, a.ProtocolVersion, a.RowVersion, a.CreatedBy
        """;

    private const string From = "FROM Assessment a JOIN Participant p ON p.Id = a.ParticipantId";

    private const string Select = "SELECT " + Columns + " " + From;

    private const string InsertSql =
        """
            INSERT INTO Assessment (Id, ParticipantId, VisitCode, Instrument, Timepoint, Unscheduled, AdministeredUtc, ReceivedUtc,
                                    Complete, SeverityBand, DefinitionVersion, ProtocolVersion, RowVersion, CreatedBy)
            VALUES (@Id, @ParticipantId, @VisitCode, @Instrument, @Timepoint, @Unscheduled, @AdministeredUtc, @ReceivedUtc,
                    @Complete, @SeverityBand, @DefinitionVersion, @ProtocolVersion, @RowVersion, @CreatedBy)
            """;
    private const string InsertRevisionSql =
        """
        INSERT INTO AssessmentRevision (AssessmentId, RowVersion, AdministeredUtc, ItemsJson, ScoresJson, Complete, SeverityBand, DefinitionVersion, ReplacedUtc, ReplacedBy, Reason)
        VALUES (@id, @rowVersion, @administeredUtc, @itemsJson, @scoresJson, @complete, @severityBand, @definitionVersion, @replacedUtc, @replacedBy, @reason)
        """;

    private const string UpdateSql =
        """
        UPDATE Assessment SET AdministeredUtc = @AdministeredUtc, Complete = @Complete, SeverityBand = @SeverityBand, DefinitionVersion = @DefinitionVersion,
               ProtocolVersion = @ProtocolVersion, RowVersion = @RowVersion, UpdatedUtc = @replacedUtc, UpdatedBy = @replacedBy
        WHERE Id = @Id AND RowVersion = @RowVersion - 1
        """;

    private const string DeleteItemsSql = "DELETE FROM AssessmentItem WHERE AssessmentId = @id";
    private const string DeleteScoresSql = "DELETE FROM AssessmentScore WHERE AssessmentId = @id";

    private const string RevisionsSql =
        "SELECT AssessmentId, RowVersion, AdministeredUtc, ItemsJson, ScoresJson, Complete, SeverityBand, DefinitionVersion, ReplacedUtc, ReplacedBy, Reason FROM AssessmentRevision WHERE AssessmentId = @id ORDER BY RowVersion";

    private const string InsertItemSql = "INSERT INTO AssessmentItem (AssessmentId, ItemNumber, Value) VALUES (@AssessmentId, @ItemNumber, @Value)";
    private const string InsertScoreSql = "INSERT INTO AssessmentScore (AssessmentId, Name, Value) VALUES (@AssessmentId, @Name, @Value)";
    private const string FindIdSql = "SELECT Id FROM Assessment WHERE ParticipantId = @participantId AND VisitCode = @visitCode AND Instrument = @instrument AND Timepoint = @timepoint";
    private const string GetSql = Select + " WHERE a.Id = @id";
    private const string ItemsSql = "SELECT AssessmentId, ItemNumber, Value FROM AssessmentItem WHERE AssessmentId = @id ORDER BY ItemNumber";
    private const string ScoresSql = "SELECT AssessmentId, Name, Value FROM AssessmentScore WHERE AssessmentId = @id";
    // A page of the participant's assessments after (@afterUtc, @afterId) in the order of administration, then id: a range on
    // IX_Assessment_ParticipantId_AdministeredUtc_Id, so a page starts where the one before ended.
    private const string ListForParticipantSql =
        "SELECT TOP (@limit) " + Columns + " " + From +
        " WHERE a.ParticipantId = @participantId AND a.AdministeredUtc >= @afterUtc AND (a.AdministeredUtc > @afterUtc OR a.Id > @afterId)" +
        " ORDER BY a.AdministeredUtc, a.Id";
    private const string ListOfInstrumentsSql = Select + " WHERE a.ParticipantId = @participantId AND a.Instrument IN @instruments ORDER BY a.AdministeredUtc, a.Id";
    private const string InstrumentItemsSql = "SELECT i.AssessmentId, i.ItemNumber, i.Value FROM AssessmentItem i JOIN Assessment a ON a.Id = i.AssessmentId WHERE a.ParticipantId = @participantId AND a.Instrument IN @instruments ORDER BY i.AssessmentId, i.ItemNumber";
    private const string InstrumentScoresSql = "SELECT s.AssessmentId, s.Name, s.Value FROM AssessmentScore s JOIN Assessment a ON a.Id = s.AssessmentId WHERE a.ParticipantId = @participantId AND a.Instrument IN @instruments";

    // What a safety evaluation of new assessments reads: each query is bounded by its limit or by the unique
    // (participant, visit, instrument, timepoint), and none grows with the participant's history.
    private const string ByIdsSql = Select + " WHERE a.Id IN @ids";
    private const string ItemsOfSql = "SELECT AssessmentId, ItemNumber, Value FROM AssessmentItem WHERE AssessmentId IN @ids";
    private const string ScoresOfSql = "SELECT AssessmentId, Name, Value FROM AssessmentScore WHERE AssessmentId IN @ids";
    private const string AdministeredFromSql =
        "SELECT TOP (@limit) " + Columns + " " + From + " WHERE a.ParticipantId = @participantId AND a.Instrument = @instrument AND a.AdministeredUtc >= @fromUtc";
    private const string AtVisitsSql = Select + " WHERE a.ParticipantId = @participantId AND a.VisitCode IN @visitCodes AND a.Instrument = @instrument";

    // Ordered by time only: the caller needs the earliest of the times, which ties at the limit do not change.
    private const string LatestEvaluatedAnsweringSql =
        """
        SELECT TOP (@limit) a.AdministeredUtc
        FROM Assessment a JOIN AssessmentItem i ON i.AssessmentId = a.Id AND i.ItemNumber = @itemNumber
        WHERE a.ParticipantId = @participantId AND a.Instrument = @instrument AND a.AdministeredUtc < @beforeUtc
          AND a.SafetyEvaluatedVersion IS NOT NULL AND i.Value IS NOT NULL
        ORDER BY a.AdministeredUtc DESC
        """;

    public static async Task InsertAsync(DbSession s, AssessmentRow a, IReadOnlyList<decimal?> items, IReadOnlyDictionary<string, decimal> scores)
    {
        await s.ExecuteAsync(
            InsertSql, a);
        await InsertItemsAndScoresAsync(s, a.Id, items, scores);
    }

    private static async Task InsertItemsAndScoresAsync(DbSession s, Guid assessmentId, IReadOnlyList<decimal?> items, IReadOnlyDictionary<string, decimal> scores)
    {
        // One statement per table: Dapper runs it once per element, on one prepared command.
        await s.ExecuteAsync(
            InsertItemSql,
            items.Select((v, i) => new ItemValueRow { AssessmentId = assessmentId, ItemNumber = i + 1, Value = v }));
        if (scores.Count > 0)
        {
            await s.ExecuteAsync(
                InsertScoreSql,
                scores.Select(s => new ScoreRow { AssessmentId = assessmentId, Name = s.Key, Value = s.Value }));
        }
    }

    public static Task<Guid?> FindIdAsync(DbSession s, Guid participantId, string visitCode, string instrument, string timepoint) =>
        s.QuerySingleOrDefaultAsync<Guid?>(
            FindIdSql,
            new { participantId, visitCode, instrument, timepoint });

    public static async Task<StoredAssessment?> GetAsync(DbSession s, Guid id)
    {
        var row = await s.QuerySingleOrDefaultAsync<AssessmentRow>(GetSql, new { id });
        if (row is null) return null;
        var items = await s.QueryAsync<ItemValueRow>(ItemsSql, new { id });
        var scores = await s.QueryAsync<ScoreRow>(ScoresSql, new { id });
        return new StoredAssessment(row, items.Select(i => i.Value).ToList(), scores.ToDictionary(s => s.Name, s => s.Value));
    }

    /// <summary>
    /// Up to <paramref name="limit"/> of the participant's assessments administered after (<paramref name="afterUtc"/>,
    /// <paramref name="afterId"/>), in the order of administration then id, with their items and scores; the first page is after (min, empty).
    /// </summary>
    public static async Task<IReadOnlyList<StoredAssessment>> ListForParticipantAsync(DbSession s, Guid participantId, int limit, DateTime afterUtc, Guid afterId)
    {
        var rows = (await s.QueryAsync<AssessmentRow>(s.Dialect.Top(ListForParticipantSql), new { participantId, limit, afterUtc, afterId })).AsList();
        return await WithItemsAndScoresAsync(s, rows);
    }

    /// <summary>The participant's assessments of these instruments only, with their items and scores.</summary>
    public static async Task<IReadOnlyList<StoredAssessment>> ListForParticipantAsync(DbSession s, Guid participantId, IReadOnlyList<string> instruments)
    {
        var parameters = new { participantId, instruments };
        var rows = (await s.QueryAsync<AssessmentRow>(ListOfInstrumentsSql, parameters)).AsList();
        return await WithItemsAndScoresAsync(s, rows, InstrumentItemsSql, InstrumentScoresSql, parameters);
    }

    /// <summary>The assessments with these ids (rows only).</summary>
    public static async Task<IReadOnlyList<AssessmentRow>> RowsByIdsAsync(DbSession s, IReadOnlyCollection<Guid> ids) =>
        ids.Count == 0 ? [] : (await s.QueryAsync<AssessmentRow>(ByIdsSql, new { ids })).AsList();

    /// <summary>These assessments with their items and scores.</summary>
    public static async Task<IReadOnlyList<StoredAssessment>> WithItemsAndScoresAsync(DbSession s, IReadOnlyCollection<AssessmentRow> rows)
    {
        if (rows.Count == 0) return [];
        return await WithItemsAndScoresAsync(s, rows.ToList(), ItemsOfSql, ScoresOfSql, new { ids = rows.Select(r => r.Id).ToList() });
    }

    /// <summary>Up to <paramref name="limit"/> of the participant's assessments of the instrument administered at or after <paramref name="fromUtc"/> (rows only).</summary>
    public static async Task<IReadOnlyList<AssessmentRow>> AdministeredFromAsync(
        DbSession s, Guid participantId, string instrument, DateTime fromUtc, int limit) =>
        (await s.QueryAsync<AssessmentRow>(s.Dialect.Top(AdministeredFromSql), new { participantId, instrument, fromUtc, limit })).AsList();

    /// <summary>The participant's assessments of the instrument at these visits, at any timepoint (rows only).</summary>
    public static async Task<IReadOnlyList<AssessmentRow>> AtVisitsAsync(DbSession s, Guid participantId, string instrument, IReadOnlyCollection<string> visitCodes) =>
        visitCodes.Count == 0 ? [] : (await s.QueryAsync<AssessmentRow>(AtVisitsSql, new { participantId, instrument, visitCodes })).AsList();

    /// <summary>
    /// When the latest <paramref name="count"/> of the participant's assessments of the instrument that answered the item
    /// and were administered before <paramref name="beforeUtc"/> were administered, latest first; only assessments a safety
    /// evaluation has already seen count.
    /// </summary>
    public static async Task<IReadOnlyList<DateTime>> LatestEvaluatedAnsweringBeforeAsync(
        DbSession s, Guid participantId, string instrument, int itemNumber, DateTime beforeUtc, int count) =>
        (await s.QueryAsync<DateTime>(s.Dialect.Top(LatestEvaluatedAnsweringSql),
            new { participantId, instrument, itemNumber, beforeUtc, limit = count })).AsList();

    private static async Task<IReadOnlyList<StoredAssessment>> WithItemsAndScoresAsync(
        DbSession s, List<AssessmentRow> rows, string itemsSql, string scoresSql, object parameters)
    {
        var items = (await s.QueryAsync<ItemValueRow>(
            itemsSql,
            parameters)).ToLookup(i => i.AssessmentId);
        var scores = (await s.QueryAsync<ScoreRow>(
            scoresSql,
            parameters)).ToLookup(s => s.AssessmentId);
        return rows.Select(r => new StoredAssessment(
            r,
            items[r.Id].OrderBy(i => i.ItemNumber).Select(i => i.Value).ToList(),
            scores[r.Id].ToDictionary(s => s.Name, s => s.Value))).ToList();
    }

    /// <summary>
    /// Replaces a stored assessment with its corrected version, keeping the replaced one (items, scores, who replaced it,
    /// when and why). The conditional UPDATE comes first: false when the stored version is no longer
    /// <paramref name="corrected"/>.RowVersion - 1 (someone else corrected it first), and then nothing has been written,
    /// so the caller rolls back a transaction that changed nothing.
    /// </summary>
    public static async Task<bool> CorrectAsync(DbSession s, StoredAssessment current, AssessmentRow corrected,
        IReadOnlyList<decimal?> items, IReadOnlyDictionary<string, decimal> scores, Guid replacedBy, DateTime replacedUtc, string reason)
    {
        var updated = await s.ExecuteAsync(UpdateSql, new
        {
            corrected.Id, corrected.AdministeredUtc, corrected.Complete, corrected.SeverityBand, corrected.DefinitionVersion, corrected.ProtocolVersion,
            corrected.RowVersion, replacedUtc, replacedBy,
        });
        if (updated == 0) return false;
        var id = current.Row.Id;
        await s.ExecuteAsync(InsertRevisionSql, new
        {
            id,
            rowVersion = current.Row.RowVersion,
            administeredUtc = current.Row.AdministeredUtc,
            itemsJson = System.Text.Json.JsonSerializer.Serialize(current.Items),
            scoresJson = System.Text.Json.JsonSerializer.Serialize(current.Scores),
            complete = current.Row.Complete,
            severityBand = current.Row.SeverityBand,
            definitionVersion = current.Row.DefinitionVersion,
            replacedUtc, replacedBy, reason,
        });
        await s.ExecuteAsync(DeleteItemsSql, new { id });
        await s.ExecuteAsync(DeleteScoresSql, new { id });
        await InsertItemsAndScoresAsync(s, id, items, scores);
        return true;
    }

    public static async Task<IReadOnlyList<AssessmentRevisionRow>> RevisionsAsync(DbSession s, Guid id) =>
        (await s.QueryAsync<AssessmentRevisionRow>(RevisionsSql, new { id })).AsList();
}

public sealed class AssessmentRevisionRow
{
    public Guid AssessmentId { get; init; }
    public int RowVersion { get; init; }
    public DateTime AdministeredUtc { get; init; }
    public string ItemsJson { get; init; } = "[]";
    public string ScoresJson { get; init; } = "{}";
    public bool Complete { get; init; }
    public string? SeverityBand { get; init; }
    public string DefinitionVersion { get; init; } = "";
    public DateTime ReplacedUtc { get; init; }
    public Guid ReplacedBy { get; init; }
    public string Reason { get; init; } = "";
}
