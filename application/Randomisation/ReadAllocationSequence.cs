using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Randomisation;

/// <summary>A stratum's allocation sequence as read for audit: its places from the first, with the participant who took each.</summary>
public sealed record StratumSequence(string Stratum, string Method, IReadOnlyList<SequencePlace> Places);

/// <summary>
/// A read of the concealed sequence as the audit trail records it: which stratum, how many places and the participants who
/// took any of them, never the arms.
/// </summary>
internal sealed record AuditedSequenceRead(string Read, string Stratum, string Method, int Places, IReadOnlyList<string> Participants, DateTime ReadUtc);

/// <summary>
/// The unblinded statistician's audit of a stratum's allocation sequence: regenerated from the secret (permuted blocks: each
/// place with its block and block size) or the imported list, with the participant who took each place. The read is audited.
/// </summary>
public sealed class ReadAllocationSequence(Database db, ProtocolDefinition protocol, ConcealedSequence sequence, TimeProvider clock)
{
    /// <summary>The most places one read regenerates.</summary>
    public const int MaxPlaces = 10_000;

    /// <summary>The first <paramref name="count"/> places (default 100) of <paramref name="stratum"/>, a stratum of the actor's sites.</summary>
    public async Task<Outcome<StratumSequence>> ReadAsync(Actor actor, string? stratum, int? count)
    {
        var randomisation = protocol.Design.Randomisation;
        if (randomisation is null) return new Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise.");
        var (sites, allSites) = await StrataScope.SitesAsync(db, actor);
        var strata = Strata.All(randomisation.Strata, sites);
        var errors = new FieldErrors();
        var key = errors.Required(stratum?.Trim(), "stratum", "The stratum");
        if (key is not null && !strata.Contains(key))
        {
            if (StrataScope.OtherSitesStratum(randomisation.Strata, allSites, key) is { } refused) return refused;
            errors.Add("stratum", $"'{key}' is not a stratum of your sites; they are {string.Join(", ", strata)}.");
        }
        var places = count ?? 100;
        if (places is < 1 or > MaxPlaces) errors.Add("count", $"count must be between 1 and {MaxPlaces}; got {places}.");
        if (errors.Any) return errors.ToRefusal();

        var entries = await db.ReadAsync(c => AllocationPlaces.PlacesAsync(c, protocol, sequence, key!, places));

        // Reading the concealed sequence is itself recorded (without the arms: admins and monitors read the trail).
        var now = clock.GetUtcNow().UtcDateTime;
        var participants = entries.Where(e => e.TakenBy is not null).Select(e => e.TakenBy!.ParticipantCode).ToList();
        await db.WriteAsync(actor, now, w => w.AuditAsync(new AuditEntry(AuditEntities.AllocationList, key!, AuditActions.ArmRead, Strata.SiteOf(randomisation.Strata, key!),
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new AuditedSequenceRead("sequence", key!, randomisation.Method, entries.Count, participants, now))))));
        return new StratumSequence(key!, randomisation.Method, entries);
    }
}
