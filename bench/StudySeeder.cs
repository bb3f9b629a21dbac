using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Trial.Application;
using Trial.Application.Access;
using Trial.Application.Randomisation;
using Trial.Application.Safety;
using Trial.Application.Schedules;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.AdverseEvents;
using Trial.Db.Assessments;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Visits;
using Trial.Hosting.Safety;

namespace Trial.Bench;

public sealed record SeedOptions(int Participants, int Seed, string OutPath, DateOnly CutOff, string? AdminToken);

public sealed record SeedSummary(
    int Participants, int Randomised, IReadOnlyDictionary<string, int> PerArm, int Visits, int Assessments, int Items, int Infusions, int Preparations,
    int Vitals, int AdverseEvents, int Alerts, TimeSpan Elapsed, string AdminToken, string RandomisationSecret);

/// <summary>
/// Builds a realistic synthetic study, deterministic from a seed, into a SQLite file: the bulk clinical data straight
/// through Trial.Db (the data layer the API uses) rather than through the HTTP API, without audit rows (no person entered
/// it): 2,000 participants are about 2.4 million item responses, which takes seconds this way and far longer one POST at
/// a time. What people or the jobs would have done goes through the application's use cases, with their audit rows: the
/// set-up (BootstrapAdmin, CreateSite, CreateUser), the randomisations, the visit schedules (RebuildSchedule), the safety
/// evaluation and the monitors' reviews of alerts (ReviewSafetyAlert). The data
/// is what the API would have stored under the default (double-blind) protocol: the protocol's visit plan
/// with actual dates in their windows; randomisation after the baseline visit through the use case the API
/// calls (Randomise: strata by site and baseline MADRS, places taken from the database's counters in the order
/// participants became ready, arms from the permuted-block sequence of a secret derived from the seed); the
/// pharmacy's preparation of each infusion for the arm (its total dose as the preparation's check computes it),
/// and the infusion recorded by its label and volume as the blinded protocol stores it; vital signs, the full battery per visit and timepoint scored by Core's Scorer,
/// the stored schedules, and safety alerts raised by the worker's own rule evaluation.
/// </summary>
public static class StudySeeder
{
    public static readonly (string Code, string Name, int Weight)[] Sites =
        [("WAW", "Warsaw", 35), ("KRK", "Krakow", 25), ("BER", "Berlin", 25), ("MAD", "Madrid", 15)];

    public static async Task<SeedSummary> SeedAsync(SeedOptions options, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var protocol = ProtocolLoader.LoadDefault();
        var database = new Database(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={options.OutPath}" });
        Migrator.Apply(database);
        var now = options.CutOff.ToDateTime(new TimeOnly(18, 0), DateTimeKind.Utc);

        // The study's set-up two years before the cut-off, through the use cases an admin calls, each with its audit row: the admin
        // (whose token the caller gets), the sites, an investigator and a pharmacist per site and a monitor (the data is attributed to them).
        var adminToken = options.AdminToken ?? ApiTokens.New();
        var secret = RandomisationSecretOf(options.Seed);
        var (investigators, pharmacists, monitor) = await SetUpAsync(database, adminToken, Path.GetDirectoryName(Path.GetFullPath(options.OutPath))!,
            at: now.AddYears(-2), tokensExpireUtc: now.AddYears(5));

        // Everyone's course up to randomisation first (the participant and the baseline visit with its assessments), so the
        // randomisation finds in the database what it reads there; then the randomisations; then the rest of each course.
        var enrolled = new Dictionary<int, SeedEnrolment>(options.Participants);
        const int batch = 25;
        for (var from = 0; from < options.Participants; from += batch)
        {
            var courses = Enumerable.Range(from, Math.Min(batch, options.Participants - from))
                .Select(i => Course.Begin(protocol, options, i, investigators))
                .ToList();
            // Straight through the query classes (no audit rows: no person entered this data), a batch per transaction.
            await SyntheticData.LoadAsync(database, async c =>
            {
                foreach (var course in courses) enrolled[course.Index] = await WriteBeforeRandomisationAsync(c, course);
                return 0;
            });
        }

        var allocations = await RandomiseAsync(database, protocol, options, Encoding.UTF8.GetBytes(secret), investigators, enrolled);
        log.WriteLine($"  {allocations.Count:N0} participants randomised ({clock.Elapsed.TotalSeconds:N0} s)");

        var counts = new Counts();
        var participantIds = new List<Guid>(options.Participants);
        for (var from = 0; from < options.Participants; from += batch)
        {
            var courses = Enumerable.Range(from, Math.Min(batch, options.Participants - from))
                .Select(i => Course.Generate(protocol, options, i, investigators, pharmacists, allocations))
                .ToList();
            await SyntheticData.LoadAsync(database, async c =>
            {
                foreach (var course in courses) await WriteAfterRandomisationAsync(c, course, enrolled[course.Index].Code, protocol.LastFollowUpVisit?.Code, counts);
                return 0;
            });
            participantIds.AddRange(courses.Select(course => course.Participant.Id));
            if ((from / batch) % 20 == 19) log.WriteLine($"  {from + courses.Count:N0} participants written ({clock.Elapsed.TotalSeconds:N0} s)");
        }

        // The stored visit plans, rebuilt by the schedule job's use case as of the cut-off (each site's calendar, each participant's
        // data version), so the API starts with nothing to rebuild; before the safety rules, whose missed visits read them.
        log.WriteLine($"  building the visit schedules ({clock.Elapsed.TotalSeconds:N0} s)");
        var schedules = new RebuildSchedule(database, protocol);
        await Parallel.ForEachAsync(participantIds, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            async (id, _) => await schedules.RebuildAsync(id, now));

        // Safety alerts as the worker raises them: the rules evaluated over each participant's data.
        log.WriteLine($"  evaluating the safety rules ({clock.Elapsed.TotalSeconds:N0} s)");
        var evaluationClock = new FixedClock(now);
        var safety = new SafetyJobs(new EvaluateSafety(database, protocol), evaluationClock, WorkerParts.Sweeps(evaluationClock));
        await Parallel.ForEachAsync(participantIds, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            async (id, _) => await safety.EvaluateParticipantAsync(id));
        counts.Alerts = await ReviewAlertsAsync(database, new Random(options.Seed + 1), monitor, now);

        var perArm = allocations.Values.GroupBy(a => a.Arm).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new SeedSummary(options.Participants, allocations.Count, perArm, counts.Visits, counts.Assessments, counts.Items, counts.Infusions, counts.Preparations,
            counts.Vitals, counts.AdverseEvents, counts.Alerts, clock.Elapsed, adminToken, secret);
    }

    /// <summary>
    /// The study's set-up at <paramref name="at"/>, through the use cases: the admin with <paramref name="adminToken"/> as a new
    /// installation creates it (<see cref="BootstrapAdmin"/>), then, as that admin, the sites (<see cref="CreateSite"/>) and the
    /// staff (<see cref="CreateUser"/>, each with an activation code nobody is given), the admin's token valid until <paramref name="tokensExpireUtc"/>; a second admin
    /// approves the pharmacists (<see cref="ApproveAccess"/>).
    /// Returns each site's investigator and pharmacist, and the monitor of every site.
    /// </summary>
    private static async Task<(Dictionary<string, Guid> Investigators, Dictionary<string, Guid> Pharmacists, Actor Monitor)> SetUpAsync(
        Database database, string adminToken, string folder, DateTime at, DateTime tokensExpireUtc)
    {
        var access = new AccessOptions { TokenLifetimeDays = (int)(tokensExpireUtc - at).TotalDays };
        _ = await new BootstrapAdmin(database, new FixedClock(at), access).EnsureAsync(adminToken, folder)
            ?? throw new InvalidOperationException("The seed builds a new study, but the database already has users.");
        var owner = (await database.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, ApiTokens.Hash(adminToken), at)))!;
        var admin = new Actor(owner.UserId, owner.TokenId, owner.Name, owner.Role, owner.Sites);

