using System.Diagnostics;
using Trial.Application.Safety;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Assessments;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Hosting.Safety;

namespace Trial.Bench;

/// <summary>How the evaluation job went for one history length: what it did, and its cost per evaluation.</summary>
/// <param name="Assessments">The participant's assessments before the new one.</param>
/// <param name="Whole">True: the write said it changed data (as a correction does), so the job evaluated the whole participant.</param>
/// <param name="TimesMs">The measured evaluations, sorted.</param>
/// <param name="KbAllocated">Memory allocated by an evaluation, the median over the evaluations (the whole process, which does nothing else meanwhile).</param>
public sealed record EvaluationRun(int Assessments, bool Whole, IReadOnlyList<double> TimesMs, double KbAllocated)
{
    public string Name => Whole ? "whole participant" : "new record alone";
    public double MedianMs => Stats.Median(TimesMs);
    public double P90Ms => Stats.Percentile(TimesMs, 90);
}

/// <summary>
/// The safety evaluation job (the real <see cref="SafetyJobs"/> on a SQLite file with the application's settings) for one
/// newly added assessment, against the length of the participant's history. Two participants in one database: one with
/// the protocol's battery and a first self-reported BSL-23 (54 assessments with protocol 2.1.0's battery of 53), one with the battery and a year of
/// self-reported BSL-23 (1,000). Each evaluation follows one write of one more self-reported BSL-23, administered after
/// all the others and below every threshold, made as the API makes it: as an addition (<see cref="SafetyChange.Added"/>,
/// so the job evaluates the new record alone) or as a change (<see cref="SafetyChange.Changed"/>, so it evaluates the
/// whole participant, which is what every write caused before incremental evaluation). After the evaluation the new
/// assessment is deleted again, so the history keeps its length. Only the job is timed.
/// </summary>
public static class EvaluationBenchmark
{
    public static readonly IReadOnlyList<int> Sizes = [54, 1_000];
    public const int WarmUp = 60;
    public const int Rounds = 10;
    public const int PerRound = 30;
    public const string SiteCode = "EVA";

    // Benchmark housekeeping only: the application never deletes an assessment.
    private const string DeleteItemsSql = "DELETE FROM AssessmentItem WHERE AssessmentId = @id";
    private const string DeleteScoresSql = "DELETE FROM AssessmentScore WHERE AssessmentId = @id";
    private const string DeleteAssessmentSql = "DELETE FROM Assessment WHERE Id = @id";
    private const string AlertsOfSql = "SELECT COUNT(*) FROM SafetyAlert WHERE SourceKey = @key";

    private static readonly string ProtocolVersion = ProtocolLoader.LoadDefault().Version;

    private sealed class Subject(Guid id, int assessments, DateTime latest)
    {
        public Guid Id { get; } = id;
        public int Assessments { get; } = assessments;
        public DateTime Latest { get; set; } = latest;
    }

