using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Infrastructure;
using Trial.Db.Reports;

namespace Trial.Application.Reports;

/// <summary>
/// The blinding indices per time of guessing (a visit and the number of infusions given before the guess, never pooled)
/// and guesser: Bang's per arm and James' overall, each with its 95 % interval (see <see cref="BlindingIndexGroup"/>).
/// </summary>
public sealed record BlindingIndexResult(DateTime GeneratedUtc, IReadOnlyList<string>? Sites, string Formula, IReadOnlyList<BlindingIndexGroup> Groups);

/// <summary>
/// The integrity of the blind, for the unblinded statistician: the guesses recorded compared with the allocation. Every pull
/// is recorded in the audit trail (without its contents).
/// </summary>
public sealed class ReadBlindingIndex(Database db, ProtocolDefinition protocol, TimeProvider clock)
{
    /// <summary>The indices of the actor's sites, or of one of them.</summary>
    public async Task<Outcome<BlindingIndexResult>> ReadAsync(Actor actor, string? site)
    {
        if (protocol.Design.Randomisation is null)
            return new Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise: there are no arms to compare.");
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;
        var guesses = await db.ReadAsync(c => ReportQueries.GuessesAsync(c, sites));
        var groups = BlindingIndexReport.Build(protocol,
            guesses.Select(g => new RecordedGuess(g.VisitCode, g.InfusionNumber, g.Guesser, g.Arm, g.Guess, g.RecordedUtc, g.UnblindedUtc)));
        var now = clock.GetUtcNow().UtcDateTime;
        const string report = "blinding-index";
        await ReportPulls.RecordAsync(db, actor, now, report, new AuditedReportPull(report, sites, now), armData: true);
        return new BlindingIndexResult(now, sites, BlindingIndex.Formula, groups);
    }
}
