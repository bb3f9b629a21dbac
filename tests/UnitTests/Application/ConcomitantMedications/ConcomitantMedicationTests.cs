using NUnit.Framework;
using Trial.Application;
using Trial.Application.ConcomitantMedications;
using Trial.Application.Safety;
using Trial.Application.Visits;
using Trial.Core.Access;
using Trial.Core.Safety;
using Trial.Db.Access;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Safety;
using static Trial.Tests.Application.UseCaseDatabase;

namespace Trial.Tests.Application.ConcomitantMedications;

/// <summary>Recording, listing and correcting concomitant medications, their audit rows, and the safety evaluation they ask for.</summary>
[TestFixture]
public class ConcomitantMedicationTests
{
    // Taken yesterday and today (the study's day is 10 March), ended.
    private static readonly ConcomitantMedicationInput Lorazepam =
        new("Lorazepam", "N05BA06", "1 mg at night", "oral", Today.AddDays(-1), Today, false, "insomnia", null);

    private static readonly Actor Investigator = Person(Roles.Investigator, "WAW");

    private UseCaseDatabase _data = null!;
    private RecordConcomitantMedication _record = null!;
    private CorrectConcomitantMedication _correct = null!;
    private ReadConcomitantMedications _read = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        _record = new RecordConcomitantMedication(_data.Db);
        _correct = new CorrectConcomitantMedication(_data.Db);
        _read = new ReadConcomitantMedications(_data.Db);
    }

    [TearDown]
    public async Task DeleteAsync() => await _data.DisposeAsync();

    [Test]
    public async Task CheckAsync_NothingGiven_RefusesNameStartDateAndEndDate()
    {
        var participant = await _data.EnrolAsync();

        var invalid = await InvalidAsync(participant.Code, new ConcomitantMedicationInput(null, null, null, null, null, null, null, null, null));

        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "name", "startDate", "endDate" }));
        Assert.That(invalid.Errors["name"], Is.EqualTo(new[] { "The medication's name is required." }));
        Assert.That(invalid.Errors["endDate"], Is.EqualTo(new[] { "The end date is required unless the medication is ongoing (\"ongoing\": true)." }));
    }

    [TestCase("N5BA06")]
    [TestCase("N05BA6")]
    [TestCase("X05BA06")]
    [TestCase("N05BA06X")]
    [TestCase("N0")]
    public async Task CheckAsync_NotAnAtcCode_RefusesTheAtcCode(string atc)
    {
        var participant = await _data.EnrolAsync();

        var invalid = await InvalidAsync(participant.Code, Lorazepam with { AtcCode = atc });

        Assert.That(invalid.Errors.Keys, Is.EqualTo(new[] { "atcCode" }));
    }

    [TestCase(" n05ba06 ", "N05BA06")]
    [TestCase("N05BA", "N05BA")]
    [TestCase("N05B", "N05B")]
    [TestCase("N05", "N05")]
    [TestCase("N", "N")]
    [TestCase("", null)]
    public async Task CheckAsync_AtcCodeOfAnyLevel_IsStoredInCapitals(string atc, string? stored)
    {
        var participant = await _data.EnrolAsync();

        var outcome = await _record.CheckAsync(Investigator, participant.Code, Lorazepam with { AtcCode = atc }, NowUtc());

        Assert.That(outcome.Value!.Row.AtcCode, Is.EqualTo(stored));
    }

    [Test]
    public async Task CheckAsync_NameTooLongAndFormulaLikeDose_RefusesEach()
    {
        var participant = await _data.EnrolAsync();

        var invalid = await InvalidAsync(participant.Code, Lorazepam with { Name = new string('x', 201), Dose = "=1+1", Indication = "@SUM(A1)" });

        Assert.That(invalid.Errors["name"], Is.EqualTo(new[] { "The medication's name must be at most 200 characters." }));
        Assert.That(invalid.Errors["dose"], Is.EqualTo(new[] { "The dose cannot start with '=' (a spreadsheet would read it as a formula)." }));
        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "name", "dose", "indication" }));
    }

    [Test]
    public async Task CheckAsync_EndBeforeStartAndOngoingWithAnEnd_RefusesTheEndDate()
    {
        var participant = await _data.EnrolAsync();

        var before = await InvalidAsync(participant.Code, Lorazepam with { StartDate = Today, EndDate = Today.AddDays(-1) });
        var ongoing = await InvalidAsync(participant.Code, Lorazepam with { Ongoing = true });

        Assert.That(before.Errors["endDate"], Is.EqualTo(new[] { "The end date 2026-03-09 is before the start date 2026-03-10." }));
        Assert.That(ongoing.Errors["endDate"], Is.EqualTo(new[] { "An ongoing medication has no end date: give the end date with \"ongoing\": false, or \"ongoing\": true without one." }));
    }

    [Test]
    public async Task CheckAsync_DatesAfterTodayAtTheSite_RefusedInUtcButNotWhereItIsAlreadyTomorrow()
    {
        // At noon UTC on 10 March it is already 01:00 on 11 March in Auckland.
        await _data.Db.WriteDerivedAsync(Now, w => AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "AKL", Name = "Auckland", TimeZone = "Pacific/Auckland", CreatedUtc = Now }));
        var warsaw = await _data.EnrolAsync("WAW");
        var auckland = await _data.EnrolAsync("AKL");
        var tomorrow = Lorazepam with { StartDate = Today.AddDays(1), EndDate = null, Ongoing = true };

        var invalid = await InvalidAsync(warsaw.Code, tomorrow);
        var accepted = await _record.CheckAsync(Person(Roles.Investigator, "AKL"), auckland.Code, tomorrow, NowUtc());

        Assert.That(invalid.Errors["startDate"], Is.EqualTo(new[] { "The start date 2026-03-11 is after today at the site (2026-03-10)." }));
        Assert.That(accepted.IsRefused, Is.False);
    }

    [Test]
    public async Task CheckAsync_ParticipantOfAnotherSite_IsForbidden()
    {
        var participant = await _data.EnrolAsync("KRK");

        var outcome = await _record.CheckAsync(Investigator, participant.Code, Lorazepam, NowUtc());

        Assert.That(outcome.Refusal, Is.InstanceOf<Forbidden>());
    }

    [Test]
    public async Task WriteAsync_Recorded_IsListedAndAuditedAndAsksForTheWholeEvaluation()
    {
        var participant = await _data.EnrolAsync();

        var row = (await RecordAsync(participant.Code, Lorazepam)).Value!;

        var listed = (await _read.ListAsync(Investigator, participant.Code)).Value!.Items;
        Assert.That(listed.Select(m => (m.Id, m.Name, m.AtcCode, m.Dose, m.Route, m.StartDate, m.EndDate, m.Ongoing, m.Indication, m.RowVersion)),
            Is.EqualTo(new[] { (row.Id, "Lorazepam", (string?)"N05BA06", (string?)"1 mg at night", (string?)"oral", Today.AddDays(-1), (DateOnly?)Today, false, (string?)"insomnia", 1) }));
        var audit = (await _data.AuditAsync("concomitant-medication")).Single();
        Assert.That((audit.EntityId, audit.Action, audit.ParticipantCode, audit.SiteCode), Is.EqualTo((row.Id.ToString(), "create", participant.Code, "WAW")));
        Assert.That(audit.NewValue, Is.EqualTo(
            $"{{\"atcCode\":\"N05BA06\",\"dose\":\"1 mg at night\",\"endDate\":\"2026-03-10\",\"id\":\"{row.Id}\",\"indication\":\"insomnia\",\"name\":\"Lorazepam\"," +
            $"\"ongoing\":false,\"participantCode\":\"{participant.Code}\",\"route\":\"oral\",\"startDate\":\"2026-03-09\",\"version\":1}}"));
        var versions = await _data.Db.ReadAsync(c => SafetyQueries.VersionsAsync(c, participant.Id));
        Assert.That(versions.FullVersion, Is.EqualTo(versions.Version).And.GreaterThan(versions.EvaluatedVersion), "the whole participant is evaluated next");
    }

    [Test]
    public async Task CorrectAsync_WithoutIfMatchOrStaleOrWithoutReason_IsRefusedAndNothingChanges()
    {
        var participant = await _data.EnrolAsync();
        var row = (await RecordAsync(participant.Code, Lorazepam)).Value!;
        var change = Lorazepam with { Dose = "2 mg at night", Reason = "Dose misread" };

        var missing = await _correct.CheckAsync(Investigator, participant.Code, row.Id, null, change, NowUtc());
        var stale = await _correct.CheckAsync(Investigator, participant.Code, row.Id, "\"2\"", change, NowUtc());
        var noReason = await _correct.CheckAsync(Investigator, participant.Code, row.Id, "\"1\"", change with { Reason = " " }, NowUtc());
        var unknown = await _correct.CheckAsync(Investigator, participant.Code, Guid.NewGuid(), "\"1\"", change, NowUtc());

        Assert.That(missing.Refusal, Is.InstanceOf<VersionRequired>());
        Assert.That(stale.Refusal, Is.InstanceOf<VersionStale>());
        Assert.That(((Invalid)noReason.Refusal!).Errors.Keys, Is.EqualTo(new[] { "reason" }));
        Assert.That(unknown.Refusal, Is.InstanceOf<NotFound>());
        Assert.That((await _read.GetAsync(Investigator, participant.Code, row.Id)).Value!.Dose, Is.EqualTo("1 mg at night"));
    }

    [Test]
    public async Task CorrectAsync_WithTheCurrentVersionAndAReason_StoresItAndAuditsTheChangedFields()
    {
        var participant = await _data.EnrolAsync();
        var row = (await RecordAsync(participant.Code, Lorazepam)).Value!;
        var correction = await _correct.CheckAsync(Investigator, participant.Code, row.Id, "\"1\"", Lorazepam with { Dose = "2 mg at night", Reason = "Dose misread" }, NowUtc());

        var corrected = (await _data.WriteAsync(Investigator, w => _correct.WriteAsync(w, correction.Value!))).Value!;

        Assert.That((corrected.Dose, corrected.RowVersion, corrected.RecordedUtc), Is.EqualTo(("2 mg at night", 2, row.RecordedUtc)));
        var audit = (await _data.AuditAsync("concomitant-medication")).Last();
        Assert.That((audit.Action, audit.Reason), Is.EqualTo(("update", "Dose misread")));
        Assert.That(audit.OldValue, Is.EqualTo($"{{\"dose\":\"1 mg at night\",\"id\":\"{row.Id}\",\"version\":1}}"));
        Assert.That(audit.NewValue, Is.EqualTo($"{{\"dose\":\"2 mg at night\",\"id\":\"{row.Id}\",\"version\":2}}"));
    }

    [Test]
    public async Task CorrectAsync_TwoCorrectionsOfTheSameVersion_TheSecondIsStaleAndRolledBack()
    {
        var participant = await _data.EnrolAsync();
        var row = (await RecordAsync(participant.Code, Lorazepam)).Value!;
        var first = await _correct.CheckAsync(Investigator, participant.Code, row.Id, "\"1\"", Lorazepam with { Dose = "2 mg", Reason = "First" }, NowUtc());
        var second = await _correct.CheckAsync(Investigator, participant.Code, row.Id, "\"1\"", Lorazepam with { Dose = "3 mg", Reason = "Second" }, NowUtc());

        await _data.WriteAsync(Investigator, w => _correct.WriteAsync(w, first.Value!));
        var outcome = await _data.WriteAsync(Investigator, w => _correct.WriteAsync(w, second.Value!));

        Assert.That(outcome.Refusal, Is.InstanceOf<VersionStale>());
        Assert.That((await _read.GetAsync(Investigator, participant.Code, row.Id)).Value!.Dose, Is.EqualTo("2 mg"));
        Assert.That((await _data.AuditAsync("concomitant-medication")).Select(a => a.Action), Is.EqualTo(new[] { "create", "update" }));
    }

    [Test]
    public async Task Evaluation_BenzodiazepineTheDayBeforeAnInfusion_RaisesConmedProhibited_AndACorrectionMovingItAwaySupersedesIt()
    {
        var participant = await _data.EnrolAsync();
        await _data.RecordInfusionAsync(participant, "INF1", 60m, Today.AddDays(1).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));
        var evaluation = new EvaluateSafety(_data.Db, Blinded);
        var row = (await RecordAsync(participant.Code, Lorazepam)).Value!;

        await evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, NowUtc());

        var alert = (await AlertsAsync(participant.Id)).Single(a => a.RuleCode == SafetyEngine.ConmedProhibited);
        Assert.That((alert.Severity, alert.SourceType, alert.SourceKey, alert.VisitCode), Is.EqualTo(("low", "conmed", row.Id.ToString("N"), (string?)"INF1")));
        Assert.That(alert.Message, Does.StartWith("Lorazepam (N05BA06), 2026-03-09 to 2026-03-10: benzodiazepine within 24 h before INF1"));

        var correction = await _correct.CheckAsync(Investigator, participant.Code, row.Id, "\"1\"",
            Lorazepam with { StartDate = Today.AddDays(-5), EndDate = Today.AddDays(-4), Reason = "Wrong dates" }, NowUtc());
        await _data.WriteAsync(Investigator, w => _correct.WriteAsync(w, correction.Value!));
        await evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, NowUtc());

        Assert.That((await AlertsAsync(participant.Id)).Single(a => a.RuleCode == SafetyEngine.ConmedProhibited).SupersededUtc, Is.Not.Null);
    }

    [Test]
    public async Task Evaluation_InfusionRecordedAfterTheMedication_AsksForTheWholeEvaluationWhichRaisesTheAlert()
    {
        var participant = await _data.EnrolAsync();
        var evaluation = new EvaluateSafety(_data.Db, OpenLabel);
        await RecordAsync(participant.Code, Lorazepam);
        await evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, NowUtc());
        Assert.That((await AlertsAsync(participant.Id)).Where(a => a.RuleCode == SafetyEngine.ConmedProhibited), Is.Empty, "no infusion yet");

        await _data.RecordVisitAsync(participant, "INF1", Today);
        var record = new RecordInfusion(_data.Db, OpenLabel);
        var infusion = await record.CheckAsync(Investigator, participant.Code, "INF1",
            new InfusionValues(60m, 0.5m, "IV", Today.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc), Today.ToDateTime(new TimeOnly(9, 40), DateTimeKind.Utc), null), NowUtc());
        await _data.WriteAsync(Investigator, w => record.WriteAsync(w, infusion.Value!));
        var evaluated = await evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, NowUtc());

        Assert.That(evaluated.Data, Is.EqualTo(EvaluatedData.WholeParticipant));
        Assert.That((await AlertsAsync(participant.Id)).Count(a => a.RuleCode == SafetyEngine.ConmedProhibited), Is.EqualTo(1));
    }

    private DateTime NowUtc() => _data.NowUtc;

    private Task<IReadOnlyList<SafetyAlertRow>> AlertsAsync(Guid participantId) => _data.Db.ReadAsync(c => SafetyQueries.ForParticipantAsync(c, participantId));

    private async Task<Invalid> InvalidAsync(string code, ConcomitantMedicationInput input)
    {
        var outcome = await _record.CheckAsync(Investigator, code, input, NowUtc());
        Assert.That(outcome.Refusal, Is.InstanceOf<Invalid>());
        return (Invalid)outcome.Refusal!;
    }

    private async Task<Outcome<ConcomitantMedicationRow>> RecordAsync(string code, ConcomitantMedicationInput input)
    {
        var checkedInput = await _record.CheckAsync(Investigator, code, input, NowUtc());
        if (checkedInput.IsRefused) return checkedInput.Refusal!;
        return await _data.WriteAsync(Investigator, w => _record.WriteAsync(w, checkedInput.Value!));
    }
}