        var sites = new CreateSite(new SiteOptions());
        var users = new CreateUser(access);
        var investigators = new Dictionary<string, Guid>();
        var pharmacists = new Dictionary<string, Guid>();
        foreach (var (code, name, _) in Sites)
        {
            var site = Made(sites.Check(new SiteInput(code, name, null)), $"site {code}");
            Made(await database.RunAsync(admin, at, w => sites.WriteAsync(w, site)), $"site {code}");
            investigators[code] = await UserAsync($"Investigator {name}", Roles.Investigator, [code]);
            pharmacists[code] = await UserAsync($"Pharmacist {name}", Roles.Pharmacist, [code]);
        }
        var siteCodes = Sites.Select(s => s.Code).ToList();
        var monitor = new Actor(await UserAsync("Monitor", Roles.Monitor, siteCodes), Guid.Empty, "Monitor", Roles.Monitor, siteCodes);
        // A pharmacist sees arms, which two people grant: the admin above asked for each, a second admin approves them.
        var second = new Actor(await UserAsync("Second admin", Roles.Admin, []), Guid.Empty, "Second admin", Roles.Admin, []);
        var approve = new ApproveAccess(access);
        foreach (var (code, pharmacist) in pharmacists)
            Made(await database.RunAsync(second, at, w => approve.WriteAsync(w, pharmacist)), $"the approval of the pharmacist of {code}");
        return (investigators, pharmacists, monitor);

        async Task<Guid> UserAsync(string name, string role, IReadOnlyList<string> userSites)
        {
            var user = Made(users.Check(new UserInput(name, role, [.. userSites])), name);
            return Made(await database.RunAsync(admin, at, w => users.WriteAsync(w, user)), name).Id;
        }