    public static async Task<List<EvaluationRun>> RunAsync()
    {
        using var folder = new TempFolder();
        var db = Sqlite.Create(folder.File("evaluation.db"));
        var protocol = ProtocolLoader.LoadDefault();
        var jobs = new SafetyJobs(new EvaluateSafety(db, protocol), TimeProvider.System, WorkerParts.Sweeps(TimeProvider.System));
        var subjects = new List<Subject>();
        for (var i = 0; i < Sizes.Count; i++) subjects.Add(await SeedAsync(db, protocol, jobs, i + 1, Sizes[i]));

        var runs = subjects.SelectMany(s => new[] { (Subject: s, Whole: true), (Subject: s, Whole: false) }).ToList();
        var times = runs.Select(_ => new List<double>()).ToList();
        var allocated = runs.Select(_ => new List<double>()).ToList();
        foreach (var (subject, whole) in runs)
            for (var i = 0; i < WarmUp; i++) await MeasureAsync(db, jobs, subject, whole);

        // Every run measures a share in every round, in an order that rotates, so a drift of the machine's speed shows in all alike.
        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < runs.Count; k++)
            {
                var r = (k + round) % runs.Count;
                for (var i = 0; i < PerRound; i++)
                {
                    var (ms, bytes) = await MeasureAsync(db, jobs, runs[r].Subject, runs[r].Whole);
                    times[r].Add(ms);
                    allocated[r].Add(bytes / 1024.0);
                }
            }
        }

        return runs.Select((run, r) => new EvaluationRun(run.Subject.Assessments, run.Whole, times[r].Order().ToList(),
            Stats.Median(allocated[r].Order().ToList()))).ToList();
    }

    /// <summary>Adds one self-reported BSL-23, times the evaluation job, checks what it did, and deletes the assessment again.</summary>
    private static async Task<(double Ms, long Bytes)> MeasureAsync(Database db, SafetyJobs jobs, Subject subject, bool whole)
    {
        var now = DateTime.UtcNow;
        subject.Latest = subject.Latest.AddMinutes(1);
        var (row, items, scores) = SelfReport(subject.Id, subject.Latest, now);
        await db.WriteDerivedAsync(now, async w =>
        {
            await AssessmentQueries.InsertAsync(w.Session, row, items, scores);
            await w.SafetyDataChangedAsync(subject.Id, whole ? SafetyChange.Changed : SafetyChange.Added);
        });

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        var evaluation = await jobs.EvaluateParticipantAsync(subject.Id);
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - before;

        var expected = whole ? SafetyEvaluationKind.WholeParticipant : SafetyEvaluationKind.NewRecords;
        if (evaluation.Kind != expected || !evaluation.Applied || evaluation.NewRecords != 1)
            throw new InvalidOperationException($"Expected the job to evaluate the {(whole ? "whole participant" : "new record alone")}; it reported {evaluation}.");
        await db.WriteDerivedAsync(now, async w =>
        {
            if (await w.Session.ExecuteScalarAsync<int>(AlertsOfSql, new { key = row.Id.ToString("N") }) != 0)
                throw new InvalidOperationException("The self-report was meant to fire no rule, but raised an alert.");
            foreach (var sql in new[] { DeleteItemsSql, DeleteScoresSql, DeleteAssessmentSql })
                await w.Session.ExecuteAsync(sql, new { id = row.Id });
        });
        return (ms, bytes);
    }

    /// <summary>
    /// A participant whose INF1 was 380 days ago, with every visit of the protocol recorded on its target day and the
    /// battery of each (49 assessments, steady values below every threshold), and <paramref name="size"/> − 49
    /// self-reported BSL-23 spread evenly over the 365 days after INF1, at visits of their own (the protocol has no
    /// visit for them). Loaded straight through the query classes, then evaluated once by the job, as the stored
    /// alerts of a participant would be.
    /// </summary>
    private static async Task<Subject> SeedAsync(Database db, ProtocolDefinition protocol, SafetyJobs jobs, int number, int size)
    {
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        var inf1 = today.AddDays(-380);
        var random = new Random(number);
        var id = SequentialGuid.New(now);
        var latest = DateTime.MinValue;
        await SyntheticData.LoadAsync(db, async c =>
        {
            if (number == 1) await AccessQueries.InsertSiteAsync(c, new SiteRow { Code = SiteCode, Name = "Evaluation site", CreatedUtc = now });
            await ParticipantQueries.InsertAsync(c, SeedData.Participant(id, SiteCode, number, inf1.AddDays(-14), protocol.Version, now));
            var visitDates = VisitDates(protocol, inf1);
            var count = 0;
            foreach (var visit in protocol.Visits.Where(v => visitDates.ContainsKey(v.Code)))
            {
                var date = visitDates[visit.Code];
                await ParticipantQueries.InsertVisitRecordAsync(c, new VisitRecordRow
                {
                    Id = SequentialGuid.New(now), ParticipantId = id, VisitCode = visit.Code, ActualDate = date, RecordedUtc = now, RecordedBy = Guid.Empty,
                });
                foreach (var entry in visit.Battery)
                {
                    foreach (var code in entry.Instruments)
                    {
                        var definition = InstrumentCatalog.Get(code);
                        var items = Workload.Steady(definition, random);
                        var at = date.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc).AddMinutes(TimepointMinutes(entry.Timepoint));
                        await InsertAsync(c, Row(id, visit.Code, entry.Timepoint, definition, items, at, now), items);
                        latest = at > latest ? at : latest;
                        count++;
                    }
                }
            }

            var selfReports = size - count;
            if (selfReports < 1) throw new InvalidOperationException($"{size} assessments leave no room for self-reports after the battery's {count}.");
            for (var n = 0; n < selfReports; n++)
            {
                var at = inf1.ToDateTime(new TimeOnly(20, 0), DateTimeKind.Utc).AddDays(365.0 * (n + 1) / selfReports);
                var (row, items, _) = SelfReport(id, at, now);
                await InsertAsync(c, row, items);
                latest = at > latest ? at : latest;
            }
            return 0;
        });

        var first = await jobs.EvaluateParticipantAsync(id);
        if (first.Kind != SafetyEvaluationKind.WholeParticipant || !first.Applied)
            throw new InvalidOperationException($"The first evaluation of the seeded participant reported {first}.");
        return new Subject(id, size, latest);
    }

    private static Dictionary<string, DateOnly> VisitDates(ProtocolDefinition protocol, DateOnly inf1)
    {
        var lastInfusion = protocol.InfusionVisits.Select(v => inf1.AddDays(v.OffsetDays)).Max();
        return protocol.Visits.Where(v => v.Kind != VisitKinds.Screening).ToDictionary(
            v => v.Code,
            v => v.Kind == VisitKinds.Baseline ? inf1.AddDays(-7)
                : v.Anchor == ProtocolDefinition.LastInfusionAnchor ? lastInfusion.AddDays(v.OffsetDays)
                : inf1.AddDays(v.OffsetDays));
    }

    private static int TimepointMinutes(string? timepoint) => timepoint switch
    {
        null => 0,
        "pre" => 0,
        "t40" => 40,
        "t120" => 120,
        _ => 240,
    };

    /// <summary>A self-reported BSL-23 at a visit of its own, all items 0.</summary>
    private static (AssessmentRow Row, decimal?[] Items, IReadOnlyDictionary<string, decimal> Scores) SelfReport(Guid participant, DateTime at, DateTime now)
    {
        var definition = InstrumentCatalog.Bsl23Definition;
        var items = Workload.Steady(definition, Random.Shared);
        return (Row(participant, $"SR-{at:yyyyMMddHHmm}", null, definition, items, at, now), items, Scorer.Score(definition, items).Scores);
    }

    private static AssessmentRow Row(Guid participant, string visitCode, string? timepoint, InstrumentDefinition definition, decimal?[] items, DateTime at, DateTime now)
    {
        var score = Scorer.Score(definition, items);
        return new AssessmentRow
        {
            Id = SequentialGuid.New(now), ParticipantId = participant, VisitCode = visitCode, Instrument = definition.Code, Timepoint = timepoint ?? "",
            Unscheduled = visitCode.StartsWith("SR-", StringComparison.Ordinal), AdministeredUtc = at, ReceivedUtc = now, Complete = score.Complete,
            SeverityBand = score.SeverityBand, DefinitionVersion = definition.Version, ProtocolVersion = ProtocolVersion, RowVersion = 1,
            CreatedBy = Guid.Empty,
        };
    }

    private static Task InsertAsync(DbSession c, AssessmentRow row, decimal?[] items) =>
        AssessmentQueries.InsertAsync(c, row, items, Scorer.Score(InstrumentCatalog.Get(row.Instrument), items).Scores);
}
