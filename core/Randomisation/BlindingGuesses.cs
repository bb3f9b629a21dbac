using System.Globalization;
using Trial.Core.Protocol;
using Trial.Core.Sites;

namespace Trial.Core.Randomisation;

/// <summary>Blinding integrity: who guesses the arm, and what they may answer.</summary>
public static class BlindingGuesses
{
    public const string Rater = "rater", Participant = "participant";
    public static readonly IReadOnlyList<string> Guessers = [Rater, Participant];

    public const string DontKnow = "unknown";

    /// <summary>The answers a guess may give: an arm code or "unknown".</summary>
    public static IReadOnlyList<string> Answers(StudyDesign design) => [.. design.Arms.Select(a => a.Code), DontKnow];

    /// <summary>
    /// The visit codes at which the participant's arm is guessed: those of the protocol, with the last infusion
    /// resolved to the final infusion visit of the plan, or, once infusions were discontinued, the last one given.
    /// </summary>
    public static IReadOnlyList<string> Visits(ProtocolDefinition protocol, bool infusionsDiscontinued, IEnumerable<string> recordedVisits)
    {
        var recorded = recordedVisits.ToHashSet();
        var infusionVisits = protocol.InfusionVisits.Select(v => v.Code).ToList();
        var lastInfusion = infusionsDiscontinued ? infusionVisits.LastOrDefault(recorded.Contains) : infusionVisits.LastOrDefault();
        return [.. protocol.Design.BlindingGuessVisits
            .Select(v => v == ProtocolDefinition.LastInfusionAnchor ? lastInfusion : v)
            .OfType<string>()
            .Distinct()];
    }

    /// <summary>
    /// When a guess at <paramref name="visitCode"/> made at <paramref name="guessedUtc"/> stands against the infusions
    /// given: which infusion it follows (its number among those given) and how long after that infusion ended. A guess
    /// is only comparable with guesses made after as many infusions, so it must sit between the end of the infusion it
    /// follows and the start of the next one.
    /// <para>
    /// At an infusion visit the guess follows that visit's infusion, once it has ended; at any other visit (a follow-up,
    /// the day after an infusion) it follows the last infusion given at the infusion visits before it in the visit plan,
    /// and is made no earlier than the visit's date at the site.
    /// </para>
    /// </summary>
    /// <param name="protocol">The protocol, for the visit plan.</param>
    /// <param name="visitCode">The visit of the guess (a visit of the protocol).</param>
    /// <param name="visitDate">The date the visit was recorded on, at the site.</param>
    /// <param name="zone">The site's time zone.</param>
    /// <param name="infusions">Every infusion recorded for the participant.</param>
    /// <param name="guessedUtc">When the guess was made.</param>
    public static GuessTimingResult Timing(ProtocolDefinition protocol, string visitCode, DateOnly visitDate, TimeZoneInfo zone,
        IReadOnlyCollection<GivenInfusion> infusions, DateTime guessedUtc)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(infusions);
        var visit = protocol.FindVisit(visitCode) ?? throw new ArgumentException($"'{visitCode}' is not a visit of the protocol.", nameof(visitCode));
        var ordered = infusions.OrderBy(i => i.StartUtc).ToList();

        GivenInfusion follows;
        if (visit.Kind == VisitKinds.Infusion)
        {
            var own = ordered.FirstOrDefault(i => i.VisitCode == visitCode);
            if (own is null)
            {
                return GuessTimingResult.Refused(GuessTimingProblem.InfusionNotRecorded, visitCode,
                    $"The infusion at {visitCode} is not recorded yet: the guesses at {visitCode} are made after it ended, so record the infusion first.");
            }

            follows = own;
        }
        else
        {
            var infusionVisitsBefore = protocol.Visits.TakeWhile(v => v.Code != visitCode).Where(v => v.Kind == VisitKinds.Infusion).Select(v => v.Code).ToHashSet();
            var given = ordered.Where(i => infusionVisitsBefore.Contains(i.VisitCode)).ToList();
            if (given.Count == 0)
            {
                var first = protocol.InfusionVisits.Select(v => v.Code).FirstOrDefault(infusionVisitsBefore.Contains);
                return GuessTimingResult.Refused(GuessTimingProblem.NoInfusionGiven, first,
                    $"No infusion is recorded before {visitCode}: a guess at {visitCode} is made after the last infusion given, so there is nothing for it to follow.");
            }
            follows = given[^1];
            var local = SiteCalendar.LocalDate(guessedUtc, zone);
            if (local < visitDate)
            {
                return GuessTimingResult.Refused(GuessTimingProblem.OutsideItsInfusion, null,
                    $"guessedUtc {Instant(guessedUtc)} falls on {Day(local)} at the site, before visit {visitCode} ({Day(visitDate)}): a guess at a visit is made at that visit.");
            }
        }

        var number = ordered.IndexOf(follows) + 1;
        if (guessedUtc < follows.EndUtc)
        {
            return GuessTimingResult.Refused(GuessTimingProblem.OutsideItsInfusion, null,
                $"guessedUtc {Instant(guessedUtc)} is before the infusion at {follows.VisitCode} ended ({Instant(follows.EndUtc)}): the guess is made after the infusion.");
        }

        var next = ordered.Skip(number).FirstOrDefault();
        if (next is not null && guessedUtc >= next.StartUtc)
        {
            return GuessTimingResult.Refused(GuessTimingProblem.OutsideItsInfusion, null,
                $"guessedUtc {Instant(guessedUtc)} is after the infusion at {next.VisitCode} started ({Instant(next.StartUtc)}): a guess at {visitCode} follows " +
                $"infusion {number} ({follows.VisitCode}), and one made later would follow more infusions than that.");
        }

        var minutes = (int)Math.Floor((guessedUtc - follows.EndUtc).TotalMinutes);
        return new GuessTimingResult(new GuessTiming(number, follows.VisitCode, minutes), null, null, null);
    }

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>An infusion given, as the timing of a guess needs it.</summary>
public sealed record GivenInfusion(string VisitCode, DateTime StartUtc, DateTime EndUtc);

/// <summary>
/// Which infusion a guess follows: its number among the infusions given (1 for the first; at a follow-up, how many were
/// given), the visit it was given at, and the whole minutes from its end to the guess.
/// </summary>
public sealed record GuessTiming(int InfusionNumber, string InfusionVisitCode, int MinutesAfterInfusionEnd);

public enum GuessTimingProblem
{
    /// <summary>The guess is at an infusion visit whose infusion is not recorded: a step is missing.</summary>
    InfusionNotRecorded,

    /// <summary>No infusion is recorded before the (non-infusion) visit of the guess.</summary>
    NoInfusionGiven,

    /// <summary>guessedUtc is not between the end of the infusion the guess follows and the start of the next one, or before its visit.</summary>
    OutsideItsInfusion,
}

/// <summary>The timing of a guess, or why it cannot be placed: the problem, the infusion visit it concerns (if one), and the words.</summary>
public sealed record GuessTimingResult(GuessTiming? Timing, GuessTimingProblem? Problem, string? InfusionVisitCode, string? Message)
{
    public static GuessTimingResult Refused(GuessTimingProblem problem, string? infusionVisitCode, string message) => new(null, problem, infusionVisitCode, message);
}