        static T Made<T>(Outcome<T> outcome, string what) =>
            outcome.IsRefused ? throw new InvalidOperationException($"The seed could not create {what}: {outcome.Refusal!.Detail}") : outcome.Value!;
    }

    /// <summary>
    /// Saves the admin's token and the randomisation secret beside the study (PATH.admin-token, PATH.randomisation-secret),
    /// each readable by the owner only; returns their paths.
    /// </summary>
    public static async Task<(string TokenFile, string SecretFile)> SaveKeysAsync(string path, SeedSummary summary)
    {
        var files = (TokenFile: path + ".admin-token", SecretFile: path + ".randomisation-secret");
        foreach (var (file, text) in new[] { (files.TokenFile, summary.AdminToken), (files.SecretFile, summary.RandomisationSecret) })
        {
            await File.WriteAllTextAsync(file, text + Environment.NewLine);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return files;
    }

    /// <summary>
    /// The secret the seeded study's allocation sequence is generated from: derived from the seed, so the same seed gives the
    /// same allocations. Serve the study with it (Randomisation__Secret), or the API would generate a secret of its own and its
    /// next allocations, and the sequence it regenerates for audit, would not follow the seeded ones.
    /// </summary>
    public static string RandomisationSecretOf(int seed) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"trial synthetic study, seed {seed}"))));

    /// <summary>
    /// Randomisation by the use case POST /participants/{code}/randomisation calls (<see cref="Randomise"/>), as each site's
    /// investigator, for every participant ready by the cut-off, in the order they became ready and at that moment: the stratum
    /// from the site and the baseline MADRS, the randomisation number and the stratum's next place from the database's
    /// counters, the arm at that place of the protocol's permuted-block sequence generated from the secret. Written as the use
    /// case writes, with its audit rows (the application has no write without them), so the seeded trail holds exactly the
    /// randomisations; the rest of the synthetic data goes straight through the query classes.
    /// </summary>
    private static async Task<IReadOnlyDictionary<int, SeedAllocation>> RandomiseAsync(
        Database database, ProtocolDefinition protocol, SeedOptions options, byte[] secret, IReadOnlyDictionary<string, Guid> investigators,
        IReadOnlyDictionary<int, SeedEnrolment> enrolled)
    {
        var randomisation = protocol.Design.Randomisation;
        if (randomisation is null) return new Dictionary<int, SeedAllocation>();
        if (randomisation.Method != RandomisationMethods.PermutedBlocks)
            throw new NotSupportedException($"The seed generates its allocations by permuted blocks; protocol {protocol.ProtocolId} randomises by {randomisation.Method}.");
        var now = options.CutOff.ToDateTime(new TimeOnly(18, 0), DateTimeKind.Utc);
        var ready = enrolled.Values
            .Select(e => e.Baseline)
            .OfType<SeedBaseline>()
            .Where(b => b.ReadyUtc <= now)
            .OrderBy(b => b.ReadyUtc).ThenBy(b => b.Index)
            .ToList();
        var randomise = new Randomise(database, protocol, new ConcealedSequence(secret));
        var allocations = new Dictionary<int, SeedAllocation>();
        foreach (var b in ready)
        {
            var code = enrolled[b.Index].Code;
            var site = Sites.Single(s => s.Code == b.SiteCode);
            var investigator = new Actor(investigators[site.Code], Guid.Empty, $"Investigator {site.Name}", Roles.Investigator, [site.Code]);
            var checkedParticipant = await randomise.CheckAsync(investigator, code);
            var made = checkedParticipant.IsRefused
                ? checkedParticipant.Refusal!
                : await database.RunAsync(investigator, b.ReadyUtc, w => randomise.WriteAsync(w, checkedParticipant.Value!));
            if (made.IsRefused) throw new InvalidOperationException($"The seed could not randomise {code}: {made.Refusal!.Detail}");
            var a = made.Value!;
            allocations[b.Index] = new SeedAllocation(a.RandomisationNumber, a.Stratum, a.SequenceNumber, a.Arm, a.BaselineMadrsTotal!.Value, a.RandomisedUtc);
        }
        return allocations;
    }

    private sealed class Counts
    {
        public int Visits, Assessments, Items, Infusions, Preparations, Vitals, AdverseEvents, Alerts;
    }

    /// <summary>
    /// The participant, with the site's next number, and their course up to randomisation: the baseline visit and its
    /// assessments as first entered (a correction of one comes later, with the rest).
    /// </summary>
    private static async Task<SeedEnrolment> WriteBeforeRandomisationAsync(DbSession c, Course course)
    {
        var number = (await ParticipantQueries.TakeNextNumberAsync(c, course.Participant.SiteCode))!.Value;
        var participant = course.Participant with { Number = number, Code = ParticipantCodes.Of(course.Participant.SiteCode, number) };
        await ParticipantQueries.InsertAsync(c, participant.Row());
        var (visits, assessments) = course.BeforeRandomisation;
        foreach (var visit in course.Visits.Take(visits)) await ParticipantQueries.InsertVisitRecordAsync(c, visit);
        foreach (var a in course.Assessments.Take(assessments))
            await AssessmentQueries.InsertAsync(c, (a.Row with { ParticipantCode = participant.Code }).Row(), a.Items, a.Score.Scores);
        return new SeedEnrolment(participant.Code, course.Baseline);
    }

    /// <summary>The rest of the course, after randomisation: corrections of the baseline's assessments and every later visit.</summary>
    private static async Task WriteAfterRandomisationAsync(DbSession c, Course course, string code, string? lastFollowUpVisit, Counts counts)
    {
        var participant = course.Participant with { Code = code };
        var (visitsBefore, assessmentsBefore) = course.BeforeRandomisation;
        foreach (var visit in course.Visits.Skip(visitsBefore)) await ParticipantQueries.InsertVisitRecordAsync(c, visit);
        // As recording the visit does through the API: the plan's last follow-up visit completes the study.
        if (course.Visits.Any(v => v.VisitCode == lastFollowUpVisit)) await ParticipantQueries.CompleteAsync(c, course.Participant.Id);
        foreach (var preparation in course.Preparations) await RandomisationQueries.InsertPreparationAsync(c, preparation);
        foreach (var infusion in course.Infusions) await InfusionAndVitalsQueries.InsertInfusionAsync(c, infusion);
        foreach (var vitals in course.Vitals) await InfusionAndVitalsQueries.InsertVitalAsync(c, vitals);
        foreach (var (a, i) in course.Assessments.Select((a, i) => (a, i)))
        {
            var row = a.Row with { ParticipantCode = participant.Code };
            if (i >= assessmentsBefore) await AssessmentQueries.InsertAsync(c, row.Row(), a.Items, a.Score.Scores);
            if (a.Correction is { } fix)
            {
                var stored = new StoredAssessment(row.Row(), a.Items, a.Score.Scores);
                var corrected = row with { RowVersion = 2, Complete = fix.Score.Complete, SeverityBand = fix.Score.SeverityBand };
                await AssessmentQueries.CorrectAsync(c, stored, corrected.Row(), fix.Items, fix.Score.Scores, row.CreatedBy, fix.AtUtc, fix.Reason);
            }
            counts.Items += a.Items.Count;
        }
        foreach (var ae in course.AdverseEvents) await AdverseEventQueries.InsertAsync(c, ae);

        counts.Visits += course.Visits.Count;
        counts.Assessments += course.Assessments.Count;
        counts.Infusions += course.Infusions.Count;
        counts.Preparations += course.Preparations.Count;
        counts.Vitals += course.Vitals.Count;
        counts.AdverseEvents += course.AdverseEvents.Count;
    }

    /// <summary>
    /// Monitors have worked through most alerts: acknowledged, and most of those resolved, each step through the review the API
    /// offers (<see cref="ReviewSafetyAlert"/>), with the alert's history and the audit rows. Which alerts are reviewed, and when,
    /// is drawn first in a fixed order, so the same seed gives the same reviews; the reviews of different alerts then run side by side.
    /// </summary>
    private static async Task<int> ReviewAlertsAsync(Database database, Random random, Actor monitor, DateTime now)
    {
        // In the order of what raised them, not of their ids, which the rule evaluation draws at random.
        var alerts = (await database.ReadAsync(c => c.QueryAsync<Guid>("SELECT Id FROM SafetyAlert WHERE SupersededUtc IS NULL ORDER BY ParticipantId, RuleCode, SourceKey"))).ToList();
        var reviews = new List<(Guid Alert, DateTime Acknowledged, DateTime? Resolved)>();
        foreach (var id in alerts)
        {
            if (random.NextDouble() < 0.2) continue;
            var acknowledged = now.AddMinutes(10 + random.Next(600));
            reviews.Add((id, acknowledged, random.NextDouble() < 0.3 ? null : acknowledged.AddHours(1 + random.Next(48))));
        }
        var review = new ReviewSafetyAlert(database);
        await Parallel.ForEachAsync(reviews, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (r, _) =>
        {
            await StepAsync(r.Alert, AlertReview.Acknowledge, "Reviewed with the site.", r.Acknowledged);
            if (r.Resolved is { } resolved) await StepAsync(r.Alert, AlertReview.Resolve, "Participant seen; no further action.", resolved);
        });
        return await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM SafetyAlert"));

        async Task StepAsync(Guid id, AlertReview step, string comment, DateTime at)
        {
            var checkedStep = await review.CheckAsync(monitor, id, step, comment);
            var done = checkedStep.IsRefused ? checkedStep.Refusal! : await database.RunAsync(monitor, at, w => review.WriteAsync(w, checkedStep.Value!));
            if (done.IsRefused) throw new InvalidOperationException($"The seed could not {step} alert {id}: {done.Refusal!.Detail}");
        }
    }

    private sealed class FixedClock(DateTime utcNow) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utcNow, TimeSpan.Zero);
    }
}

