using NUnit.Framework;
using Trial.Application;
using Trial.Application.Schedules;
using Trial.Db.Participants;
using Trial.Db.Schedules;

namespace Trial.Tests.Application.Schedules;

/// <summary>The stored visit plan: its rebuild, the participants whose plan needs one, and the worklist read from it.</summary>
[TestFixture]
public class ScheduleTests
{
    // INF1 on 2 March: POST24 on 3 March (window to 4 March), INF2 on 5 March (window 4 to 6 March), INF3 on 9 March (8 to 10 March).
    private static readonly DateOnly Inf1 = new(2026, 3, 2);
    private static readonly DateTime DayAfterInf1 = new(2026, 3, 3, 9, 0, 0, DateTimeKind.Utc);

    private StudyDatabase _study = null!;
    private RebuildSchedule _rebuild = null!;
    private ListVisitsDue _due = null!;
    private ParticipantRow _participant = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _rebuild = new RebuildSchedule(_study.Db, _study.Protocol);
        _due = new ListVisitsDue(_study.Db, _study.Protocol);
        _participant = await _study.EnrolAsync();
        await _study.RecordVisitAsync(_participant, "INF1", Inf1);
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task RebuildAsync_NewlyEnrolled_StoresTheWholePlanAndIsNoLongerStale()
    {
        Assert.That(await _rebuild.StaleAsync(), Is.EqualTo(new[] { _participant.Id }), "enrolment marks the plan stale");

        await _rebuild.RebuildAsync(_participant.Id, DayAfterInf1);

        var stored = await StoredAsync();
        Assert.That(stored, Has.Count.EqualTo(12));
        Assert.That(stored.Single(v => v.VisitCode == "INF1").Status, Is.EqualTo("done"));
        Assert.That(stored.Single(v => v.VisitCode == "INF2").TargetDate, Is.EqualTo(new DateOnly(2026, 3, 5)));
        Assert.That(await _rebuild.StaleAsync(), Is.Empty);
    }

    [Test]
    public async Task RebuildAsync_Twice_StoresTheSamePlan()
    {
        await _rebuild.RebuildAsync(_participant.Id, DayAfterInf1);
        var first = (await StoredAsync()).Select(v => (v.VisitCode, v.TargetDate, v.WindowStart, v.WindowEnd, v.Status)).ToList();

        await _rebuild.RebuildAsync(_participant.Id, DayAfterInf1);

        Assert.That((await StoredAsync()).Select(v => (v.VisitCode, v.TargetDate, v.WindowStart, v.WindowEnd, v.Status)), Is.EqualTo(first));
    }

    [Test]
    public async Task WithClosedWindowsAsync_DayAfterInf2sWindowClosed_FindsTheParticipantUntilTheRebuildMarksItMissed()
    {
        // Rebuilt on 5 March: POST24's window has closed, and it reads missed.
        await _rebuild.RebuildAsync(_participant.Id, new DateTime(2026, 3, 5, 9, 0, 0, DateTimeKind.Utc));
        Assert.That((await StoredAsync()).Single(v => v.VisitCode == "POST24").Status, Is.EqualTo("missed"));
        // 7 March, 00:30 in Warsaw: INF2's window closed at the end of 6 March there.
        var afterWindow = new DateTime(2026, 3, 6, 23, 30, 0, DateTimeKind.Utc);
        var lastDayOfWindow = new DateTime(2026, 3, 6, 22, 30, 0, DateTimeKind.Utc);
        Assert.That(await _rebuild.WithClosedWindowsAsync(lastDayOfWindow), Is.Empty, "23:30 on 6 March in Warsaw is still in the window");

        Assert.That(await _rebuild.WithClosedWindowsAsync(afterWindow), Is.EqualTo(new[] { _participant.Id }));
        await _rebuild.RebuildAsync(_participant.Id, afterWindow);

        Assert.That((await StoredAsync()).Single(v => v.VisitCode == "INF2").Status, Is.EqualTo("missed"));
        Assert.That(await _rebuild.WithClosedWindowsAsync(afterWindow), Is.Empty);
    }

    [Test]
    public async Task ListAsync_DayAfterInf1_GivesTheVisitsWhoseWindowIsOpenOrOpensWithinAWeekMostUrgentFirst()
    {
        await _rebuild.RebuildAsync(_participant.Id, DayAfterInf1);

        var due = (await _due.ListAsync(StudyDatabase.Investigator, null, null, DayAfterInf1)).Value!.Items;

        Assert.That(due.Select(d => (d.ParticipantCode, d.VisitCode, d.DaysLeft, d.Urgency)), Is.EqualTo(new[]
        {
            ("WAW-0001", "POST24", 1, "in-window"),
            ("WAW-0001", "INF2", 3, "upcoming"),
            ("WAW-0001", "INF3", 7, "upcoming"),
        }));
        Assert.That((due[1].TargetDate, due[1].WindowStart, due[1].WindowEnd, due[1].Name),
            Is.EqualTo((new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 4), new DateOnly(2026, 3, 6), "Infusion 2")));
    }

    [Test]
    public async Task ListAsync_SiteOfSomeoneElse_IsForbiddenAndTheirParticipantsAreNotListed()
    {
        await _rebuild.RebuildAsync(_participant.Id, DayAfterInf1);

        var other = await _due.ListAsync(StudyDatabase.KrakowInvestigator, null, null, DayAfterInf1);
        var asked = await _due.ListAsync(StudyDatabase.KrakowInvestigator, "WAW", null, DayAfterInf1);

        Assert.That(other.Value!.Items, Is.Empty);
        Assert.That(asked.Refusal, Is.EqualTo(new Forbidden("Site WAW is not one of your sites.")));
    }

    [TestCase(-1)]
    [TestCase(367)]
    public async Task ListAsync_DaysOutOfRange_RefusesTheDays(int days)
    {
        var due = await _due.ListAsync(StudyDatabase.Investigator, null, days, DayAfterInf1);

        Assert.That(((Invalid)due.Refusal!).Errors["days"], Is.EqualTo(new[] { $"days must be between 0 and 366; got {days}." }));
    }

    private Task<IReadOnlyList<ScheduledVisitRow>> StoredAsync() => _study.Db.ReadAsync(c => ScheduleQueries.ForParticipantAsync(c, _participant.Id));
}
