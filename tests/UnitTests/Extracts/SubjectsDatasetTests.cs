using NUnit.Framework;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Visits;
using Trial.Extracts;
using Trial.Tests.Application;

namespace Trial.Tests.Extracts;

/// <summary>subjects.csv's derivations on a SQLite file, each row checked against what was entered.</summary>
public class SubjectsDatasetTests
{
    private static readonly DateOnly Today = UseCaseDatabase.Today;
    private static readonly DateOnly Inf1 = Today.AddDays(-20);

    /// <summary>The plan's infusions, each on its target date (within its window).</summary>
    private static readonly (string Visit, int Offset)[] Infusions = [("INF1", 0), ("INF2", 3), ("INF3", 7), ("INF4", 10)];

    private static readonly string[] BlindedHeader =
    [
        "STUDYID", "USUBJID", "SITEID", "SEX", "BRTHDTC", "SCRNNO", "ENRLDT", "RANDFL", "RANDDT", "STRAT1R", "MADRSBLR", "TRTSDT", "TRTEDT", "NUMINF",
        "RFSTDTC", "RFENDTC", "EOTSTT", "DCTREAS", "EOTDT", "EOSSTT", "DCSREAS", "EOSDT", "UNBLNDFL", "ITTFL", "SAFFL", "PPROTFL", "PPROTRSN",
    ];