/// <summary>Ids in the shape SequentialGuid gives (time in the bytes SQL Server sorts first), drawn from the seeded random source.</summary>
internal static class Ids
{
    public static Guid Next(Random random, DateTime at)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes[..10]);
        var ticks = at.Ticks;
        for (var i = 15; i >= 10; i--) bytes[i] = (byte)(ticks >> 8 * (15 - i) + 16);
        return new Guid(bytes);
    }
}

/// <summary>What a participant's row holds before the site's next number is taken in the write.</summary>
internal sealed record SeedParticipant(
    Guid Id, string SiteCode, int Number, string Code, string Sex, int BirthYear, decimal WeightKg, int FailedTrials, bool HighSuicideRisk,
    DateOnly EnrolledDate, DateOnly? InfusionsDiscontinuedDate, string? DiscontinuationReasonCode, string? DiscontinuationReason, string ProtocolVersion, Guid CreatedBy)
{
    public ParticipantRow Row() => new()
    {
        Id = Id, Code = Code, SiteCode = SiteCode, Number = Number, Sex = Sex, BirthYear = BirthYear, WeightKg = WeightKg,
        FailedAntidepressantTrials = FailedTrials, PsychotherapyWithoutResponse = true, BpdDiagnosis = true, PsychoticPersonalityOrganisation = false,
        HighSuicideRisk = HighSuicideRisk, Status = ParticipantStatuses.Enrolled, EnrolledDate = EnrolledDate, EnrolledUtc = EnrolledDate.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc),
        ProtocolVersion = ProtocolVersion, InfusionsDiscontinuedDate = InfusionsDiscontinuedDate, DiscontinuationReasonCode = DiscontinuationReasonCode, DiscontinuationReason = DiscontinuationReason,
        CreatedBy = CreatedBy,
    };
}

internal sealed record SeedAssessmentRow(
    Guid Id, Guid ParticipantId, string ParticipantCode, string VisitCode, string Instrument, string Timepoint, DateTime AdministeredUtc, DateTime ReceivedUtc,
    bool Complete, string? SeverityBand, string DefinitionVersion, string ProtocolVersion, int RowVersion, Guid CreatedBy)
{
    public AssessmentRow Row() => new()
    {
        Id = Id, ParticipantId = ParticipantId, ParticipantCode = ParticipantCode, VisitCode = VisitCode, Instrument = Instrument, Timepoint = Timepoint,
        Unscheduled = false, AdministeredUtc = AdministeredUtc, ReceivedUtc = ReceivedUtc, Complete = Complete, SeverityBand = SeverityBand,
        DefinitionVersion = DefinitionVersion, ProtocolVersion = ProtocolVersion, RowVersion = RowVersion, CreatedBy = CreatedBy,
    };
}

internal sealed record SeedCorrection(IReadOnlyList<decimal?> Items, AssessmentScore Score, DateTime AtUtc, string Reason);

internal sealed record SeedAssessment(SeedAssessmentRow Row, IReadOnlyList<decimal?> Items, AssessmentScore Score, SeedCorrection? Correction);

/// <summary>Where a participant stands when they can be randomised: after the baseline visit, with its complete MADRS.</summary>
internal sealed record SeedBaseline(int Index, string SiteCode, decimal MadrsTotal, DateTime ReadyUtc);

/// <summary>A participant as enrolled before randomisation: their code, and where they stood when they could be randomised (null: not by the cut-off).</summary>
internal sealed record SeedEnrolment(string Code, SeedBaseline? Baseline);

