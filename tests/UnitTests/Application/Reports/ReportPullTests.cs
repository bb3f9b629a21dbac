using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Trial.Application;
using Trial.Application.Reports;
using Trial.Core.Access;
using Trial.Db.Audit;

namespace Trial.Tests.Application.Reports;

/// <summary>The unblinded statistician's reports: what they hold, and that every pull is recorded without its contents.</summary>
public class ReportPullTests
{
    private static readonly Actor Statistician = UseCaseDatabase.Person(Roles.UnblindedStatistician, "WAW");

    private UseCaseDatabase _data = null!;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(UseCaseDatabase.Now.AddHours(2)));

    [SetUp]
    public async Task CreateAsync() => _data = await UseCaseDatabase.CreateAsync();

    [TearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    [Test]
    public async Task DmcClosedAsync_ByArm_PullAuditedWithItsCutOffAndFormat()
    {
        var participant = await _data.EnrolAsync();
        var arm = (await _data.RandomiseAsync(participant)).Arm;
        var reports = new PullDmcReport(_data.Db, UseCaseDatabase.Blinded, _clock);

        var pulled = (await reports.ClosedAsync(Statistician, null, "html", CancellationToken.None)).Value!;

        var at = UseCaseDatabase.Now.AddHours(2);
        Assert.That((pulled.CutoffUtc, pulled.GeneratedUtc), Is.EqualTo((at, at)));
        Assert.That(pulled.Sites, Is.EqualTo(new[] { "WAW" }));
        Assert.That(pulled.Report.Randomisation, Is.EqualTo(new[] { new Trial.Core.Reports.ArmRandomisationCount("WAW", "2026-03", arm, 1) }));
        var audit = (await _data.AuditAsync(AuditEntities.Extract)).Single();
        Assert.That((audit.EntityId, audit.Action, audit.UserId, audit.NewValue), Is.EqualTo(("reports/dmc", AuditActions.ArmRead, Statistician.UserId,
            "{\"cutoffUtc\":\"2026-03-10T14:00:00Z\",\"format\":\"html\",\"generatedUtc\":\"2026-03-10T14:00:00Z\",\"report\":\"dmc\",\"sites\":[\"WAW\"]}")));
    }

    [Test]
    public async Task DmcOpenAsync_Pooled_PullAuditedAsDmcOpen()
    {
        var participant = await _data.EnrolAsync();
        await _data.RandomiseAsync(participant);
        var reports = new PullDmcReport(_data.Db, UseCaseDatabase.Blinded, _clock);

        var pulled = (await reports.OpenAsync(Statistician, "WAW", "json", CancellationToken.None)).Value!;

        Assert.That(pulled.Report.Randomisation, Is.EqualTo(new[] { new Trial.Core.Reports.PooledRandomisationCount("WAW", "2026-03", 1) }));
        Assert.That((await _data.AuditAsync(AuditEntities.Extract)).Single().NewValue, Is.EqualTo(
            "{\"cutoffUtc\":\"2026-03-10T14:00:00Z\",\"format\":\"json\",\"generatedUtc\":\"2026-03-10T14:00:00Z\",\"report\":\"dmc-open\",\"sites\":[\"WAW\"]}"));
    }

    [Test]
    public async Task DmcClosedAsync_AnotherSiteOrAnOpenLabelProtocol_RefusedAndNothingAudited()
    {
        var otherSite = await new PullDmcReport(_data.Db, UseCaseDatabase.Blinded, _clock).ClosedAsync(Statistician, "KRK", "json", CancellationToken.None);
        var openLabel = await new PullDmcReport(_data.Db, UseCaseDatabase.OpenLabel, _clock).ClosedAsync(Statistician, null, "json", CancellationToken.None);

        Assert.That(otherSite.Refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
        Assert.That(openLabel.Refusal!.Detail, Does.EndWith("does not randomise: there are no arms for a data monitoring committee to compare."));
        Assert.That(await _data.AuditAsync(AuditEntities.Extract), Is.Empty);
    }

    [Test]
    public async Task BlindingIndexAsync_NoGuessesYet_NoGroups_PullAudited()
    {
        var index = (await new ReadBlindingIndex(_data.Db, UseCaseDatabase.Blinded, _clock).ReadAsync(Statistician, null)).Value!;

        Assert.That(index.GeneratedUtc, Is.EqualTo(UseCaseDatabase.Now.AddHours(2)));
        Assert.That(index.Sites, Is.EqualTo(new[] { "WAW" }));
        Assert.That(index.Groups, Is.Empty);
        Assert.That(index.Formula, Is.EqualTo(Trial.Core.Randomisation.BlindingIndex.Formula));
        var audit = (await _data.AuditAsync(AuditEntities.Extract)).Single();
        Assert.That((audit.EntityId, audit.NewValue), Is.EqualTo(("reports/blinding-index",
            "{\"generatedUtc\":\"2026-03-10T14:00:00Z\",\"report\":\"blinding-index\",\"sites\":[\"WAW\"]}")));
    }

    [Test]
    public async Task BlindingIndexAsync_OpenLabelProtocol_ConflictNoArmsToCompare()
    {
        var refused = await new ReadBlindingIndex(_data.Db, UseCaseDatabase.OpenLabel, _clock).ReadAsync(Statistician, null);

        Assert.That(refused.Refusal!.Detail, Does.EndWith("does not randomise: there are no arms to compare."));
    }
}
