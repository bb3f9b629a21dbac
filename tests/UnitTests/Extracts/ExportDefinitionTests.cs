using NUnit.Framework;
using Trial.Application.Randomisation;
using Trial.Core.Efficacy;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;
using Trial.Extracts;
using Trial.Tests.Db;

namespace Trial.Tests.Extracts;

/// <summary>The pieces of the extracts that need no host: efficacy rules, column visibility, migrations and query texts.</summary>
public class ExportDefinitionTests
{
    private static readonly EfficacyRules Rules = new() { ResponseMinReductionPercent = 50, RemissionMaxTotal = 10 };

    [TestCase(14, 30, false, -16, -53.33, true, false, TestName = "Efficacy_ResponseWithoutRemission")]
    [TestCase(9, 30, false, -21, -70, true, true, TestName = "Efficacy_ResponseAndRemission")]
    [TestCase(16, 30, false, -14, -46.67, false, false, TestName = "Efficacy_Neither")]
    [TestCase(10, 20, false, -10, -50, true, true, TestName = "Efficacy_ExactlyAtBothThresholds_Counts")]
    [TestCase(11, 21, false, -10, -47.62, false, false, TestName = "Efficacy_JustShortOfBoth_CountsNeither")]
    [TestCase(33, 30, false, 3, 10, false, false, TestName = "Efficacy_Worse_PositiveChange")]
    public void Efficacy_AgainstABaseline(int total, int baseline, bool isBaseline, int change, double percent, bool response, bool remission)
    {
        var outcome = EfficacyOutcome.Of(total, baseline, isBaseline, Rules);
        Assert.That(outcome, Is.EqualTo(new EfficacyOutcome(change, (decimal)percent, response, remission)));
    }

    [Test]
    public void Efficacy_MissingBaseline_NoChangeNoResponse_RemissionStill()
    {
        Assert.That(EfficacyOutcome.Of(8, null, false, Rules), Is.EqualTo(new EfficacyOutcome(null, null, null, true)));
        Assert.That(EfficacyOutcome.Of(30, 30, true, Rules), Is.EqualTo(new EfficacyOutcome(null, null, null, false)), "the baseline record itself");
        Assert.That(EfficacyOutcome.Of(4, 0, false, Rules), Is.EqualTo(new EfficacyOutcome(4, null, null, true)), "no percentage of 0");
    }

    [Test]
    public void Efficacy_ThresholdsComeFromTheProtocol()
    {
        var esketamine = new EfficacyRules { ResponseMinReductionPercent = 40, RemissionMaxTotal = 12 };
        Assert.That(EfficacyOutcome.Of(12, 20, false, esketamine), Is.EqualTo(new EfficacyOutcome(-8, -40, true, true)));
    }

    [Test]
    public void Columns_UnblindedOrFreeText_OnlyForTheirAudience()
    {
        var arm = Column<string>.Text("ARM", "Arm", _ => "KET", "Treatment arm.", "Allocation.Arm", unblindedOnly: true);
        var term = Column<string>.Text("AETERM", "Term", _ => "x", "Free text.", "AdverseEvent.Term", freeText: true);
        Assert.That(arm.IsFor(ExtractAudience.BlindedPseudonymised), Is.False);
        Assert.That(arm.IsFor(new ExtractAudience(IncludeFreeText: true, Unblinded: false)), Is.False);
        Assert.That(arm.IsFor(new ExtractAudience(IncludeFreeText: false, Unblinded: true)), Is.True);
        Assert.That(term.IsFor(ExtractAudience.BlindedPseudonymised), Is.False);
        Assert.That(term.IsFor(new ExtractAudience(IncludeFreeText: true, Unblinded: false)), Is.True);
        Assert.That(ExportRequests.UnblindedRoles, Is.EquivalentTo(new[] { "unblinded-statistician" }), "the statistician and the admin are blinded");
    }

