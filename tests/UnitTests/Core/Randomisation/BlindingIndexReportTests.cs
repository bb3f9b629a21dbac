using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;

namespace Trial.Tests.Core.Randomisation;

/// <summary>What the blinding-index report counts together, and what it keeps apart or leaves out.</summary>
[TestFixture]
public class BlindingIndexReportTests
{
    private static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();
    private static readonly DateTime Entered = new(2026, 3, 2, 12, 0, 0, DateTimeKind.Utc);

    private static RecordedGuess Guess(string visit, int? infusions, string received, string guess, string guesser = BlindingGuesses.Rater,
        DateTime? unblinded = null) => new(visit, infusions, guesser, received, guess, Entered, unblinded);

    [Test]
    public void Build_GuessesAtOneVisitAfterDifferentNumbersOfInfusions_NeverPooled()
    {
        // FU-D7 of a participant who stopped after INF1 and of one who had all four: two times of guessing, not one.
        var groups = BlindingIndexReport.Build(Protocol, [
            Guess("FU-D7", 4, "KET", "KET"), Guess("FU-D7", 1, "KET", "MDZ"), Guess("INF1", 1, "MDZ", "unknown"), Guess("INF4", 4, "KET", "KET"),
            Guess("INF2", 2, "MDZ", "KET"),
        ]);

        Assert.That(groups.Select(g => (g.Timepoint, g.Guesser)), Is.EqualTo(new[]
        {
            ("INF1 after infusion 1", "rater"), ("INF1 after infusion 1", "participant"),
            ("INF2 after infusion 2", "rater"), ("INF2 after infusion 2", "participant"),
            ("INF4 after infusion 4", "rater"), ("INF4 after infusion 4", "participant"),
            ("FU-D7 after 1 infusion", "rater"), ("FU-D7 after 1 infusion", "participant"),
            ("FU-D7 after 4 infusions", "rater"), ("FU-D7 after 4 infusions", "participant"),
        }));
        var afterFour = groups.Single(g => g.Timepoint == "FU-D7 after 4 infusions" && g.Guesser == "rater");
        Assert.That(afterFour.Bang.Select(b => (b.Arm, b.Guesses, b.Correct, b.Wrong)), Is.EqualTo(new[] { ("KET", 1, 1, 0), ("MDZ", 0, 0, 0) }));
        Assert.That((afterFour.VisitCode, afterFour.InfusionNumber, afterFour.Guesses), Is.EqualTo(("FU-D7", (int?)4, 1)));
    }

    [Test]
    public void Build_BangPerArmAndJamesOverall_FromTheGroupsOwnGuesses()
    {
        var guesses = new List<RecordedGuess>();
        for (var i = 0; i < 6; i++) guesses.Add(Guess("INF1", 1, "KET", i < 3 ? "KET" : i == 3 ? "MDZ" : "unknown"));
        for (var i = 0; i < 4; i++) guesses.Add(Guess("INF1", 1, "MDZ", i == 0 ? "MDZ" : i < 3 ? "KET" : "unknown"));
        guesses.Add(Guess("INF1", 1, "KET", "KET", BlindingGuesses.Participant));

        var rater = BlindingIndexReport.Build(Protocol, guesses).Single(g => g.Guesser == "rater");

        Assert.That(rater.Bang.Select(b => b.Index), Is.EqualTo(new[] { BlindingIndex.Bang("KET", 3, 1, 2).Index, BlindingIndex.Bang("MDZ", 1, 2, 1).Index }));
        var table = new GuessTable(["KET", "MDZ"]).Add("KET", "KET", 3).Add("KET", "MDZ").Add("KET", "unknown", 2).Add("MDZ", "MDZ").Add("MDZ", "KET", 2).Add("MDZ", "unknown");
        Assert.That(rater.James, Is.EqualTo(BlindingIndex.James(table)));
        Assert.That(rater.Guesses, Is.EqualTo(10));
    }

    [Test]
    public void Build_GuessesOfLaterUnblinded_CountedAndMarked_ThoseEnteredAfterTheUnblinding_LeftOut()
    {
        var later = Entered.AddDays(1);
        var earlier = Entered.AddDays(-1);
        var groups = BlindingIndexReport.Build(Protocol, [
            Guess("INF1", 1, "KET", "KET", unblinded: later), Guess("INF1", 1, "KET", "KET"),
            Guess("INF1", 1, "MDZ", "MDZ", unblinded: earlier), Guess("INF1", 1, "MDZ", "MDZ", unblinded: Entered),
        ]);

        var rater = groups.Single(g => g.Guesser == "rater");
        Assert.That((rater.Guesses, rater.LaterUnblinded, rater.LeftOutAfterUnblinding), Is.EqualTo((2, 1, 2)));
        Assert.That(rater.Bang.Select(b => (b.Arm, b.Guesses)), Is.EqualTo(new[] { ("KET", 2), ("MDZ", 0) }));
        Assert.That(rater.James.Guesses, Is.EqualTo(2));
    }

    [Test]
    public void Build_GuessesStoredWithoutAnInfusionNumber_KeptApartAndLast()
    {
        var groups = BlindingIndexReport.Build(Protocol, [Guess("FU-D7", null, "KET", "KET"), Guess("FU-D7", 2, "KET", "KET"), Guess("INF2", null, "MDZ", "MDZ")]);

        Assert.That(groups.Select(g => g.Timepoint).Distinct(), Is.EqualTo(new[]
        {
            "INF2, number of infusions not recorded", "FU-D7 after 2 infusions", "FU-D7, number of infusions not recorded",
        }));
    }

    [Test]
    public void Build_NoGuesses_NoGroups()
    {
        Assert.That(BlindingIndexReport.Build(Protocol, []), Is.Empty);
    }
}
