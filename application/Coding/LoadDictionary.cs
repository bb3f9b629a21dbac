using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Coding;
using Trial.Db.Infrastructure;

namespace Trial.Application.Coding;

/// <param name="Name">The dictionary's name (e.g. MedDRA).</param>
/// <param name="Version">Its version (e.g. 27.1); a name and version are loaded once.</param>
/// <param name="ContentType">text/csv for the two-level CSV, application/zip for MedDRA's ASCII files.</param>
/// <param name="Content">The file as sent.</param>
public sealed record DictionaryInput(string? Name, string? Version, string? ContentType, byte[] Content);

/// <summary>A dictionary load as stored.</summary>
public sealed record LoadedDictionary(Guid Id, int Number, string Name, string Version, string Source, int TermCount, DateTime LoadedUtc, Guid LoadedBy)
{
    public static LoadedDictionary Of(CodingDictionaryRow r) => new(r.Id, r.Number, r.Name, r.Version, r.Source, r.TermCount, r.LoadedUtc, r.LoadedBy);
}

/// <summary>A dictionary load as the audit trail records it: what was loaded, never its terms (the sponsor's licensed content).</summary>
internal sealed record AuditedDictionary(Guid Id, int Number, string Name, string Version, string Source, int TermCount, DateTime LoadedUtc);

/// <summary>
/// An admin loads a coding dictionary: a CSV of preferred terms and system organ classes, or the sponsor's MedDRA ASCII
/// files as a zip. Each load is a new version, the current one from then on; a malformed file is refused whole.
/// </summary>
public sealed class LoadDictionary
{
    public const string CsvType = "text/csv";

    /// <summary>The longest dictionary name and version accepted.</summary>
    public const int MaxNameLength = 100, MaxVersionLength = 50;
    public static readonly IReadOnlyList<string> ZipTypes = ["application/zip", "application/x-zip-compressed"];

    public sealed record Checked(string Name, string Version, DictionaryContent Content);

    /// <summary>What can be decided before the write: the name, the version, the kind of file and every line of it.</summary>
    public Outcome<Checked> Check(Actor actor, DictionaryInput input)
    {
        if (!actor.IsAdmin) return new Forbidden("Only an admin loads a coding dictionary.");
        var errors = new FieldErrors();
        var name = errors.Required(input.Name?.Trim(), "name", "The dictionary's name");
        if (name?.Length > MaxNameLength) errors.Add("name", $"The name must be at most {MaxNameLength} characters.");
        var version = errors.Required(input.Version?.Trim(), "version", "The dictionary's version");
        if (version?.Length > MaxVersionLength) errors.Add("version", $"The version must be at most {MaxVersionLength} characters.");
        var type = input.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var isCsv = type == CsvType;
        var isZip = type is not null && ZipTypes.Contains(type);
        if (!isCsv && !isZip) errors.Add("contentType", $"Send the dictionary as {CsvType} (header termCode,term,socCode,soc) or as application/zip (MedDRA's ASCII files).");
        if (input.Content.Length == 0) errors.Add(DictionaryFiles.Field, "The file is empty.");
        if (errors.Any) return errors.ToRefusal();
        var content = isCsv ? DictionaryFiles.ReadCsv(input.Content) : DictionaryFiles.ReadMeddraZip(input.Content);
        return content.Then(c => new Checked(name!, version!, c));
    }

    /// <summary>Stores the load and its terms with its audit row, unless this name and version were loaded already.</summary>
    public async Task<Outcome<LoadedDictionary>> WriteAsync(WriteScope w, Checked input)
    {
        if (await CodingQueries.FindDictionaryAsync(w.Session, input.Name, input.Version) is { } loaded)
            return new Conflict($"{input.Name} {input.Version} was loaded on {loaded.LoadedUtc:yyyy-MM-dd HH:mm}Z; a version is loaded once.");
        var row = new CodingDictionaryRow
        {
            Id = SequentialGuid.New(w.NowUtc), Number = await CodingQueries.NextNumberAsync(w.Session), Name = input.Name, Version = input.Version,
            Source = input.Content.Source, TermCount = input.Content.Terms.Count, LoadedUtc = w.NowUtc, LoadedBy = w.Actor.UserId,
        };
        await CodingQueries.InsertDictionaryAsync(w.Session, row);
        await CodingQueries.InsertTermsAsync(w.Session, input.Content.Terms.Select(t => new CodingTermRow
        {
            DictionaryId = row.Id, TermCode = t.TermCode, Term = t.Term, PreferredTermCode = t.PreferredTermCode, PreferredTerm = t.PreferredTerm,
            SocCode = t.SocCode, Soc = t.Soc, IsCurrent = t.IsCurrent,
        }));
        await w.AuditAsync(AuditEntry.Created(AuditEntities.CodingDictionary, row.Id.ToString(),
            new AuditedDictionary(row.Id, row.Number, row.Name, row.Version, row.Source, row.TermCount, row.LoadedUtc), null, null));
        return LoadedDictionary.Of(row);
    }
}