    [Test]
    public void Datasets_EveryColumnDescribed_NamesUniqueAndReadableByR()
    {
        var catalog = new ExtractCatalog(ProtocolLoader.LoadDefault(), ConcealedSequence.None);
        // The checks below loop over the catalog's datasets and their columns: with none, they would pass unrun.
        Assert.That(catalog.Names, Is.SupersetOf(new[] { "participants", "subjects", "visits", "assessments", "items", "efficacy", "adverse-events", "exposure", "vital-signs", "blinding-guesses", "safety-alerts", "dictionary" }));
        foreach (var dataset in catalog.Datasets)
        {
            Assert.That(dataset.Columns, Is.Not.Empty, dataset.Name);
            Assert.That(dataset.Columns.Select(c => c.Name), Is.Unique, dataset.Name);
            // R's read.csv renames columns that are not syntactic names (check.names = TRUE).
            Assert.That(dataset.Columns.Select(c => c.Name).Where(n => !System.Text.RegularExpressions.Regex.IsMatch(n, "^[A-Za-z][A-Za-z0-9_]*$")), Is.Empty, dataset.Name);
        }
    }

    [Test]
    public void Migrations_TheSnapshotScriptRunsOutsideATransaction_OthersInOne()
    {
        var runs = Migrator.Runs(Migrator.Scripts(DatabaseProvider.SqlServer));
        Assert.That(runs.Where(r => !r.InTransaction).SelectMany(r => r.Scripts).Select(s => s.Name), Is.EqualTo(new[] { "2026-11-30_05_ExportSnapshot.sql" }));
        Assert.That(runs.SelectMany(r => r.Scripts).Select(s => s.Name), Is.EqualTo(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Name)), "name order kept");
        Assert.That(Migrator.Runs(Migrator.Scripts(DatabaseProvider.Sqlite)).Select(r => r.InTransaction), Is.EqualTo(new[] { true }));
    }

    [Test]
    public void QueryTexts_OfTheExtracts_AreParsedAsTSqlByQueryTextTests()
    {
        var names = QueryTextTests.QueryTexts().Select(t => t.TestName).ToList();
        // Each extract query lives beside the code that reads its columns: in its dataset, and the snapshot's in the snapshot.
        Assert.That(names, Is.SupersetOf(new[]
        {
            "ParticipantsDataset_ParticipantsSql", "SubjectsDataset_SubjectsSql", "VisitsDataset_VisitRecordsSql", "AssessmentsDataset_AssessmentScoresSql", "ItemsDataset_ItemsSql",
            "EfficacyDataset_EfficacySql", "AdverseEventsDataset_AdverseEventsSql", "SafetyAlertsDataset_SafetyAlertEventsSql", "ExportSnapshot_FixSnapshotSql",
            "ExposureDataset_ExposureSql", "ExposureDataset_UnblindedExposureSql", "VitalSignsDataset_VitalSignsSql", "BlindingGuessesDataset_BlindingGuessesSql",
            "OdmData_ItemsSql", "OdmData_RevisionsSql", "OdmData_UsersSql",
        }.Select(n => $"QueryText_{n}_ParsesAsTSql")));
    }
}

/// <summary>Study days as SDTM's --DY counts them: INF1 is day 1, the day before -1, no day 0, and before INF1 happens there is none.</summary>
public class StudyDayTests
{
    [TestCase("2026-03-02", "2026-03-02", 1)]
    [TestCase("2026-03-03", "2026-03-02", 2)]
    [TestCase("2026-03-01", "2026-03-02", -1)]
    [TestCase("2026-02-28", "2026-03-02", -2)]
    [TestCase("2027-03-02", "2026-03-02", 366)]
    public void StudyDay_AgainstInf1_NoDayZero(string date, string inf1, int expected) =>
        Assert.That(Trial.Extracts.ExtractText.StudyDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(inf1, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));

    [Test]
    public void StudyDay_BeforeInf1IsRecorded_IsEmpty() =>
        Assert.That(Trial.Extracts.ExtractText.StudyDay(new DateOnly(2026, 3, 1), null), Is.Null);
}
