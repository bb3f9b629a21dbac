using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Trial.Application.Safety;
using Trial.Core.Instruments;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Db.Access;
using Trial.Db.AdverseEvents;
using Trial.Db.Assessments;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Safety;
using Trial.Db.Visits;
using Trial.Hosting.Safety;
using Trial.Tests.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Jobs;

/// <summary>
/// The evaluation job on a real SQLite database: what it reads to evaluate new records alone, when it evaluates the
/// whole participant instead, and that the stored alerts are the same either way.
/// </summary>
[TestFixture]
public class SafetyJobsIncrementalTests
{
    // The participants are enrolled on this day and the clock stays on it, so no visit window has closed.
    private static readonly DateTime Today = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private TempFolder _folder = null!;
    private Database _db = null!;
    private FakeTimeProvider _clock = null!;
    private int _participants;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        _folder = new TempFolder();
        _db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={_folder.File("safety.db")}" });
        Migrator.Apply(_db);
        _clock = new FakeTimeProvider(Today);
        await _db.WriteDerivedAsync(Today, w => AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = Today }));
    }

    [OneTimeTearDown]
    public async Task DeleteDatabaseAsync()
    {
        await _db.DisposeAsync();
        _folder.Dispose();
    }

    private SafetyJobs Jobs(ProtocolDefinition? protocol = null) => new(new EvaluateSafety(_db, protocol ?? DefaultProtocol), _clock, WorkerParts.Sweeps(_clock));

    // Run synchronously: FsCheck calls the property as a plain function.
    [FsCheck.NUnit.Property(MaxTest = 100)]
    public Property EvaluateParticipant_RandomTrajectories_StoredAlertsEqualTheWholeEvaluationAfterEveryWrite() =>
        Prop.ForAll(SafetyEngineIncrementalPropertyTests.Trajectories(maxRecords: 30, start: Today).ToArbitrary(),
            t => CheckAsync(t).GetAwaiter().GetResult());

    // Most writes late and mostly MADRS: the job's bounded reads must hold every comparison of the neighbours it evaluates again.
    [FsCheck.NUnit.Property(MaxTest = 100)]
    public Property EvaluateParticipant_TrajectoriesEnteredOutOfOrder_StoredAlertsEqualTheWholeEvaluationAfterEveryWrite() =>
        Prop.ForAll(SafetyEngineIncrementalPropertyTests.Trajectories(maxRecords: 30, start: Today, lateOneIn: 2, madrsWeight: 6).ToArbitrary(),
            t => CheckAsync(t).GetAwaiter().GetResult());

    private async Task CheckAsync(SafetyEngineIncrementalPropertyTests.Trajectory t)
    {
        var protocol = SafetyEngineIncrementalPropertyTests.Protocols.Single(p => p.Name == t.Protocol).Protocol;
        var jobs = Jobs(protocol);
        var participant = await EnrolAsync(jobs);
        var assessments = new List<AssessmentFact>();
        var vitals = new List<VitalsFact>();
        var adverseEvents = new List<AdverseEventFact>();
        // Ids of their own: the trajectories number their records, and every one goes to the same database.
        var writes = t.Writes.Select(w => w.Select(WithNewId).ToList()).ToList();
        for (var step = 0; step < writes.Count; step++)
        {
            var write = writes[step];
            var added = write.OfType<AssessmentFact>().ToList();
            var local = IncrementalReading.CertainlyLocal(assessments, added);
            await AddAsync(participant, write);
            assessments.AddRange(added);
            vitals.AddRange(write.OfType<VitalsFact>());
            adverseEvents.AddRange(write.OfType<AdverseEventFact>());

            var evaluation = await jobs.EvaluateParticipantAsync(participant);

            var at = $"write {step + 1} of {writes.Count} ({string.Join("; ", write.Select(SafetyEngineIncrementalPropertyTests.Trajectory.Describe))})";
            Assert.That(evaluation.Applied, Is.True, at);
            Assert.That(evaluation.NewRecords, Is.EqualTo(write.Count), at);
            if (local) Assert.That(evaluation.Kind, Is.EqualTo(SafetyEvaluationKind.NewRecords), $"{at}: {evaluation.WholeBecause}");
            var whole = SafetyEngine.Evaluate(protocol, new ParticipantSafetyData("WAW-0001", TimeZoneInfo.Utc, assessments, vitals, adverseEvents, []), Today);
            Assert.That(await StoredAlertsAsync(participant), Is.EquivalentTo(whole.Select(Describe)), at);
        }

        Assert.That(await UnevaluatedAsync(participant), Is.Empty, "every record is stamped as evaluated");
    }

    [Test]
    public async Task EvaluateParticipant_AssessmentAdded_EvaluatesItAloneAndStampsIt()
    {
        var jobs = Jobs();
        var participant = await EnrolAsync(jobs);
        await AddAsync(participant, [Madrs("BL", 1, 20)]);
        await jobs.EvaluateParticipantAsync(participant);
        var rise = Madrs("FU-D7", 4, 30);
        await AddAsync(participant, [rise]);

        var evaluation = await jobs.EvaluateParticipantAsync(participant);

        Assert.That(evaluation, Is.EqualTo(new SafetyEvaluation(SafetyEvaluationKind.NewRecords, 1, null, true)));
        Assert.That((await StoredAlertsAsync(participant)).Select(a => a.Split('|')[0]),
            Is.EquivalentTo(new[] { SafetyEngine.Madrs10High, SafetyEngine.Madrs10Rise, SafetyEngine.MadrsWorse }));
        Assert.That(await UnevaluatedAsync(participant), Is.Empty);
        Assert.That(await jobs.EvaluateParticipantAsync(participant), Is.EqualTo(SafetyEvaluation.UpToDate), "a second job finds nothing to do");
    }

    [Test]
    public async Task EvaluateParticipant_FirstEvaluation_EvaluatesTheWholeParticipant()
    {
        var jobs = Jobs();
        var participant = await CreateParticipantAsync();
        await AddAsync(participant, [Madrs("FU-D7", 5, 30)]);

        var evaluation = await jobs.EvaluateParticipantAsync(participant);

        Assert.That(evaluation, Is.EqualTo(new SafetyEvaluation(SafetyEvaluationKind.WholeParticipant, 1, "the participant has not been evaluated before", true)));
        Assert.That(await StoredAlertsAsync(participant), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task EvaluateParticipant_AssessmentEnteredLate_EvaluatesItWithTheNextMadrsComparedWithIt()
    {
        var jobs = Jobs();
        var participant = await EnrolAsync(jobs);
        await AddAsync(participant, [Madrs("BL", 1, 20), Madrs("FU-D14", 4, 20)]);
        await jobs.EvaluateParticipantAsync(participant);
        await AddAsync(participant, [Madrs("FU-D7", 3, 20)]);

        var evaluation = await jobs.EvaluateParticipantAsync(participant);

        Assert.That(evaluation, Is.EqualTo(new SafetyEvaluation(SafetyEvaluationKind.NewRecords, 1, null, true) { Neighbours = 1 }));
        // FU-D14's rise of 3 from BL is now one of 1 from FU-D7 (superseded), FU-D7 rose by 2, and 1 -> 3 -> 4 escalates.
        Assert.That((await StoredAlertsAsync(participant)).Select(a => string.Join(" ", a.Split('|')[0], a.Split('|')[4])), Is.EquivalentTo(new[]
        {
            $"{SafetyEngine.Madrs10High} FU-D14", $"{SafetyEngine.Madrs10Rise} FU-D7", $"{SafetyEngine.SuicidalityEscalating} FU-D14",
        }));
    }

    [Test]
    public async Task EvaluateParticipant_AssessmentCorrected_EvaluatesTheWholeParticipantAndSupersedes()
    {
        var jobs = Jobs();
        var participant = await EnrolAsync(jobs);
        var high = Madrs("BL", 5, 30);
        await AddAsync(participant, [high]);
        await jobs.EvaluateParticipantAsync(participant);

        await _db.WriteDerivedAsync(Today, async w =>
        {
            var current = (await AssessmentQueries.GetAsync(w.Session, high.Id))!;
            var corrected = Madrs("BL", 1, 30);
            var row = Row(participant, corrected with { Id = high.Id }, rowVersion: 2);
            await AssessmentQueries.CorrectAsync(w.Session, current, row, corrected.Items, corrected.Scores, Guid.Empty, Today, "Item 10 misread.");
            await w.SafetyDataChangedAsync(participant);
        });
        var evaluation = await jobs.EvaluateParticipantAsync(participant);

        Assert.That(evaluation, Is.EqualTo(new SafetyEvaluation(SafetyEvaluationKind.WholeParticipant, 0, "data the rules read was changed, not only added to", true)));
        Assert.That(await StoredAlertsAsync(participant), Is.Empty);
    }

    [Test]
    public async Task SafetyDataChanged_AddedThenChangedInOneWrite_NextEvaluationIsWhole()
    {
        var jobs = Jobs();
        var participant = await EnrolAsync(jobs);

        await _db.WriteDerivedAsync(Today, async w =>
        {
            await InsertAsync(w, participant, Bsl("FU-D7", 10));
            await w.SafetyDataChangedAsync(participant, SafetyChange.Added);
            await w.SafetyDataChangedAsync(participant);
            await w.SafetyDataChangedAsync(participant, SafetyChange.Added);
        });
        var versions = await _db.ReadAsync(c => SafetyQueries.VersionsAsync(c, participant));

        Assert.That(versions.Version, Is.EqualTo(versions.EvaluatedVersion + 1), "one write, one version");
        Assert.That(versions.FullVersion, Is.EqualTo(versions.Version));
        Assert.That((await jobs.EvaluateParticipantAsync(participant)).Kind, Is.EqualTo(SafetyEvaluationKind.WholeParticipant));
    }

    [Test]
    public async Task EvaluateParticipant_MoreNewRecordsThanTheLimit_EvaluatesTheWholeParticipant()
    {
        var jobs = Jobs();
        var participant = await EnrolAsync(jobs);
        var selfReports = Enumerable.Range(1, SafetyJobs.MaxNewRecords + 1)
            .Select(day => Assessment(InstrumentCatalog.Bsl23, $"SR-{day:000}", null, ItemBuilder.Filled(23, 1), Today.AddDays(day)));
        await AddAsync(participant, [.. selfReports]);

        var evaluation = await jobs.EvaluateParticipantAsync(participant);

        Assert.That(evaluation.Kind, Is.EqualTo(SafetyEvaluationKind.WholeParticipant));
        Assert.That(evaluation.WholeBecause, Is.EqualTo($"more than {SafetyJobs.MaxNewRecords} new records"));
        Assert.That(await UnevaluatedAsync(participant), Is.Empty);
    }

    [Test]
    public async Task EvaluateParticipant_Asc5DAdded_NothingToEvaluateButStamped()
    {
        var jobs = Jobs();
        var participant = await EnrolAsync(jobs);
        var asc = Assessment(InstrumentCatalog.Asc5D, "INF1", "t240", ItemBuilder.Filled(InstrumentCatalog.Get(InstrumentCatalog.Asc5D).ItemCount, 50));
        await AddAsync(participant, [asc]);

        var evaluation = await jobs.EvaluateParticipantAsync(participant);

        Assert.That(evaluation, Is.EqualTo(new SafetyEvaluation(SafetyEvaluationKind.NewRecords, 1, null, true)));
        Assert.That(await UnevaluatedAsync(participant), Is.Empty);
    }

    [Test]
    public async Task SweepUnevaluated_AfterAnAddition_EvaluatesAndStampsIt()
    {
        var jobs = Jobs();
        var participant = await EnrolAsync(jobs);
        await AddAsync(participant, [Madrs("FU-D7", 5, 30)]);

        Assert.That((await jobs.SweepUnevaluatedAsync()).Processed, Is.GreaterThanOrEqualTo(1));

        Assert.That(await StoredAlertsAsync(participant), Has.Count.EqualTo(1));
        Assert.That(await UnevaluatedAsync(participant), Is.Empty);
        Assert.That(await jobs.EvaluateParticipantAsync(participant), Is.EqualTo(SafetyEvaluation.UpToDate));
    }

    private static object WithNewId(object record) => record switch
    {
        AssessmentFact a => a with { Id = Guid.NewGuid() },
        VitalsFact v => v with { Id = Guid.NewGuid() },
        AdverseEventFact e => e with { Id = Guid.NewGuid() },
        _ => throw new ArgumentOutOfRangeException(nameof(record)),
    };

    /// <summary>A participant whose (empty) data has been evaluated once, as after enrolment.</summary>
    private async Task<Guid> EnrolAsync(SafetyJobs jobs)
    {
        var id = await CreateParticipantAsync();
        await jobs.EvaluateParticipantAsync(id);
        return id;
    }

    private async Task<Guid> CreateParticipantAsync()
    {
        var id = Guid.NewGuid();
        var number = Interlocked.Increment(ref _participants);
        await _db.WriteDerivedAsync(Today, w => ParticipantQueries.InsertAsync(w.Session, new ParticipantRow
        {
            Id = id, Code = $"WAW-{number:0000}", SiteCode = "WAW", Number = number, Sex = "F", BirthYear = 1990, WeightKg = 60,
            FailedAntidepressantTrials = 2, PsychotherapyWithoutResponse = true, BpdDiagnosis = true, Status = ParticipantStatuses.Enrolled,
            EnrolledDate = DateOnly.FromDateTime(Today), EnrolledUtc = Today, ProtocolVersion = DefaultProtocol.Version,
        }));
        return id;
    }

    /// <summary>One write adding these records, as the API's creating endpoints do it.</summary>
    private Task AddAsync(Guid participant, IReadOnlyList<object> records) =>
        _db.WriteDerivedAsync(Today, async w =>
        {
            foreach (var record in records) await InsertAsync(w, participant, record);
            await w.SafetyDataChangedAsync(participant, SafetyChange.Added);
        });

    private static async Task InsertAsync(WriteScope w, Guid participant, object record)
    {
        switch (record)
        {
            case AssessmentFact a:
                await AssessmentQueries.InsertAsync(w.Session, Row(participant, a, rowVersion: 1), a.Items, a.Scores);
                break;
            case VitalsFact v:
                await InfusionAndVitalsQueries.InsertVitalAsync(w.Session, new VitalSignRow
                {
                    Id = v.Id, ParticipantId = participant, VisitCode = v.VisitCode, Timepoint = v.Timepoint, Systolic = v.Systolic,
                    Diastolic = v.Diastolic, HeartRate = v.HeartRate, Spo2 = v.Spo2, RecordedUtc = Today,
                });
                break;
            case AdverseEventFact e:
                await AdverseEventQueries.InsertAsync(w.Session, new AdverseEventRow
                {
                    Id = e.Id, ParticipantId = participant, Term = e.Term, OnsetDate = e.OnsetDate, EndDate = e.EndDate, Severity = e.Severity,
                    Serious = e.Serious, SeriousCriteria = string.Join(",", e.SeriousCriteria), Relatedness = e.Relatedness, Expected = e.Expected,
                    ActionTaken = e.ActionTaken, Outcome = e.Outcome, AwareDate = e.AwareDate, AwareUtc = e.AwareUtc,
                    SponsorReportedUtc = e.SponsorReportedUtc, SpecialInterest = e.SpecialInterest, RowVersion = 1, RecordedUtc = Today, UpdatedUtc = Today,
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(record));
        }
    }

    private static AssessmentRow Row(Guid participant, AssessmentFact a, int rowVersion) => new()
    {
        Id = a.Id, ParticipantId = participant, VisitCode = a.VisitCode, Instrument = a.Instrument, Timepoint = a.Timepoint ?? "", Unscheduled = true,
        AdministeredUtc = a.AdministeredUtc, ReceivedUtc = Today, Complete = a.Items.All(i => i is not null),
        DefinitionVersion = InstrumentCatalog.Get(a.Instrument).Version, ProtocolVersion = DefaultProtocol.Version, RowVersion = rowVersion,
    };

    /// <summary>The participant's alerts in force, described as <see cref="SafetyData.Describe"/> describes a finding.</summary>
    private async Task<List<string>> StoredAlertsAsync(Guid participant)
    {
        var stored = await _db.ReadAsync(c => SafetyQueries.ForParticipantAsync(c, participant));
        return stored.Where(a => a.SupersededUtc is null).Select(a => Describe(new AlertCandidate(a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode, a.Message,
            JsonSerializer.Deserialize<Dictionary<string, string>>(a.ValuesJson)!))).ToList();
    }

    private Task<IReadOnlyList<UnevaluatedRecord>> UnevaluatedAsync(Guid participant) =>
        _db.ReadAsync(c => SafetyQueries.UnevaluatedRecordsAsync(c, participant, int.MaxValue));
}
