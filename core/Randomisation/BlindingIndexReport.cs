using Trial.Core.Protocol;

namespace Trial.Core.Randomisation;

/// <summary>
/// One recorded guess as the blinding-index report reads it: where and after how many infusions it was made (null for
/// guesses stored before the number was recorded), by whom, about a participant on which arm, and when it was entered
/// against when (if ever) that participant was unblinded in an emergency.
/// </summary>
public sealed record RecordedGuess(
    string VisitCode, int? InfusionNumber, string Guesser, string ReceivedArm, string Guess, DateTime RecordedUtc, DateTime? ParticipantUnblindedUtc);

/// <summary>
/// The blinding indices of one time of guessing and one guesser. A time of guessing is a visit together with the number
/// of infusions given before the guess (Timepoint reads e.g. "INF1 after infusion 1" or "FU-D7 after 4 infusions").
/// LaterUnblinded counts the guesses (all in the indices) about participants unblinded in an emergency after guessing;
/// LeftOutAfterUnblinding the guesses entered after their participant's unblinding, which are in no index (the system
/// refuses them now; only rows stored before it did can be such).
/// </summary>
public sealed record BlindingIndexGroup(
    string Timepoint, string VisitCode, int? InfusionNumber, string Guesser, int Guesses, int LaterUnblinded, int LeftOutAfterUnblinding,
    IReadOnlyList<BangIndex> Bang, JamesIndex James);

/// <summary>The unblinded statistician's blinding-index report, computed from the guesses recorded and the allocation.</summary>
public static class BlindingIndexReport
{
    public static IReadOnlyList<BlindingIndexGroup> Build(ProtocolDefinition protocol, IEnumerable<RecordedGuess> guesses)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(guesses);
        var arms = protocol.Design.Arms.Select(a => a.Code).ToList();
        var visitOrder = protocol.Visits.Select(v => v.Code).ToList();
        var all = guesses.ToList();
        // Visits no longer in the plan (guesses under an earlier protocol version) go last rather than vanish.
        int Position(string visit) => visitOrder.IndexOf(visit) is >= 0 and var i ? i : int.MaxValue;

        var groups = new List<BlindingIndexGroup>();
        // Never pooled across numbers of infusions: a guess after one infusion and one after four measure different things.
        var times = all.Select(g => (g.VisitCode, g.InfusionNumber)).Distinct()
            .OrderBy(t => Position(t.VisitCode)).ThenBy(t => t.VisitCode, StringComparer.Ordinal)
            .ThenBy(t => t.InfusionNumber ?? int.MaxValue);
        foreach (var (visitCode, infusionNumber) in times)
        {
            foreach (var guesser in BlindingGuesses.Guessers)
            {
                var own = all.Where(g => g.VisitCode == visitCode && g.InfusionNumber == infusionNumber && g.Guesser == guesser).ToList();
                var counted = own.Where(g => !EnteredAfterUnblinding(g)).ToList();
                var table = new GuessTable(arms);
                foreach (var g in counted) table.Add(g.ReceivedArm, g.Guess);
                groups.Add(new BlindingIndexGroup(
                    Timepoint(protocol, visitCode, infusionNumber), visitCode, infusionNumber, guesser, counted.Count,
                    counted.Count(g => g.ParticipantUnblindedUtc is not null), own.Count - counted.Count,
                    [.. arms.Select(a => BlindingIndex.Bang(table, a))], BlindingIndex.James(table)));
            }
        }

        return groups;
    }

    /// <summary>How a time of guessing reads: "INF2 after infusion 2", "FU-D7 after 1 infusion", "FU-D7 after 4 infusions".</summary>
    public static string Timepoint(ProtocolDefinition protocol, string visitCode, int? infusionNumber)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (infusionNumber is not { } number) return $"{visitCode}, number of infusions not recorded";
        return protocol.FindVisit(visitCode)?.Kind == VisitKinds.Infusion
            ? $"{visitCode} after infusion {number}"
            : $"{visitCode} after {number} infusion{(number == 1 ? "" : "s")}";
    }

    // Once the arm is out at the site, a guess can no longer say whether the blind held.
    private static bool EnteredAfterUnblinding(RecordedGuess g) => g.ParticipantUnblindedUtc is { } unblinded && g.RecordedUtc >= unblinded;
}