/// <summary>A participant's allocation, taken by the randomisation use case the API calls (see StudySeeder.RandomiseAsync).</summary>
internal sealed record SeedAllocation(int RandomisationNumber, string Stratum, int SequenceNumber, string Arm, decimal BaselineMadrsTotal, DateTime RandomisedUtc);

/// <summary>
/// One participant's course through the protocol, drawn from two random sources seeded by the study seed and the
/// participant's number, so each participant is the same whatever else changes: one for everything up to randomisation
/// (who they are, their visit dates, the baseline visit and its assessments), the other for everything after it, which
/// depends on the arm. So the allocation, which depends on everyone randomised before, is decided between the two.
/// </summary>
internal sealed class Course
{
    public required SeedParticipant Participant { get; init; }
    public List<VisitRecordRow> Visits { get; } = [];
    public List<InfusionRow> Infusions { get; } = [];
    public List<PreparationRow> Preparations { get; } = [];
    public List<VitalSignRow> Vitals { get; } = [];
    public List<SeedAssessment> Assessments { get; } = [];
    public List<AdverseEventRow> AdverseEvents { get; } = [];

    /// <summary>Ready to be randomised (baseline visit done, its MADRS complete); null while the baseline visit is after the cut-off.</summary>
    public SeedBaseline? Baseline { get; private set; }

    /// <summary>The allocation, when the participant was randomised by the cut-off.</summary>
    public SeedAllocation? Allocation { get; private set; }

    /// <summary>The participant's number in the study's generation order (not their code's number, which their site gives).</summary>
    public int Index => _index;

    /// <summary>How many of <see cref="Visits"/> and <see cref="Assessments"/> come before randomisation (the baseline visit's): the first ones.</summary>
    public (int Visits, int Assessments) BeforeRandomisation { get; private set; }

    private enum Trajectory { Responder, Partial, NonResponder }

    // MADRS total as a share of baseline at each visit, per trajectory (responders relapse a little over months).
    private static readonly Dictionary<string, double[]> MadrsShare = new()
    {
        ["BL"] = [1.00, 1.00, 1.00], ["INF1"] = [0.97, 0.98, 1.00], ["POST24"] = [0.62, 0.80, 0.95], ["INF2"] = [0.55, 0.78, 0.95],
        ["INF3"] = [0.45, 0.74, 0.93], ["INF4"] = [0.38, 0.70, 0.92], ["FU-D7"] = [0.36, 0.70, 0.93], ["FU-D14"] = [0.38, 0.72, 0.95],
        ["FU-D28"] = [0.42, 0.75, 0.97], ["FU-M3"] = [0.48, 0.78, 0.98], ["FU-M6"] = [0.55, 0.80, 1.00],
    };

    /// <summary>The arm with the drug's expected effects: ketamine's antidepressant response and dissociation, midazolam's sedation without either.</summary>
    private sealed record ArmEffect(double Responder, double PartialOfTheRest, double DissociationAtT40, double AscIntensity);

    private static readonly ArmEffect Ketamine = new(0.45, 0.45, 15, 25);
    private static readonly ArmEffect ActivePlacebo = new(0.15, 0.40, 4, 10);

    private static readonly string[] AeTerms =
    [
        "Nausea after the infusion", "Headache, relieved by paracetamol", "Dizziness on standing", "Transient blood pressure rise",
        "Dissociation during the infusion", "Anxiety after the infusion", "Blurred vision", "Fatigue the day after",
    ];

    private int _index;
    private Guid _by;
    private Dictionary<string, DateOnly> _dates = [];
    private double _baselineMadrs, _bslBaseline;
    private int _madrsItem10;

    /// <summary>The whole course: up to randomisation, the allocation (from <paramref name="allocations"/>, by participant index), and the rest.</summary>
    public static Course Generate(ProtocolDefinition protocol, SeedOptions options, int index, IReadOnlyDictionary<string, Guid> investigators,
        IReadOnlyDictionary<string, Guid> pharmacists, IReadOnlyDictionary<int, SeedAllocation> allocations)
    {
        var course = Begin(protocol, options, index, investigators);
        course.Continue(protocol, options, allocations.GetValueOrDefault(index), pharmacists[course.Participant.SiteCode]);
        return course;
    }