    private UseCaseDatabase _database = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Test]
    public async Task Subjects_NotRandomised_NoPopulationButEnrolled_EverythingStillOngoing()
    {
        var p = await _database.EnrolAsync();

        var row = (await RowsAsync()).Single();
        Assert.That(Pick(row, "USUBJID", "SITEID", "SEX", "BRTHDTC", "ENRLDT", "RANDFL", "RANDDT", "STRAT1R", "MADRSBLR", "NUMINF", "TRTSDT", "RFSTDTC"),
            Is.EqualTo(new[] { p.Code, "WAW", "female", "1990", "2026-03-10", "N", "", "", "", "0", "", "" }));
        Assert.That(Pick(row, "EOTSTT", "EOTDT", "EOSSTT", "EOSDT", "UNBLNDFL", "ITTFL", "SAFFL", "PPROTFL", "PPROTRSN"),
            Is.EqualTo(new[] { "ONGOING", "", "ONGOING", "", "N", "N", "N", "N", "all-infusions-in-window" }));
    }

    [Test]
    public async Task Subjects_RandomisedWithoutInfusion_IntentionToTreatNotSafety_StratumAndBaselineAsRandomised()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p, madrsTotal: 36);

        var row = (await RowsAsync()).Single();
        Assert.That(Pick(row, "RANDFL", "RANDDT", "STRAT1R", "MADRSBLR", "NUMINF", "ITTFL", "SAFFL", "PPROTFL", "EOTSTT", "EOSSTT"),
            Is.EqualTo(new[] { "Y", "2026-03-10", "WAW/MADRS>=35", "36", "0", "Y", "N", "N", "ONGOING", "ONGOING" }));
    }

    [Test]
    public async Task Subjects_DiscontinuedAfterInfOne_TreatmentDiscontinuedWithItsReason_StudyOngoing()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAsync(p, "INF1", Inf1);
        await _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => ParticipantQueries.DiscontinueInfusionsAsync(w.Session, p.Id, Today.AddDays(-2),
            DispositionReasons.AdverseEvent, "words", 1, UseCaseDatabase.Now, UseCaseDatabase.Admin.UserId));

        var row = (await RowsAsync()).Single();
        Assert.That(Pick(row, "TRTSDT", "TRTEDT", "NUMINF", "RFSTDTC", "RFENDTC", "EOTSTT", "DCTREAS", "EOTDT", "EOSSTT", "DCSREAS", "EOSDT"),
            Is.EqualTo(new[] { "2026-02-18", "2026-02-18", "1", "2026-02-18T09:00:00+00:00", "2026-02-18T09:40:00+00:00", "DISCONTINUED", "ADVERSE EVENT",
                "2026-03-08", "ONGOING", "", "" }));
        Assert.That(Pick(row, "ITTFL", "SAFFL", "PPROTFL", "PPROTRSN"), Is.EqualTo(new[] { "Y", "Y", "N", "all-infusions-in-window" }));
    }

    [Test]
    public async Task Subjects_WithdrawnBeforeAnyInfusion_NoTreatmentToEnd_StudyDiscontinuedWithItsReason()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await WithdrawAsync(p, Today, DispositionReasons.WithdrawalBySubject);

        var row = (await RowsAsync()).Single();
        Assert.That(Pick(row, "EOTSTT", "DCTREAS", "EOTDT", "EOSSTT", "DCSREAS", "EOSDT", "ITTFL", "SAFFL"),
            Is.EqualTo(new[] { "", "", "", "DISCONTINUED", "WITHDRAWAL BY SUBJECT", "2026-03-10", "Y", "N" }));
    }

    [Test]
    public async Task Subjects_WithdrawnDuringInfusions_LostToFollowUp_BothEndsCarryTheWithdrawal()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAsync(p, "INF1", Inf1);
        await WithdrawAsync(p, Inf1.AddDays(5), DispositionReasons.LostToFollowUp);

        var row = (await RowsAsync()).Single();
        Assert.That(Pick(row, "EOTSTT", "DCTREAS", "EOTDT", "EOSSTT", "DCSREAS", "EOSDT"),
            Is.EqualTo(new[] { "DISCONTINUED", "LOST TO FOLLOW-UP", "2026-02-23", "DISCONTINUED", "LOST TO FOLLOW-UP", "2026-02-23" }));
    }

    [Test]
    public async Task Subjects_EveryInfusionInWindowAndCompleted_PerProtocol_AsDispositionSaysIt()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAllAsync(p);
        await _database.RecordVisitAsync(p, "FU-M6", Inf1.AddDays(10 + 182));
        await _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => ParticipantQueries.CompleteAsync(w.Session, p.Id));
        // Not prohibited: no restricted class.
        await MedicationAsync(p, "Paracetamol", "N02BE01", Inf1.AddDays(6));

        var row = (await RowsAsync()).Single();
        Assert.That(Pick(row, "NUMINF", "TRTSDT", "TRTEDT", "EOTSTT", "EOTDT", "EOSSTT", "EOSDT", "ITTFL", "SAFFL", "PPROTFL", "PPROTRSN"),
            Is.EqualTo(new[] { "4", "2026-02-18", "2026-02-28", "COMPLETED", "2026-02-28", "COMPLETED", "2026-08-29", "Y", "Y", "Y", "" }));
        var disposition = await CsvAsync("disposition");
        Assert.That(disposition.Skip(1).Select(l => l.Split(',')).Where(f => f[7] == "STUDY TREATMENT" || f[7] == "STUDY PARTICIPATION").Select(f => (f[5], f[9])),
            Is.EqualTo(new[] { ("COMPLETED", "2026-02-28"), ("COMPLETED", "2026-08-29") }), "the same ends as disposition.csv");
    }

    [Test]
    public async Task Subjects_PerProtocol_AnInfusionOutsideItsWindow_Fails()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        // INF2's target is INF1 + 3 days, its window one day either side: INF1 + 5 is outside.
        await GiveAllAsync(p, ("INF2", 5));

        Assert.That(Pick((await RowsAsync()).Single(), "NUMINF", "EOTSTT", "PPROTFL", "PPROTRSN"),
            Is.EqualTo(new[] { "4", "COMPLETED", "N", "all-infusions-in-window" }));
    }

    [Test]
    public async Task Subjects_PerProtocol_AVisitWithoutItsInfusion_Fails()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        foreach (var (visit, offset) in Infusions.Take(3)) await GiveAsync(p, visit, Inf1.AddDays(offset));
        await _database.RecordVisitAsync(p, "INF4", Inf1.AddDays(10));

        Assert.That(Pick((await RowsAsync()).Single(), "NUMINF", "EOTSTT", "PPROTFL", "PPROTRSN"),
            Is.EqualTo(new[] { "3", "COMPLETED", "N", "all-infusions-in-window" }));
    }

    [Test]
    public async Task Subjects_PerProtocol_WithdrawnForAProtocolDeviation_AMajorDeviation_Fails()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAllAsync(p);
        await WithdrawAsync(p, Today, DispositionReasons.ProtocolDeviation);

        Assert.That(Pick((await RowsAsync()).Single(), "EOTSTT", "EOSSTT", "DCSREAS", "PPROTFL", "PPROTRSN"),
            Is.EqualTo(new[] { "COMPLETED", "DISCONTINUED", "PROTOCOL DEVIATION", "N", "no-major-deviation" }));
    }

    [Test]
    public async Task Subjects_PerProtocol_WithdrawnForAnotherReason_StillPerProtocol()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAllAsync(p);
        await WithdrawAsync(p, Today, DispositionReasons.WithdrawalBySubject);

        Assert.That(Pick((await RowsAsync()).Single(), "EOSSTT", "PPROTFL", "PPROTRSN"), Is.EqualTo(new[] { "DISCONTINUED", "Y", "" }));
    }

    [Test]
    public async Task Subjects_PerProtocol_ABenzodiazepineTheDayBeforeAnInfusion_ProhibitedAsCONMED_PROHIBITEDSays_Fails()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAllAsync(p);
        await MedicationAsync(p, "Lorazepam", "N05BA06", Inf1.AddDays(6));

        Assert.That(Pick((await RowsAsync()).Single(), "PPROTFL", "PPROTRSN"), Is.EqualTo(new[] { "N", "no-prohibited-medication" }));
    }

    [Test]
    public async Task Subjects_PerProtocol_EveryCriterionFailed_AllNamedInTheProtocolsOrder()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAsync(p, "INF1", Inf1);
        await MedicationAsync(p, "Lorazepam", "N05BA06", Inf1.AddDays(-1));
        await WithdrawAsync(p, Inf1.AddDays(2), DispositionReasons.ProtocolDeviation);

        Assert.That(Pick((await RowsAsync()).Single(), "PPROTFL", "PPROTRSN"),
            Is.EqualTo(new[] { "N", "all-infusions-in-window; no-major-deviation; no-prohibited-medication" }));
    }

    [Test]
    public async Task Subjects_ProtocolWithoutAPerProtocolSection_PprotflEmpty()
    {
        var p = await _database.EnrolAsync();
        await _database.RandomiseAsync(p);
        await GiveAllAsync(p);

        var row = (await RowsAsync(protocol: UseCaseDatabase.Blinded with { PerProtocol = null })).Single();
        Assert.That(Pick(row, "ITTFL", "SAFFL", "PPROTFL", "PPROTRSN"), Is.EqualTo(new[] { "Y", "Y", "", "" }));
    }

    [Test]
    public async Task Subjects_EmergencyUnblinded_FlaggedForTheBlinded_WithoutTheArm()
    {
        var unblinded = await _database.EnrolAsync();
        var other = await _database.EnrolAsync();
        await _database.RandomiseAsync(unblinded);
        await _database.RandomiseAsync(other);
        await _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => RandomisationQueries.MarkUnblindedAsync(w.Session, unblinded.Id, UseCaseDatabase.Now));

        var rows = await RowsAsync();
        Assert.That(rows.Select(r => (r["USUBJID"], r["UNBLNDFL"])), Is.EqualTo(new[] { (unblinded.Code, "Y"), (other.Code, "N") }));
    }

    [Test]
    public async Task Subjects_InfusionAcrossTheSitesMidnight_ReferenceTimesInSiteTimeWithTheirOffset_DatesInTheSitesCalendar()
    {
        await _database.AddSiteAsync("KRK", "Europe/Warsaw");
        var p = await _database.EnrolAsync("KRK");
        // 22:50 UTC is 23:50 in Warsaw (UTC+1 in February); 40 minutes later it is the next day there, and still the same day in UTC.
        await _database.RecordVisitAsync(p, "INF1", Inf1);
        await _database.RecordInfusionAsync(p, "INF1", 60, Inf1.ToDateTime(new TimeOnly(22, 50), DateTimeKind.Utc));

        var row = (await RowsAsync("KRK")).Single();
        Assert.That(Pick(row, "RFSTDTC", "RFENDTC", "TRTSDT", "TRTEDT"),
            Is.EqualTo(new[] { "2026-02-18T23:50:00+01:00", "2026-02-19T00:30:00+01:00", "2026-02-18", "2026-02-19" }));
    }

    [Test]
    public async Task Subjects_Blinded_NoArmColumn_Unblinded_ArmAndActualArmAfterTheBlindedColumns()
    {
        var p = await _database.EnrolAsync();
        var arm = (await _database.RandomiseAsync(p)).Arm;
        await PreparedAsync(p, "INF1", Inf1, arm);

        var (header, blinded) = await PullAsync(Roles.Statistician);
        Assert.That(header, Is.EqualTo(BlindedHeader));
        var (unblindedHeader, unblinded) = await PullAsync(Roles.UnblindedStatistician);
        Assert.That(unblindedHeader, Is.EqualTo(BlindedHeader.Concat(["ARMCD", "ARM", "STRATUM", "RANDNO", "ACTARMCD", "ACTARM"])));
        Assert.That(BlindedHeader.Select(c => unblinded.Single()[c]), Is.EqualTo(BlindedHeader.Select(c => blinded.Single()[c])), "the blinded columns as they are");
        var name = UseCaseDatabase.Blinded.Design.FindArm(arm)!.Name;
        Assert.That(Pick(unblinded.Single(), "ARMCD", "ARM", "STRATUM", "RANDNO", "ACTARMCD", "ACTARM"),
            Is.EqualTo(new[] { arm, name, "WAW/MADRS<35", "1", arm, name }), "the system cannot give another arm's preparation: the actual arm is the arm");
    }

    [Test]
    public async Task Subjects_Unblinded_ActualArm_IsThePreparationsInfused_TheOtherArmsShowsIt_BothArmsUnplanned()
    {
        // The pharmacy refuses a preparation for the other arm, and an infusion names the participant's own preparation: these
        // rows are written directly, as a data migration or a correction outside the API could leave them.
        var otherArm = await _database.EnrolAsync();
        var bothArms = await _database.EnrolAsync();
        var notTreated = await _database.EnrolAsync();
        var arm = (await _database.RandomiseAsync(otherArm)).Arm;
        var bothArm = (await _database.RandomiseAsync(bothArms)).Arm;
        await _database.RandomiseAsync(notTreated);
        var other = UseCaseDatabase.Blinded.Design.Arms.Single(a => a.Code != arm);
        await PreparedAsync(otherArm, "INF1", Inf1, other.Code);
        await PreparedAsync(otherArm, "INF2", Inf1.AddDays(3), other.Code);
        await PreparedAsync(bothArms, "INF1", Inf1, bothArm);
        await PreparedAsync(bothArms, "INF2", Inf1.AddDays(3), UseCaseDatabase.Blinded.Design.Arms.Single(a => a.Code != bothArm).Code);

        var (_, rows) = await PullAsync(Roles.UnblindedStatistician);
        Assert.That(rows.Select(r => (r["USUBJID"], r["ARMCD"], r["ACTARMCD"], r["ACTARM"])), Is.EqualTo(new[]
        {
            (otherArm.Code, arm, other.Code, other.Name),
            (bothArms.Code, bothArm, "UNPLAN", "Unplanned Treatment"),
            (notTreated.Code, (await ArmOfAsync(notTreated)), "", ""),
        }));
    }

    [Test]
    public async Task Subjects_OpenLabel_ActualArmIsTheOneArm_NoRandomisation()
    {
        var p = await _database.EnrolAsync();
        await GiveAsync(p, "INF1", Inf1);

        var (_, rows) = await PullAsync(Roles.UnblindedStatistician, UseCaseDatabase.OpenLabel);
        Assert.That(Pick(rows.Single(), "RANDFL", "ITTFL", "SAFFL", "ARMCD", "ACTARMCD", "ACTARM"), Is.EqualTo(new[] { "N", "N", "Y", "", "KET", "Ketamine" }));
    }

    [Test]
    public async Task Subjects_Incremental_OnlyParticipantsWithAChangeSince()
    {
        var unchanged = await _database.EnrolAsync();
        var changed = await _database.EnrolAsync();
        var later = UseCaseDatabase.Now.AddHours(2);
        // Any audited change of the participant (here a medication, which can change PPROTFL) brings the row back.
        await _database.Db.WriteAsync(UseCaseDatabase.Admin, later, w => w.AuditAsync(
            AuditEntry.Created(AuditEntities.ConcomitantMedication, Guid.NewGuid().ToString(), new { }, "WAW", changed.Code)));

        var (_, all) = await PullAsync(Roles.Statistician);
        Assert.That(all.Select(r => r["USUBJID"]), Is.EqualTo(new[] { unchanged.Code, changed.Code }));
        var (_, since) = await PullAsync(Roles.Statistician, since: "2026-03-10T13:00:00Z");
        Assert.That(since.Select(r => r["USUBJID"]), Is.EqualTo(new[] { changed.Code }));
    }

    private async Task<string> ArmOfAsync(ParticipantRow p) =>
        (await _database.Db.ReadAsync(c => RandomisationQueries.FindAllocationAsync(c, p.Id)))!.Arm;

    private static string[] Pick(IReadOnlyDictionary<string, string> row, params string[] columns) => [.. columns.Select(c => row[c])];

    /// <summary>Every infusion of the plan, on its target date unless <paramref name="moved"/> says otherwise (days after INF1).</summary>
    private async Task GiveAllAsync(ParticipantRow p, params (string Visit, int Offset)[] moved)
    {
        foreach (var (visit, offset) in Infusions)
            await GiveAsync(p, visit, Inf1.AddDays(moved.Where(m => m.Visit == visit).Select(m => m.Offset).DefaultIfEmpty(offset).Single()));
    }

    /// <summary>The visit and its infusion, given from 09:00 to 09:40 UTC that day.</summary>
    private async Task GiveAsync(ParticipantRow p, string visit, DateOnly date)
    {
        await _database.RecordVisitAsync(p, visit, date);
        await _database.RecordInfusionAsync(p, visit, 60, date.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));
    }

    /// <summary>The visit, a preparation of <paramref name="arm"/> and the infusion of it, as a blinded study records them.</summary>
    private Task PreparedAsync(ParticipantRow p, string visit, DateOnly date, string arm) =>
        _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, async w =>
        {
            var label = $"P-{p.Number}-{visit}";
            var start = date.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc);
            await ParticipantQueries.InsertVisitRecordAsync(w.Session, new VisitRecordRow { Id = Guid.NewGuid(), ParticipantId = p.Id, VisitCode = visit, ActualDate = date, RecordedUtc = start });
            await RandomisationQueries.InsertPreparationAsync(w.Session, new PreparationRow
            {
                Id = Guid.NewGuid(), PreparationId = label, ParticipantId = p.Id, VisitCode = visit, Arm = arm, DoseMgPerKg = 0.5m, TotalDoseMg = 30, VolumeMl = 50,
                WeightKg = 60, PreparedUtc = start.AddHours(-1),
            });
            await InfusionAndVitalsQueries.InsertInfusionAsync(w.Session, new InfusionRow
            {
                Id = Guid.NewGuid(), ParticipantId = p.Id, VisitCode = visit, WeightKg = 60, PreparationId = label, VolumeMl = 50, Route = "IV",
                StartUtc = start, EndUtc = start.AddMinutes(40), RecordedUtc = start.AddMinutes(40),
            });
        });

    private Task MedicationAsync(ParticipantRow p, string name, string atc, DateOnly date) =>
        _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => ConcomitantMedicationQueries.InsertAsync(w.Session, new ConcomitantMedicationRow
        {
            Id = Guid.NewGuid(), ParticipantId = p.Id, Name = name, AtcCode = atc, StartDate = date, EndDate = date, Ongoing = false,
            RecordedUtc = UseCaseDatabase.Now, UpdatedUtc = UseCaseDatabase.Now,
        }));

    private Task WithdrawAsync(ParticipantRow p, DateOnly date, string code) =>
        _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => ParticipantQueries.WithdrawAsync(w.Session, p.Id, date, code, "words", UseCaseDatabase.Now, UseCaseDatabase.Admin.UserId));

    /// <summary>The blinded statistician's subjects.csv, each row by column name.</summary>
    private async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> RowsAsync(string site = "WAW", ProtocolDefinition? protocol = null)
    {
        var (header, rows) = await PullAsync(Roles.Statistician, protocol, site);
        Assert.That(header, Is.EqualTo(BlindedHeader));
        Assert.That(rows.Select(r => r["STUDYID"]), Is.All.EqualTo("KET-TRD-BPD"));
        return rows;
    }

    private async Task<(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows)> PullAsync(
        string role, ProtocolDefinition? protocol = null, string site = "WAW", string? since = null)
    {
        var lines = await CsvAsync("subjects", role, protocol, site, since);
        var header = lines[0].Split(',');
        return (header, [.. lines.Skip(1).Select(l => (IReadOnlyDictionary<string, string>)header.Zip(l.Split(',')).ToDictionary(c => c.First, c => c.Second))]);
    }

    private async Task<string[]> CsvAsync(string dataset, string role = Roles.Statistician, ProtocolDefinition? protocol = null, string site = "WAW", string? since = null)
    {
        var query = since is null ? new Dictionary<string, string?[]>() : new Dictionary<string, string?[]> { ["since"] = [since] };
        var catalog = new ExtractCatalog(protocol ?? UseCaseDatabase.Blinded, ConcealedSequence.None);
        var pulls = new PullExtract(_database.Db, _database.Clock, catalog, new ExportRecording(_database.Db, _database.Clock));
        var request = (await pulls.CheckDatasetAsync(UseCaseDatabase.User(role, site), dataset, query)).Value!;
        await using var pull = await pulls.BeginAsync(request.Request, CancellationToken.None);
        using var output = new MemoryStream();
        await pull.WriteCsvAsync(request.Dataset, output, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }
}

