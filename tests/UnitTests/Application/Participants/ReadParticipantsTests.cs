using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;

namespace Trial.Tests.Application.Participants;

[TestFixture]
public class ReadParticipantsTests
{
    private StudyDatabase _study = null!;
    private ReadParticipants _read = null!;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _read = new ReadParticipants(_study.Db);
        await _study.EnrolAsync("WAW");
        await _study.EnrolAsync("KRK");
        await _study.EnrolAsync("WAW");
    }

    [OneTimeTearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task FindAsync_ParticipantOfTheActorsSite_GivesIt()
    {
        var found = await _read.FindAsync(StudyDatabase.Investigator, "WAW-0002");

        Assert.That((found.Value!.Code, found.Value.SiteCode, found.Value.SiteTimeZone), Is.EqualTo(("WAW-0002", "WAW", "Europe/Warsaw")));
    }

    [Test]
    public async Task FindAsync_ParticipantOfAnotherSite_IsForbidden()
    {
        var found = await _read.FindAsync(StudyDatabase.Investigator, "KRK-0001");

        Assert.That(found.Refusal, Is.EqualTo(new Forbidden("Participant KRK-0001 belongs to site KRK, which is not one of your sites.")));
    }

    [Test]
    public async Task ListAsync_NoSite_GivesTheActorsSitesOnlyInCodeOrder()
    {
        var listed = await _read.ListAsync(StudyDatabase.Investigator, null);

        Assert.That(listed.Value!.Items.Select(p => p.Code), Is.EqualTo(new[] { "WAW-0001", "WAW-0002" }));
    }

    [Test]
    public async Task ListAsync_AdminWithoutSite_GivesEverySite()
    {
        var listed = await _read.ListAsync(StudyDatabase.Admin, null);

        Assert.That(listed.Value!.Items.Select(p => p.Code), Is.EqualTo(new[] { "KRK-0001", "WAW-0001", "WAW-0002" }));
    }

    [Test]
    public async Task ListAsync_SiteNotTheActors_IsForbidden()
    {
        var listed = await _read.ListAsync(StudyDatabase.Investigator, "KRK");

        Assert.That(listed.Refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
    }
}