    /// <summary>The course up to randomisation: the participant, their visit dates, and the baseline visit with its assessments.</summary>
    public static Course Begin(ProtocolDefinition protocol, SeedOptions options, int index, IReadOnlyDictionary<string, Guid> investigators)
    {
        // Not HashCode.Combine: it is seeded at random per process, and the study must be the same every time.
        var r = new Random(unchecked(options.Seed * 1_000_003 + index));
        var site = Pick(r, StudySeeder.Sites.Select(s => (s.Code, s.Weight)).ToArray());
        var by = investigators[site];
        // Recruitment runs over the 18 months before the cut-off, evenly; the latest enrolled are still early in their course.
        var enrolled = options.CutOff.AddDays(-540 + (int)((long)index * 530 / Math.Max(1, options.Participants)) + r.Next(0, 5));
        var baseline = Math.Clamp(Normal(r, 33, 5), 22, 48);
        var bslBaseline = Math.Clamp(Normal(r, 2.1, 0.6), 0.6, 3.6);
        var participantId = Ids.Next(r, enrolled.ToDateTime(TimeOnly.MinValue));

        // Visit dates from the protocol's plan: the baseline visit a few days after enrolment, the first infusion after it (within
        // the baseline's window before it, by its planned day after enrolment), each later visit on its anchor's date plus its
        // offset, within its window; the follow-ups on the last infusion given.
        var visits = protocol.Visits;
        var baselineVisit = visits.First(v => v.Kind == VisitKinds.Baseline);
        var firstInfusion = visits.First(v => v.Kind == VisitKinds.Infusion && v.Anchor is null);
        var infusions = visits.Where(v => v.Kind == VisitKinds.Infusion).Select(v => v.Code).ToList();
        const int baselineWithin = 5;
        var bl = enrolled.AddDays(r.Next(1, baselineWithin + 1));
        var inf1Within = Math.Min(protocol.Inf1PlannedDaysAfterEnrolment - baselineWithin, baselineVisit.WindowBeforeDays - baselineVisit.OffsetDays);
        var dates = new Dictionary<string, DateOnly> { [baselineVisit.Code] = bl, [firstInfusion.Code] = bl.AddDays(r.Next(1, Math.Max(1, inf1Within) + 1)) };
        foreach (var visit in visits.Where(v => v.Anchor is not null && v.Anchor != ProtocolDefinition.LastInfusionAnchor && v != baselineVisit))
        {
            // A post-infusion check falls anywhere in its short window; the other visits are mostly on their target day.
            var shift = visit.Kind == VisitKinds.PostInfusion
                ? r.Next(-visit.WindowBeforeDays, visit.WindowAfterDays + 1)
                : Jitter(r, visit.WindowBeforeDays, visit.WindowAfterDays);
            dates[visit.Code] = dates[visit.Anchor!].AddDays(visit.OffsetDays + shift);
        }
        DateOnly? discontinued = null;
        string? reason = null, reasonCode = null;
        var lastInfusion = infusions[^1];
        if (Roll(r, 0.06) && infusions.Count > 2)
        {
            // Infusions stopped after one between the first and the last.
            lastInfusion = infusions[1 + r.Next(infusions.Count - 2)];
            discontinued = dates[lastInfusion].AddDays(1);
            (reason, reasonCode) = Roll(r, 0.5)
                ? ("Participant asked to stop infusions", DispositionReasons.WithdrawalBySubject)
                : ("Severe dissociation during the last infusion", DispositionReasons.AdverseEvent);
            foreach (var skipped in infusions.Skip(infusions.IndexOf(lastInfusion) + 1)) dates.Remove(skipped);
        }
        foreach (var visit in visits.Where(v => v.Anchor == ProtocolDefinition.LastInfusionAnchor))
        {
            // A few follow-ups are missed; a few are done a day or two outside their window (kept, flagged).
            if (Roll(r, 0.05)) continue;
            var deviation = Roll(r, 0.02) ? visit.WindowAfterDays + r.Next(1, 3) : 0;
            dates[visit.Code] = dates[lastInfusion].AddDays(visit.OffsetDays + Jitter(r, visit.WindowBeforeDays, visit.WindowAfterDays) + deviation);
        }
        var course = new Course
        {
            Participant = new SeedParticipant(participantId, site, 0, "", Pick(r, [("F", 70), ("M", 28), ("X", 2)]), 1955 + r.Next(0, 50),
                Math.Round((decimal)Math.Clamp(Normal(r, 72, 14), 42, 140), 1), 2 + r.Next(0, 4), Roll(r, 0.15),
                enrolled, discontinued, reasonCode, reason, protocol.Version, by),
            _index = index, _by = by, _dates = dates, _baselineMadrs = baseline, _bslBaseline = bslBaseline,
            _madrsItem10 = Math.Clamp((int)Math.Round(Normal(r, 2, 0.7)), 1, 3),
        };

        // The baseline visit, the same whatever the arm: randomisation follows it (and needs its MADRS complete: the site completes it).
        if (dates[baselineVisit.Code] <= options.CutOff)
        {
            // No drug has been given yet: the arm's effect is never read at a visit without infusion timepoints.
            var recorded = course.AddVisit(r, protocol, options, baselineVisit, share: 1, Ketamine, pharmacist: null, completeMadrs: true);
            var madrs = course.Assessments.Single(a => a.Row.Instrument == InstrumentCatalog.Madrs).Score;
            course.Baseline = new SeedBaseline(index, site, madrs.Scores[InstrumentCatalog.MadrsDefinition.SeverityScoreKey!],
                recorded.AddMinutes(5 + r.Next(0, 115)));
        }
        course.BeforeRandomisation = (course.Visits.Count, course.Assessments.Count);
        return course;
    }

    /// <summary>
    /// The course after randomisation: the trajectory drawn for the arm, and every visit after the baseline visit; in a
    /// blinded protocol each infusion is given from the pharmacy's preparation for the arm, recorded by its label and volume.
    /// </summary>
    public void Continue(ProtocolDefinition protocol, SeedOptions options, SeedAllocation? allocation, Guid pharmacist)
    {
        var r = new Random(unchecked(options.Seed * 1_000_003 + _index) ^ 0x5EED_A11C);
        Allocation = allocation;
        // Midazolam is the active placebo: mostly partial and non-responders, little dissociation. Without arms, everyone has ketamine.
        var effect = allocation is { } a && a.Arm != protocol.Design.Arms[0].Code ? ActivePlacebo : Ketamine;
        var trajectory = Roll(r, effect.Responder) ? Trajectory.Responder : Roll(r, effect.PartialOfTheRest) ? Trajectory.Partial : Trajectory.NonResponder;
        var blinded = protocol.Design.IsBlinded;
        foreach (var visit in protocol.Visits.Where(v => v.Kind != VisitKinds.Baseline && _dates.ContainsKey(v.Code) && _dates[v.Code] <= options.CutOff))
        {
            // A blinded study gives nothing before randomisation (nor does the seed: INF1 follows BL by a day or more).
            if (blinded && allocation is null) break;
            AddVisit(r, protocol, options, visit, MadrsShare[visit.Code][(int)trajectory], effect, blinded ? pharmacist : null, completeMadrs: false);
        }
    }

