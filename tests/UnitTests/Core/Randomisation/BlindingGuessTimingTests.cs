using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;

namespace Trial.Tests.Core.Randomisation;

/// <summary>
/// Which infusion a guess follows and how long after it ended, on the default visit plan (INF1 day 0, INF2 day 3, INF3
/// day 7, INF4 day 10, FU-D7 seven days after the last infusion given). Infusions run 08:00-08:40 UTC.
/// </summary>
[TestFixture]
public class BlindingGuessTimingTests
{
    private static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;
    private static readonly DateOnly Day0 = new(2026, 3, 2);

    private static GivenInfusion Given(string visit, int day) =>
        new(visit, Day0.AddDays(day).ToDateTime(new TimeOnly(8, 0), DateTimeKind.Utc), Day0.AddDays(day).ToDateTime(new TimeOnly(8, 40), DateTimeKind.Utc));

    private static DateTime At(int day, int hour, int minute = 0, int second = 0) =>
        Day0.AddDays(day).ToDateTime(new TimeOnly(hour, minute, second), DateTimeKind.Utc);

    private static readonly GivenInfusion[] AllFour = [Given("INF1", 0), Given("INF2", 3), Given("INF3", 7), Given("INF4", 10)];

    [Test]
    public void Timing_AtInf1AfterItEnded_FollowsInfusionOneWithTheMinutesSinceItsEnd()
    {
        var result = BlindingGuesses.Timing(Protocol, "INF1", Day0, Utc, AllFour, At(0, 9, 15));

        Assert.That(result.Timing, Is.EqualTo(new GuessTiming(1, "INF1", 35)));
    }

    [Test]
    public void Timing_AtAnInfusionVisitAfterOneWasMissed_NumberIsAmongTheInfusionsGiven()
    {
        // INF2 was not given: INF3 is the second infusion the participant received.
        GivenInfusion[] given = [Given("INF1", 0), Given("INF3", 7)];

        var result = BlindingGuesses.Timing(Protocol, "INF3", Day0.AddDays(7), Utc, given, At(7, 12));

        Assert.That(result.Timing, Is.EqualTo(new GuessTiming(2, "INF3", 200)));
    }

    [Test]
    public void Timing_MinutesAreWholeMinutesSinceTheEnd()
    {
        Assert.That(BlindingGuesses.Timing(Protocol, "INF1", Day0, Utc, AllFour, At(0, 8, 40, 59)).Timing!.MinutesAfterInfusionEnd, Is.Zero);
        Assert.That(BlindingGuesses.Timing(Protocol, "INF1", Day0, Utc, AllFour, At(0, 8, 40)).Timing!.MinutesAfterInfusionEnd, Is.Zero, "at the end itself");
    }

    [Test]
    public void Timing_InfusionOfTheVisitNotRecorded_RefusedNamingTheMissingInfusion()
    {
        var result = BlindingGuesses.Timing(Protocol, "INF2", Day0.AddDays(3), Utc, [Given("INF1", 0)], At(3, 12));

        Assert.That((result.Timing, result.Problem, result.InfusionVisitCode), Is.EqualTo(((GuessTiming?)null, (GuessTimingProblem?)GuessTimingProblem.InfusionNotRecorded, "INF2")));
        Assert.That(result.Message, Does.Contain("infusion at INF2 is not recorded"));
    }

    [Test]
    public void Timing_BeforeTheInfusionEnded_Refused()
    {
        var result = BlindingGuesses.Timing(Protocol, "INF1", Day0, Utc, AllFour, At(0, 8, 39, 59));

        Assert.That(result.Problem, Is.EqualTo(GuessTimingProblem.OutsideItsInfusion));
        Assert.That(result.Message, Does.Contain("before the infusion at INF1 ended (2026-03-02T08:40:00Z)"));
    }

    [Test]
    public void Timing_AtInf1ButAfterInf2Started_RefusedAsFollowingMoreInfusions()
    {
        var result = BlindingGuesses.Timing(Protocol, "INF1", Day0, Utc, AllFour, At(3, 8, 0));

        Assert.That(result.Problem, Is.EqualTo(GuessTimingProblem.OutsideItsInfusion));
        Assert.That(result.Message, Does.Contain("after the infusion at INF2 started"));
        Assert.That(BlindingGuesses.Timing(Protocol, "INF1", Day0, Utc, AllFour, At(3, 7, 59)).Timing!.InfusionNumber, Is.EqualTo(1), "just before INF2");
    }

    [Test]
    public void Timing_AtFollowUpAfterAllFour_FollowsTheFourthFromItsEnd()
    {
        var result = BlindingGuesses.Timing(Protocol, "FU-D7", Day0.AddDays(17), Utc, AllFour, At(17, 10));

        // INF4 ended on day 10 at 08:40; the guess is 7 days and 80 minutes later.
        Assert.That(result.Timing, Is.EqualTo(new GuessTiming(4, "INF4", 7 * 24 * 60 + 80)));
    }

    [Test]
    public void Timing_AtFollowUpAfterStoppingAtInf2_FollowsTheSecond()
    {
        var result = BlindingGuesses.Timing(Protocol, "FU-D7", Day0.AddDays(10), Utc, [Given("INF1", 0), Given("INF2", 3)], At(10, 9));

        Assert.That(result.Timing, Is.EqualTo(new GuessTiming(2, "INF2", 7 * 24 * 60 + 20)));
    }

    [Test]
    public void Timing_AtFollowUpWithNoInfusionGiven_Refused()
    {
        var result = BlindingGuesses.Timing(Protocol, "FU-D7", Day0.AddDays(7), Utc, [], At(7, 9));

        Assert.That((result.Problem, result.InfusionVisitCode), Is.EqualTo(((GuessTimingProblem?)GuessTimingProblem.NoInfusionGiven, "INF1")));
        Assert.That(result.Message, Does.Contain("No infusion is recorded before FU-D7"));
    }

    [Test]
    public void Timing_AtFollowUpBeforeTheVisitsDateAtTheSite_Refused()
    {
        // Visit recorded on 2026-03-19 in Warsaw (UTC+1): 23:30 UTC on the 18th is already the 19th there, 22:30 UTC is not.
        var warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
        var visitDate = Day0.AddDays(17);

        Assert.That(BlindingGuesses.Timing(Protocol, "FU-D7", visitDate, warsaw, AllFour, At(16, 23, 30)).Timing, Is.Not.Null);
        var early = BlindingGuesses.Timing(Protocol, "FU-D7", visitDate, warsaw, AllFour, At(16, 22, 30));
        Assert.That(early.Problem, Is.EqualTo(GuessTimingProblem.OutsideItsInfusion));
        Assert.That(early.Message, Does.Contain("before visit FU-D7 (2026-03-19)"));
    }

    [Test]
    public void Timing_AtAVisitBetweenInfusions_FollowsTheInfusionsBeforeItInThePlan()
    {
        // POST24 comes after INF1 and before INF2 in the plan: a guess there follows infusion 1, and only until INF2 starts.
        Assert.That(BlindingGuesses.Timing(Protocol, "POST24", Day0.AddDays(1), Utc, AllFour, At(1, 9)).Timing, Is.EqualTo(new GuessTiming(1, "INF1", 24 * 60 + 20)));
        Assert.That(BlindingGuesses.Timing(Protocol, "POST24", Day0.AddDays(1), Utc, AllFour, At(3, 9)).Problem, Is.EqualTo(GuessTimingProblem.OutsideItsInfusion));
    }
}