/// <summary>The per-protocol section of a protocol file: checked when the protocol loads, so a bad one stops the system at start.</summary>
public class SubjectsPerProtocolSectionTests
{
    [Test]
    public void Subjects_ShippedProtocols_DefineThePerProtocolPopulation()
    {
        foreach (var protocol in new[] { UseCaseDatabase.Blinded, UseCaseDatabase.OpenLabel })
        {
            Assert.That(protocol.PerProtocol!.Criteria, Is.EqualTo(PerProtocolCriteria.All));
            Assert.That(protocol.PerProtocol.MajorDeviationReasonCodes, Is.EqualTo(new[] { DispositionReasons.ProtocolDeviation }));
        }
    }

    [TestCase("""{ "criteria": [] }""", "perProtocol.criteria is empty")]
    [TestCase("""{ "criteria": [ "all-infusions-given" ] }""", "perProtocol.criteria names unknown criterion 'all-infusions-given'")]
    [TestCase("""{ "criteria": [ "no-major-deviation", "no-major-deviation" ], "majorDeviationReasonCodes": [ "PROTOCOL DEVIATION" ] }""", "perProtocol.criteria names 'no-major-deviation' twice")]
    [TestCase("""{ "criteria": [ "no-major-deviation" ] }""", "perProtocol criterion no-major-deviation needs perProtocol.majorDeviationReasonCodes")]
    [TestCase("""{ "criteria": [ "no-major-deviation" ], "majorDeviationReasonCodes": [ "Protocol deviation" ] }""", "perProtocol.majorDeviationReasonCodes names unknown reason 'Protocol deviation'")]
    [TestCase("""{ "criteria": [ "all-infusions-in-window" ], "majorDeviationReasonCodes": [ "PROTOCOL DEVIATION" ] }""", "they would count for nothing")]
    public void Subjects_ABadPerProtocolSection_FailsToLoadNamingTheProblem(string section, string problem)
    {
        var json = DefaultJson().Replace(ShippedSection(), section, StringComparison.Ordinal);
        var failure = Assert.Throws<ProtocolException>(() => ProtocolLoader.Parse(json, "test.json"))!;
        Assert.That(failure.Message, Does.Contain(problem));
    }