    /// <summary>One visit: its record, the infusion and vital signs at infusion visits, the battery, and now and then an adverse event. Returns when the visit was recorded.</summary>
    private DateTime AddVisit(Random r, ProtocolDefinition protocol, SeedOptions options, VisitDefinition visit, double share, ArmEffect effect, Guid? pharmacist,
        bool completeMadrs)
    {
        var participantId = Participant.Id;
        var by = _by;
        var date = _dates[visit.Code];
        var start = date.ToDateTime(new TimeOnly(8 + r.Next(0, 3), r.Next(0, 60)), DateTimeKind.Utc);
        var record = new VisitRecordRow
        {
            Id = Ids.Next(r, start), ParticipantId = participantId, VisitCode = visit.Code, ActualDate = date, RecordedUtc = start.AddHours(8), RecordedBy = by,
        };
        Visits.Add(record);
        var isInfusion = visit.Kind == VisitKinds.Infusion;
        if (isInfusion)
        {
            var weight = Participant.WeightKg;
            if (pharmacist is { } preparedBy && Allocation is { } allocation && protocol.Design.Preparation is { } preparation)
            {
                // Blinded: the pharmacy prepares the arm's dose for the weight, made up to the same volume whatever the arm; the investigator
                // records the infusion by the label on the syringe and its volume, never a dose.
                var dose = protocol.Design.FindArm(allocation.Arm)!.DoseMgPerKg;
                var label = $"PREP-{_index + 1:00000}-{visit.Code}";
                Preparations.Add(new PreparationRow
                {
                    Id = Ids.Next(r, start), PreparationId = label, ParticipantId = participantId, VisitCode = visit.Code, Arm = allocation.Arm, DoseMgPerKg = dose,
                    TotalDoseMg = Dosing.TotalDoseMg(dose, weight), VolumeMl = preparation.VolumeMl, WeightKg = weight,
                    PreparedUtc = start.AddMinutes(-90 + r.Next(0, 30)), PreparedBy = preparedBy,
                });
                Infusions.Add(new InfusionRow
                {
                    Id = Ids.Next(r, start), ParticipantId = participantId, VisitCode = visit.Code, WeightKg = weight, DoseMgPerKg = null, TotalDoseMg = null,
                    PreparationId = label, VolumeMl = preparation.VolumeMl, Route = "IV", StartUtc = start, EndUtc = start.AddMinutes(40),
                    RecordedUtc = start.AddHours(5), RecordedBy = by,
                });
            }
            else
            {
                var dose = Roll(r, 0.9) ? 0.5m : 0.75m;
                Infusions.Add(new InfusionRow
                {
                    Id = Ids.Next(r, start), ParticipantId = participantId, VisitCode = visit.Code, WeightKg = weight, DoseMgPerKg = dose,
                    TotalDoseMg = Dosing.TotalDoseMg(dose, weight), Route = "IV", StartUtc = start, EndUtc = start.AddMinutes(40), RecordedUtc = start.AddHours(5), RecordedBy = by,
                });
            }
            foreach (var (timepoint, rise) in new[] { ("pre", 0), ("t40", 16), ("t120", 6), ("t240", 2) })
            {
                var spike = timepoint == "t40" && Roll(r, 0.01) ? 45 : 0;
                Vitals.Add(new VitalSignRow
                {
                    Id = Ids.Next(r, start), ParticipantId = participantId, VisitCode = visit.Code, Timepoint = timepoint,
                    Systolic = (int)Normal(r, 122 + rise, 9) + spike, Diastolic = (int)Normal(r, 78 + rise / 2, 6), HeartRate = (int)Normal(r, 74 + rise / 2, 8),
                    Spo2 = Math.Clamp((int)Normal(r, 97.5, 1), 93, 100), RecordedUtc = start.AddHours(5), RecordedBy = by,
                });
            }
        }

        foreach (var entry in visit.Battery)
        {
            var minutes = entry.Timepoint switch { "pre" => -10, "t40" => 45, "t120" => 125, "t240" => 245, _ => 30 };
            var administered = start.AddMinutes(minutes);
            foreach (var code in entry.Instruments)
            {
                var definition = InstrumentCatalog.Get(code);
                var items = code switch
                {
                    InstrumentCatalog.Madrs => Madrs(r, _baselineMadrs * share + Normal(r, 0, 2.5), Item10(r, _madrsItem10, share), completeMadrs),
                    InstrumentCatalog.Bsl23 => Bsl23(r, _bslBaseline * (0.4 + 0.6 * share)),
                    InstrumentCatalog.Cadss => Spread(r, definition, Dissociation(r, entry.Timepoint, effect)),
                    InstrumentCatalog.Bprs => Bprs(r, entry.Timepoint == "t40"),
                    _ => Asc5D(r, effect),
                };
                var score = Scorer.Score(definition, items);
                var row = new SeedAssessmentRow(Ids.Next(r, administered), participantId, "", visit.Code, code, entry.Timepoint ?? "", administered,
                    administered.AddMinutes(r.Next(5, 240)), score.Complete, score.SeverityBand, definition.Version, protocol.Version, 1, by);
                SeedCorrection? correction = null;
                if (Roll(r, 0.01))
                {
                    // A data-entry slip caught at monitoring: one item off by one, corrected with a reason a week later.
                    var fixedItems = items.ToArray();
                    var k = r.Next(fixedItems.Length);
                    fixedItems[k] = fixedItems[k] is { } v ? Math.Clamp(v + (v > definition.MinValue ? -1 : 1), definition.MinValue, definition.MaxValue) : definition.MinValue;
                    correction = new SeedCorrection(fixedItems, Scorer.Score(definition, fixedItems), row.ReceivedUtc.AddDays(7),
                        $"Item {k + 1} transcribed wrongly from the source document");
                }
                Assessments.Add(new SeedAssessment(row, items, score, correction));
            }
        }

        // Adverse events follow infusions now and then, mostly mild and expected; a few are serious.
        if (isInfusion && Roll(r, 0.12))
        {
            var serious = Roll(r, 0.04);
            var onset = date.AddDays(r.Next(0, 2));
            if (onset > options.CutOff) return record.RecordedUtc;
            var term = serious ? "Suicidal ideation requiring admission" : AeTerms[r.Next(AeTerms.Length)];
            var severity = serious ? "severe" : Pick(r, [("mild", 70), ("moderate", 25), ("severe", 5)]);
            var aware = onset.AddDays(r.Next(0, 2));
            DateOnly? end = Roll(r, 0.9) ? onset.AddDays(r.Next(0, 10)) : null;
            if (end > options.CutOff) end = null;
            AdverseEvents.Add(new AdverseEventRow
            {
                Id = Ids.Next(r, start), ParticipantId = participantId, Term = term, OnsetDate = onset, EndDate = end, Severity = severity,
                Serious = serious, SeriousCriteria = serious ? "hospitalisation" : "", Relatedness = Pick(r, [("possible", 50), ("probable", 25), ("unlikely", 20), ("not-related", 5)]),
                Expected = !serious && !term.StartsWith("Blurred", StringComparison.Ordinal), ActionTaken = serious ? "interrupted" : "none",
                Outcome = end is null ? "recovering" : "recovered", AwareDate = aware,
                SponsorReportedUtc = serious && Roll(r, 0.9) ? aware.ToDateTime(new TimeOnly(r.Next(9, 18), 0), DateTimeKind.Utc) : null,
                SpecialInterest = serious ? "suicidal-behaviour" : term.StartsWith("Dissociation", StringComparison.Ordinal) && severity == "severe" ? "severe-dissociation" : null,
                RowVersion = 1, RecordedUtc = aware.ToDateTime(new TimeOnly(17, 0), DateTimeKind.Utc), RecordedBy = by,
                UpdatedUtc = aware.ToDateTime(new TimeOnly(17, 0), DateTimeKind.Utc), UpdatedBy = by,
            });
        }
        return record.RecordedUtc;
    }

