using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Randomisation;

namespace Trial.Application.Randomisation;

/// <summary>One place of an imported allocation list as sent: any field may be missing, which the import refuses.</summary>
public sealed record AllocationListEntry(string? Stratum, int? SequenceNumber, string? Arm);

/// <summary>How many places of one stratum an import holds.</summary>
public sealed record ImportedStratumEntries(string Stratum, int Entries);

/// <summary>An imported list: its places in all, per stratum (in ordinal order), and when it was imported.</summary>
public sealed record ImportedAllocationList(int Entries, IReadOnlyList<ImportedStratumEntries> Strata, DateTime ImportedUtc);

/// <summary>An import as the audit trail records it: how many places of which strata, never the arms.</summary>
internal sealed record AuditedAllocationListImport(int Entries, Dictionary<string, int> Strata, DateTime ImportedUtc);

/// <summary>
/// The unblinded statistician imports the allocation list of a protocol whose randomisation method is imported-list: each
/// stratum's places run 1, 2, 3, … without gaps. It replaces an earlier list, and is refused once any allocation was made.
/// </summary>
public sealed class ImportAllocationList(Database db, ProtocolDefinition protocol)
{
    /// <summary>The most places one list may hold.</summary>
    public const int MaxEntries = 100_000;

    /// <summary>A checked list, ready to be written, with its count of places per stratum.</summary>
    public sealed record Checked(IReadOnlyList<AllocationListEntry> Entries, IReadOnlyList<ImportedStratumEntries> Strata);

    /// <summary>Refused when the protocol does not randomise from an imported list: decided before the list is even read.</summary>
    public Refusal? CheckProtocol()
    {
        var randomisation = protocol.Design.Randomisation;
        if (randomisation?.Method == RandomisationMethods.ImportedList) return null;
        return new Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise from an imported list" +
                            (randomisation is null ? "." : $" (its method is {randomisation.Method}: the sequence is generated from the study's secret)."));
    }

    /// <summary>What can be decided before the write: the protocol, the strata (the actor's sites'), each place and the places of each stratum.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, IReadOnlyList<AllocationListEntry?> entries)
    {
        if (CheckProtocol() is { } refusal) return refusal;
        var randomisation = protocol.Design.Randomisation!;
        var (sites, allSites) = await StrataScope.SitesAsync(db, actor);
        var strata = Strata.All(randomisation.Strata, sites).ToHashSet();
        foreach (var other in entries.Select(e => e?.Stratum).OfType<string>().Where(s => !strata.Contains(s)).Distinct())
            if (StrataScope.OtherSitesStratum(randomisation.Strata, allSites, other) is { } refused) return refused;
        var errors = new FieldErrors();
        var arms = protocol.Design.Arms.Select(a => a.Code).ToList();
        if (entries.Count == 0) errors.Add("entries", "The list is empty.");
        if (entries.Count > MaxEntries) errors.Add("entries", $"The list may hold at most {MaxEntries} entries.");
        for (var i = 0; i < entries.Count && !errors.Any; i++)
        {
            var e = entries[i];
            var at = $"entries[{i}]";
            if (e is null)
            {
                errors.Add(at, $"Entry {i + 1} is null; each entry is {{ \"stratum\", \"sequenceNumber\", \"arm\" }}.");
                continue;
            }
            if (errors.Required(e.Stratum, $"{at}.stratum", $"Entry {i + 1}: the stratum") is { } s && !strata.Contains(s))
                errors.Add($"{at}.stratum", $"Entry {i + 1}: '{s}' is not a stratum of your sites ({string.Join(", ", strata.Order(StringComparer.Ordinal))}).");
            if (errors.Required(e.SequenceNumber, $"{at}.sequenceNumber", $"Entry {i + 1}: the sequence number") is < 1)
                errors.Add($"{at}.sequenceNumber", $"Entry {i + 1}: sequence numbers start at 1.");
            if (errors.Required(e.Arm, $"{at}.arm", $"Entry {i + 1}: the arm") is { } arm && !arms.Contains(arm))
                errors.Add($"{at}.arm", $"Entry {i + 1}: arm must be one of {string.Join(", ", arms)}; got '{arm}'.");
        }
        if (errors.Any) return errors.ToRefusal();
        var checkedEntries = entries.Select(e => e!).ToList();
        foreach (var group in checkedEntries.GroupBy(e => e.Stratum!))
        {
            var numbers = group.Select(e => e.SequenceNumber!.Value).Order().ToList();
            if (!numbers.SequenceEqual(Enumerable.Range(1, numbers.Count)))
                errors.Add("entries", $"The places of stratum {group.Key} must run 1 to {numbers.Count} once each, without gaps.");
        }
        if (errors.Any) return errors.ToRefusal();
        var counts = checkedEntries.GroupBy(e => e.Stratum!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ImportedStratumEntries(g.Key, g.Count())).ToList();
        return new Checked(checkedEntries, counts);
    }

    /// <summary>Replaces the list, with its audit row, unless a participant was already randomised from the current one.</summary>
    public async Task<Outcome<ImportedAllocationList>> WriteAsync(WriteScope w, Checked input)
    {
        var (entries, counts, now) = (input.Entries, input.Strata, w.NowUtc);
        // Queued behind any randomisation in progress, so none can take a place of the old list while it is replaced.
        await RandomisationQueries.LockRandomisationAsync(w.Session);
        var made = await RandomisationQueries.CountAllocationsAsync(w.Session);
        if (made > 0)
            return new Conflict($"{made} participant(s) were already randomised from the current list; it can no longer be replaced.");
        await RandomisationQueries.ReplaceListAsync(w.Session, entries.Select(e => new AllocationListEntryRow
        {
            Stratum = e.Stratum!, SequenceNumber = e.SequenceNumber!.Value, Arm = e.Arm!, ImportedUtc = now, ImportedBy = w.Actor.UserId,
        }));
        await w.AuditAsync(AuditEntry.Created(AuditEntities.AllocationList, "list",
            new AuditedAllocationListImport(entries.Count, counts.ToDictionary(c => c.Stratum, c => c.Entries), now), null, null));
        return new ImportedAllocationList(entries.Count, counts, now);
    }
}
