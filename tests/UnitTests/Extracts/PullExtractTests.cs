using NUnit.Framework;
using Trial.Application;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Extracts;
using Trial.Tests.Application;

namespace Trial.Tests.Extracts;

/// <summary>Pulling an extract without an HTTP host: the request's checks in order, the snapshot's headers' values, and the record of the pull.</summary>
public class PullExtractTests
{
    private UseCaseDatabase _database = null!;
    private PullExtract _pulls = null!;

    private static readonly Actor WawStatistician = UseCaseDatabase.User(Roles.Statistician, "WAW");

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
        await _database.AddSiteAsync("KRK");
        _pulls = new PullExtract(_database.Db, _database.Clock, new ExtractCatalog(ProtocolLoader.LoadDefault(), ConcealedSequence.None), new ExportRecording(_database.Db, _database.Clock));
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static Dictionary<string, string?[]> Query(params (string Name, string Value)[] parameters) =>
        parameters.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Select(p => (string?)p.Value).ToArray(), StringComparer.OrdinalIgnoreCase);

    [Test]
    public async Task CheckDatasetAsync_UnknownDataset_IsNotFoundNamingEveryDataset()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "patients", Query());

        Assert.That(outcome.Refusal, Is.EqualTo(new NotFound("No dataset 'patients'; the datasets are participants, subjects, screening, visits, assessments, items, efficacy, "
                                                             + "adverse-events, disposition, exposure, vital-signs, blinding-guesses, concomitant-medications, safety-alerts, randomisation-list, dictionary (as {dataset}.csv), and bundle.zip for all of them.")));
    }

    [Test]
    public async Task CheckDatasetAsync_UnknownParameters_IsInvalidNamingEachOne()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "participants", Query(("sites", "WAW"), ("from", "2026-03-01T00:00:00Z")));

        var refusal = (Invalid)outcome.Refusal!;
        Assert.That(refusal.Detail, Is.EqualTo("Unknown parameters 'sites', 'from'; the filters are site, instrument, since, includeFreeText."));
        Assert.That(refusal.Errors.Keys, Is.EqualTo(new[] { "sites", "from" }));
        Assert.That(refusal.Errors["sites"], Is.EqualTo(new[] { "Unknown parameter 'sites'; the filters are site, instrument, since, includeFreeText." }));
    }

    [Test]
    public async Task CheckDatasetAsync_ARepeatedFilter_IsInvalid()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "participants", Query(("site", "WAW"), ("site", "KRK")));

        var refusal = (Invalid)outcome.Refusal!;
        Assert.That(refusal.Detail, Is.EqualTo("site may be given once; pull one site at a time, or leave site out for all of yours."));
        Assert.That(refusal.Errors["site"], Is.EqualTo(new[] { "site may be given once." }));
    }

    [Test]
    public async Task CheckDatasetAsync_SeveralBadFilters_IsOneInvalidNamingEach()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "participants",
            Query(("site", "GDA"), ("since", "2026-03-01T09:30:00"), ("instrument", "HAMD"), ("includeFreeText", "yes")));

        var refusal = (Invalid)outcome.Refusal!;
        Assert.That(refusal.Detail, Is.EqualTo("One or more fields are invalid; nothing was stored."));
        Assert.That(refusal.Errors.Keys, Is.EquivalentTo(new[] { "site", "since", "instrument", "includeFreeText" }));
        Assert.That(refusal.Errors["site"], Is.EqualTo(new[] { "Unknown site 'GDA'." }));
        Assert.That(refusal.Errors["includeFreeText"], Is.EqualTo(new[] { "includeFreeText must be true or false; got 'yes'." }));
        Assert.That(refusal.Errors["since"].Single(), Does.StartWith("since must state its time zone"));
    }

    [Test]
    public async Task CheckDatasetAsync_ASiteNotTheCallers_IsForbidden()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "participants", Query(("site", "KRK")));

        Assert.That(outcome.Refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
    }

    [Test]
    public async Task CheckDatasetAsync_FreeTextForAStatistician_IsForbidden()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "adverse-events", Query(("includeFreeText", "true")));

        Assert.That(outcome.Refusal, Is.EqualTo(new Forbidden(
            "Free text (adverse-event terms, comments, reasons) may identify a person: only an admin may ask for it (includeFreeText=true).")));
    }

    [Test]
    public async Task CheckDatasetAsync_TheRandomisationListForABlindedCaller_IsForbidden()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "randomisation-list", Query());

        Assert.That(outcome.Refusal, Is.EqualTo(new Forbidden("randomisation-list reveals the arms: only an unblinded statistician may pull it.")));
    }

    [Test]
    public async Task CheckDatasetAsync_AStatistician_ReadsTheirSitesBlinded()
    {
        var outcome = await _pulls.CheckDatasetAsync(WawStatistician, "visits", Query(("since", "2026-03-01T10:30:00+01:00"), ("instrument", "")));

        var (dataset, request) = outcome.Value!;
        Assert.That(outcome.IsRefused, Is.False);
        Assert.That(dataset.Name, Is.EqualTo("visits"));
        Assert.That(request.Filter.Sites, Is.EqualTo(new[] { "WAW" }), "no site asked for: all of the caller's");
        Assert.That(request.Filter.Instrument, Is.Null, "an empty filter is no filter");
        Assert.That(request.Filter.SinceUtc, Is.EqualTo(new DateTime(2026, 3, 1, 9, 30, 0, DateTimeKind.Utc)));
        Assert.That(request.Audience, Is.EqualTo(ExtractAudience.BlindedPseudonymised));
        Assert.That(request.Filters, Is.EqualTo(new ExportFilters(null, ["WAW"], null, request.Filter.SinceUtc, false)).Using<ExportFilters>(SameFilters));
    }

    [Test]
    public async Task CheckBundleAsync_TheUnblindedBundleForAnAdmin_IsForbidden()
    {
        var outcome = await _pulls.CheckBundleAsync(UseCaseDatabase.Admin, Query(), unblindedBundle: true);

        Assert.That(outcome.Refusal, Is.EqualTo(new Forbidden("The unblinded bundle reveals the arms: only an unblinded statistician may pull it.")));
    }

    [Test]
    public async Task CheckBundleAsync_TheUnblindedStatistician_GetsTheUnblindedAudience()
    {
        var outcome = await _pulls.CheckBundleAsync(UseCaseDatabase.User(Roles.UnblindedStatistician, "WAW", "KRK"), Query(("site", "KRK")), unblindedBundle: true);

        Assert.That(outcome.Value!.Audience, Is.EqualTo(new ExtractAudience(IncludeFreeText: false, Unblinded: true)));
        Assert.That(outcome.Value.Filter.Sites, Is.EqualTo(new[] { "KRK" }));
    }

    [Test]
    public async Task WriteCsvAsync_ADataset_IsWrittenFromTheSnapshotAndRecorded()
    {
        var request = (await _pulls.CheckDatasetAsync(WawStatistician, "participants", Query())).Value!;
        await using (var pull = await _pulls.BeginAsync(request.Request, CancellationToken.None))
        {
            using var output = new MemoryStream();
            await pull.WriteCsvAsync(request.Dataset, output, CancellationToken.None);

            Assert.That(pull.SnapshotUtc, Is.EqualTo(UseCaseDatabase.StartUtc));
            Assert.That(pull.NextSinceUtc, Is.EqualTo(UseCaseDatabase.StartUtc.AddMinutes(-5)), "pulls overlap by five minutes");
            Assert.That(System.Text.Encoding.UTF8.GetString(output.ToArray()), Is.EqualTo(
                "participant_code,site,sex,birth_year,enrolled_date,status,infusions_discontinued_date,discontinuation_reason_code,withdrawn_date,"
                + "withdrawal_reason_code,protocol_version,"
                + "emergency_unblinded,emergency_unblinded_date\r\n"), "no participant yet: the header alone, without the free-text column");
        }

        var recorded = (await _database.TrailAsync()).Single(r => r.EntityType == "extract");
        Assert.That((recorded.Action, recorded.UserId, recorded.SiteCode, recorded.Reason), Is.EqualTo(("export", WawStatistician.UserId, (string?)null, (string?)null)));
        Assert.That(recorded.NewValue, Does.Contain("\"kind\":\"csv\"").And.Contain("\"rows\":{\"participants\":0}").And.Contain("\"completed\":true")
            .And.Contain("\"unblinded\":false").And.Contain("\"snapshotUtc\":\"2026-03-10T12:00:00Z\""));
    }

    [Test]
    public async Task WriteCsvAsync_AWriteThatFails_IsRecordedAsNotCompleted()
    {
        var request = (await _pulls.CheckDatasetAsync(WawStatistician, "participants", Query())).Value!;
        await using (var pull = await _pulls.BeginAsync(request.Request, CancellationToken.None))
        {
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            await Assert.CatchAsync<OperationCanceledException>(() => pull.WriteCsvAsync(request.Dataset, new MemoryStream(), cancelled.Token));
        }

        var recorded = (await _database.TrailAsync()).Single(r => r.EntityType == "extract");
        Assert.That(recorded.NewValue, Does.Contain("\"completed\":false").And.Contain("\"rows\":{}"));
    }

    private static bool SameFilters(ExportFilters a, ExportFilters b) =>
        (a.Site, a.Instrument, a.Since, a.IncludeFreeText) == (b.Site, b.Instrument, b.Since, b.IncludeFreeText) && (a.Sites ?? []).SequenceEqual(b.Sites ?? []);
}