    // Item 10 (suicidal thoughts) follows the mood, with a rare spike that the safety rules catch.
    private static int Item10(Random r, int baseline, double share) =>
        Roll(r, 0.01) ? 4 + r.Next(0, 3) : Math.Clamp((int)Math.Round(baseline * share + Normal(r, 0, 0.5)), 0, 6);

    private static decimal?[] Madrs(Random r, double total, int item10, bool complete)
    {
        var items = new decimal?[10];
        var rest = Math.Max(0, total - item10);
        for (var i = 0; i < 9; i++) items[i] = Math.Clamp((int)Math.Round(rest / 9 + Normal(r, 0, 0.8)), 0, 6);
        items[9] = item10;
        if (!complete) Blank(r, items, 0.003);
        return items;
    }

    private static decimal?[] Bsl23(Random r, double mean)
    {
        var items = new decimal?[23];
        for (var i = 0; i < items.Length; i++) items[i] = Math.Clamp((int)Math.Round(mean + Normal(r, 0, 0.7)), 0, 4);
        // Self-harm items (5, 7, 18) stay below the alert threshold except in a rare bad week.
        foreach (var k in new[] { 4, 6, 17 }) items[k] = Roll(r, 0.01) ? 3 : Math.Min(items[k]!.Value, 2);
        Blank(r, items, 0.01);
        return items;
    }

    // Dissociation is transient: it peaks at the end of the infusion (t40), far more with ketamine, and has mostly passed by t120.
    private static int Dissociation(Random r, string? timepoint, ArmEffect effect) => timepoint switch
    {
        "t40" => Math.Clamp((int)Normal(r, effect.DissociationAtT40, effect.DissociationAtT40 / 2), 0, 60),
        "t120" => Math.Clamp((int)Normal(r, 2, 2), 0, 20),
        "t240" => Math.Clamp((int)Normal(r, 1, 1), 0, 10),
        _ => Math.Clamp((int)Normal(r, 2, 1.5), 0, 10),
    };

    private static decimal?[] Spread(Random r, InstrumentDefinition d, int total)
    {
        var items = new decimal?[d.ItemCount];
        for (var i = 0; i < items.Length; i++) items[i] = 0;
        for (var left = total; left > 0;)
        {
            var k = r.Next(items.Length);
            if (items[k] < d.MaxValue) { items[k]++; left--; }
        }
        return items;
    }

    private static decimal?[] Bprs(Random r, bool afterInfusion)
    {
        var items = new decimal?[18];
        for (var i = 0; i < items.Length; i++) items[i] = Math.Clamp((int)Math.Round(Normal(r, 2, 0.8)), 1, 7);
        foreach (var k in new[] { 3, 10, 11, 14 }) items[k] = afterInfusion && Roll(r, 0.05) ? 4 : Math.Min(items[k]!.Value, 2);
        return items;
    }

    private static decimal?[] Asc5D(Random r, ArmEffect effect)
    {
        var intensity = Math.Clamp(Normal(r, effect.AscIntensity, 12), 0, 90);
        var items = new decimal?[94];
        for (var i = 0; i < items.Length; i++) items[i] = Math.Round((decimal)Math.Clamp(intensity + Normal(r, 0, 15), 0, 100), 1);
        return items;
    }

    private static void Blank(Random r, decimal?[] items, double probability)
    {
        for (var i = 0; i < items.Length; i++) if (Roll(r, probability)) items[i] = null;
    }

    private static bool Roll(Random r, double probability) => r.NextDouble() < probability;

    private static int Jitter(Random r, int before, int after) => Roll(r, 0.6) ? 0 : r.Next(-before, after + 1);

    private static double Normal(Random r, double mean, double sd) =>
        mean + sd * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static T Pick<T>(Random r, (T Value, int Weight)[] choices)
    {
        var roll = r.Next(choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if (roll < weight) return value;
            roll -= weight;
        }
        return choices[^1].Value;
    }
}