    [Test]
    public void Subjects_NoProhibitedMedicationWithoutTheRule_FailsToLoad()
    {
        var json = DefaultJson().Replace("\"code\": \"CONMED_PROHIBITED\", \"enabled\": true", "\"code\": \"CONMED_PROHIBITED\", \"enabled\": false", StringComparison.Ordinal);
        var failure = Assert.Throws<ProtocolException>(() => ProtocolLoader.Parse(json, "test.json"))!;
        Assert.That(failure.Message, Does.Contain("perProtocol criterion no-prohibited-medication needs the safety rule CONMED_PROHIBITED, enabled"));
    }

    [Test]
    public void Subjects_NoPerProtocolSection_LoadsWithoutAPopulation()
    {
        var json = DefaultJson().Replace("\"perProtocol\": " + ShippedSection() + ",", "", StringComparison.Ordinal);
        Assert.That(ProtocolLoader.Parse(json, "test.json").PerProtocol, Is.Null);
    }

    private static string ShippedSection() =>
        """
        {
            "criteria": [ "all-infusions-in-window", "no-major-deviation", "no-prohibited-medication" ],
            "majorDeviationReasonCodes": [ "PROTOCOL DEVIATION" ]
          }
        """;

    private static string DefaultJson()
    {
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream(ProtocolLoader.BuiltIn[ProtocolLoader.DefaultName])!;
        var json = new StreamReader(stream).ReadToEnd();
        Assert.That(json, Does.Contain(ShippedSection()), "the shipped section, replaced by each case");
        return json;
    }
}
