using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Visits;

public sealed class InfusionRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string VisitCode { get; init; } = "";
    public decimal WeightKg { get; init; }

    /// <summary>Recorded by the investigator in an open-label study; null in a blinded one, where only the preparation knows it.</summary>
    public decimal? DoseMgPerKg { get; init; }
    public decimal? TotalDoseMg { get; init; }

    /// <summary>In a blinded study: the pharmacy's preparation given (its label), and the volume of it infused.</summary>
    public string? PreparationId { get; init; }
    public decimal? VolumeMl { get; init; }
    public string Route { get; init; } = "";
    public DateTime StartUtc { get; init; }
    public DateTime EndUtc { get; init; }
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }
    public int RowVersion { get; init; } = 1;
    public DateTime? UpdatedUtc { get; init; }
    public Guid? UpdatedBy { get; init; }
}

public sealed class VitalSignRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string VisitCode { get; init; } = "";
    public string Timepoint { get; init; } = "";
    public int Systolic { get; init; }
    public int Diastolic { get; init; }
    public int HeartRate { get; init; }
    public int Spo2 { get; init; }
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }
    public int RowVersion { get; init; } = 1;
    public DateTime? UpdatedUtc { get; init; }
    public Guid? UpdatedBy { get; init; }
}

public static class InfusionAndVitalsQueries
{
    private const string InfusionColumns =
        "Id, ParticipantId, VisitCode, WeightKg, DoseMgPerKg, TotalDoseMg, PreparationId, VolumeMl, Route, StartUtc, EndUtc, RecordedUtc, RecordedBy, RowVersion, UpdatedUtc, UpdatedBy";
    private const string VitalColumns =
        "Id, ParticipantId, VisitCode, Timepoint, Systolic, Diastolic, HeartRate, Spo2, RecordedUtc, RecordedBy, RowVersion, UpdatedUtc, UpdatedBy";

    private const string FindInfusionSql = $"SELECT {InfusionColumns} FROM Infusion WHERE ParticipantId = @participantId AND VisitCode = @visitCode";
    private const string InsertInfusionSql =
        $"INSERT INTO Infusion ({InfusionColumns}) VALUES (@Id, @ParticipantId, @VisitCode, @WeightKg, @DoseMgPerKg, @TotalDoseMg, @PreparationId, @VolumeMl, @Route, @StartUtc, @EndUtc, @RecordedUtc, @RecordedBy, 1, NULL, NULL)";
    private const string CorrectInfusionSql =
        """
        UPDATE Infusion SET WeightKg = @WeightKg, DoseMgPerKg = @DoseMgPerKg, TotalDoseMg = @TotalDoseMg, PreparationId = @PreparationId,
               VolumeMl = @VolumeMl, Route = @Route, StartUtc = @StartUtc,
               EndUtc = @EndUtc, RowVersion = @RowVersion, UpdatedUtc = @UpdatedUtc, UpdatedBy = @UpdatedBy
        WHERE Id = @Id AND RowVersion = @RowVersion - 1
        """;
    private const string InfusionsSql = $"SELECT {InfusionColumns} FROM Infusion WHERE ParticipantId = @participantId ORDER BY StartUtc";
    private const string FindVitalSql = $"SELECT {VitalColumns} FROM VitalSign WHERE ParticipantId = @participantId AND VisitCode = @visitCode AND Timepoint = @timepoint";
    private const string InsertVitalSql =
        $"INSERT INTO VitalSign ({VitalColumns}) VALUES (@Id, @ParticipantId, @VisitCode, @Timepoint, @Systolic, @Diastolic, @HeartRate, @Spo2, @RecordedUtc, @RecordedBy, 1, NULL, NULL)";
    private const string CorrectVitalSql =
        """
        UPDATE VitalSign SET Systolic = @Systolic, Diastolic = @Diastolic, HeartRate = @HeartRate, Spo2 = @Spo2, RowVersion = @RowVersion,
               UpdatedUtc = @UpdatedUtc, UpdatedBy = @UpdatedBy
        WHERE Id = @Id AND RowVersion = @RowVersion - 1
        """;
    private const string GetVitalSql = $"SELECT {VitalColumns} FROM VitalSign WHERE Id = @id";
    private const string VitalsSql = $"SELECT {VitalColumns} FROM VitalSign WHERE ParticipantId = @participantId ORDER BY VisitCode, Timepoint";
    private const string VitalsByIdsSql = $"SELECT {VitalColumns} FROM VitalSign WHERE Id IN @ids";
    private const string VitalsAtVisitsSql = $"SELECT {VitalColumns} FROM VitalSign WHERE ParticipantId = @participantId AND VisitCode IN @visitCodes";

    public static Task<InfusionRow?> FindInfusionAsync(DbSession s, Guid participantId, string visitCode) =>
        s.QuerySingleOrDefaultAsync<InfusionRow>(FindInfusionSql, new { participantId, visitCode });

    public static Task<int> InsertInfusionAsync(DbSession s, InfusionRow row) =>
        s.ExecuteAsync(InsertInfusionSql, row);

    /// <summary>Writes the corrected infusion when the stored one is still the version before it; 0 rows otherwise.</summary>
    public static Task<int> CorrectInfusionAsync(DbSession s, InfusionRow corrected) =>
        s.ExecuteAsync(CorrectInfusionSql, corrected);

    public static async Task<IReadOnlyList<InfusionRow>> InfusionsAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<InfusionRow>(InfusionsSql, new { participantId })).AsList();

    public static Task<VitalSignRow?> FindVitalAsync(DbSession s, Guid participantId, string visitCode, string timepoint) =>
        s.QuerySingleOrDefaultAsync<VitalSignRow>(FindVitalSql, new { participantId, visitCode, timepoint });

    public static Task<int> InsertVitalAsync(DbSession s, VitalSignRow row) =>
        s.ExecuteAsync(InsertVitalSql, row);

    /// <summary>Writes the corrected vital signs when the stored ones are still the version before; 0 rows otherwise.</summary>
    public static Task<int> CorrectVitalAsync(DbSession s, VitalSignRow corrected) =>
        s.ExecuteAsync(CorrectVitalSql, corrected);

    public static async Task<IReadOnlyList<VitalSignRow>> VitalsAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<VitalSignRow>(VitalsSql, new { participantId })).AsList();

    public static async Task<IReadOnlyList<VitalSignRow>> VitalsByIdsAsync(DbSession s, IReadOnlyCollection<Guid> ids) =>
        ids.Count == 0 ? [] : (await s.QueryAsync<VitalSignRow>(VitalsByIdsSql, new { ids })).AsList();

    /// <summary>The participant's vital signs at these visits, every timepoint.</summary>
    public static async Task<IReadOnlyList<VitalSignRow>> VitalsAtVisitsAsync(DbSession s, Guid participantId, IReadOnlyCollection<string> visitCodes) =>
        visitCodes.Count == 0 ? [] : (await s.QueryAsync<VitalSignRow>(VitalsAtVisitsSql, new { participantId, visitCodes })).AsList();

    public static Task<VitalSignRow?> GetVitalAsync(DbSession s, Guid id) =>
        s.QuerySingleOrDefaultAsync<VitalSignRow>(GetVitalSql, new { id });
}
