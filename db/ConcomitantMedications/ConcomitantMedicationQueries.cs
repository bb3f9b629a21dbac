using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.ConcomitantMedications;

/// <summary>A concomitant medication as stored: the name as the site wrote it, the ATC code when known, and its dates.</summary>
public sealed class ConcomitantMedicationRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string Name { get; init; } = "";
    public string? AtcCode { get; init; }
    public string? Dose { get; init; }
    public string? Route { get; init; }
    public DateOnly StartDate { get; init; }

    /// <summary>Null exactly when <see cref="Ongoing"/>.</summary>
    public DateOnly? EndDate { get; init; }
    public bool Ongoing { get; init; }
    public string? Indication { get; init; }
    public int RowVersion { get; init; } = 1;
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }
    public DateTime UpdatedUtc { get; init; }
    public Guid UpdatedBy { get; init; }
}

public static class ConcomitantMedicationQueries
{
    private const string Columns =
        "Id, ParticipantId, Name, AtcCode, Dose, Route, StartDate, EndDate, Ongoing, Indication, RowVersion, RecordedUtc, RecordedBy, UpdatedUtc, UpdatedBy";

    private const string InsertSql =
        $"INSERT INTO ConcomitantMedication ({Columns}) VALUES (@Id, @ParticipantId, @Name, @AtcCode, @Dose, @Route, @StartDate, @EndDate, @Ongoing, " +
        "@Indication, @RowVersion, @RecordedUtc, @RecordedBy, @UpdatedUtc, @UpdatedBy)";

    private const string CorrectSql =
        """
        UPDATE ConcomitantMedication SET Name = @Name, AtcCode = @AtcCode, Dose = @Dose, Route = @Route, StartDate = @StartDate, EndDate = @EndDate,
               Ongoing = @Ongoing, Indication = @Indication, RowVersion = @RowVersion, UpdatedUtc = @UpdatedUtc, UpdatedBy = @UpdatedBy
        WHERE Id = @Id AND RowVersion = @RowVersion - 1
        """;

    private const string GetSql = $"SELECT {Columns} FROM ConcomitantMedication WHERE Id = @id";
    private const string ForParticipantSql = $"SELECT {Columns} FROM ConcomitantMedication WHERE ParticipantId = @participantId ORDER BY StartDate, Id";
    // A page of the participant's medications after (@afterStart, @afterId), by start date then id: a range on
    // IX_ConcomitantMedication_ParticipantId_StartDate_Id, so a page starts where the one before ended.
    private const string PageSql =
        $"SELECT TOP (@limit) {Columns} FROM ConcomitantMedication" +
        " WHERE ParticipantId = @participantId AND StartDate >= @afterStart AND (StartDate > @afterStart OR Id > @afterId) ORDER BY StartDate, Id";

    public static Task<int> InsertAsync(DbSession s, ConcomitantMedicationRow row) => s.ExecuteAsync(InsertSql, row);

    /// <summary>Writes the corrected version when the stored one is still the one before it; 0 rows when someone else changed it first.</summary>
    public static Task<int> CorrectAsync(DbSession s, ConcomitantMedicationRow corrected) => s.ExecuteAsync(CorrectSql, corrected);

    /// <summary>The participant's medication with this id; null when there is none, or it is another participant's.</summary>
    public static async Task<ConcomitantMedicationRow?> FindAsync(DbSession s, Guid participantId, Guid id) =>
        await s.QuerySingleOrDefaultAsync<ConcomitantMedicationRow>(GetSql, new { id }) is { } row && row.ParticipantId == participantId ? row : null;

    /// <summary>The participant's medications by start date.</summary>
    public static async Task<IReadOnlyList<ConcomitantMedicationRow>> ForParticipantAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<ConcomitantMedicationRow>(ForParticipantSql, new { participantId })).AsList();

    /// <summary>
    /// Up to <paramref name="limit"/> of the participant's medications after (<paramref name="afterStart"/>, <paramref name="afterId"/>),
    /// by start date then id; the first page is after (min, empty).
    /// </summary>
    public static async Task<IReadOnlyList<ConcomitantMedicationRow>> PageAsync(DbSession s, Guid participantId, int limit, DateOnly afterStart, Guid afterId) =>
        (await s.QueryAsync<ConcomitantMedicationRow>(s.Dialect.Top(PageSql), new { participantId, limit, afterStart, afterId })).AsList();
}
