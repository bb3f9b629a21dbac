using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Coding;

/// <summary>One load of a coding dictionary; the one with the highest <see cref="Number"/> is the current one.</summary>
public sealed class CodingDictionaryRow
{
    public Guid Id { get; init; }
    public int Number { get; init; }
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    /// <summary>csv (two levels) or meddra.</summary>
    public string Source { get; init; } = "";
    public int TermCount { get; init; }
    public DateTime LoadedUtc { get; init; }
    public Guid LoadedBy { get; init; }
}

/// <summary>A term an event can be coded to, with its preferred term and (primary) system organ class.</summary>
public sealed class CodingTermRow
{
    public Guid DictionaryId { get; init; }
    /// <summary>The code a coder names: the preferred term's (two levels) or the lowest level term's (MedDRA).</summary>
    public string TermCode { get; init; } = "";
    public string Term { get; init; } = "";
    public string PreferredTermCode { get; init; } = "";
    public string PreferredTerm { get; init; } = "";
    public string SocCode { get; init; } = "";
    public string Soc { get; init; } = "";
    /// <summary>MedDRA's LLT currency; always true for a two-level dictionary.</summary>
    public bool IsCurrent { get; init; }
}

/// <summary>An adverse event's coding as stored beside it; every field null while it is not coded.</summary>
public sealed class AdverseEventCodingRow
{
    public Guid Id { get; init; }
    public Guid? CodingDictionaryId { get; init; }
    public string? CodingTermCode { get; init; }
    public string? CodedVerbatim { get; init; }
    public DateTime? CodedUtc { get; init; }
    public Guid? CodedBy { get; init; }
    public int RowVersion { get; init; }
    public DateTime UpdatedUtc { get; init; }
    public Guid UpdatedBy { get; init; }
}

/// <summary>An adverse event waiting for a coder: not coded yet, or its verbatim term changed since it was coded.</summary>
public sealed class UncodedAdverseEventRow
{
    public Guid Id { get; init; }
    public string SiteCode { get; init; } = "";
    public string ParticipantCode { get; init; } = "";
    public string Term { get; init; } = "";
    public DateOnly OnsetDate { get; init; }
    public int RowVersion { get; init; }
    /// <summary>The code it was coded to before its verbatim term changed; null when never coded.</summary>
    public string? CodingTermCode { get; init; }
}

public static class CodingQueries
{
    private const string DictionaryColumns = "Id, Number, Name, Version, Source, TermCount, LoadedUtc, LoadedBy";

    private const string InsertDictionarySql =
        $"INSERT INTO CodingDictionary ({DictionaryColumns}) VALUES (@Id, @Number, @Name, @Version, @Source, @TermCount, @LoadedUtc, @LoadedBy)";

    private const string InsertTermSql =
        """
        INSERT INTO CodingTerm (DictionaryId, TermCode, Term, PreferredTermCode, PreferredTerm, SocCode, Soc, IsCurrent)
        VALUES (@DictionaryId, @TermCode, @Term, @PreferredTermCode, @PreferredTerm, @SocCode, @Soc, @IsCurrent)
        """;

    private const string NextNumberSql = "SELECT COALESCE(MAX(Number), 0) + 1 FROM CodingDictionary";

    private const string FindByNameVersionSql = $"SELECT {DictionaryColumns} FROM CodingDictionary WHERE Name = @name AND Version = @version";

    private const string CurrentDictionarySql =
        $"SELECT {DictionaryColumns} FROM CodingDictionary WHERE Number = (SELECT MAX(Number) FROM CodingDictionary)";

    private const string ListDictionariesSql = $"SELECT {DictionaryColumns} FROM CodingDictionary ORDER BY Number";

    private const string FindTermSql =
        """
        SELECT DictionaryId, TermCode, Term, PreferredTermCode, PreferredTerm, SocCode, Soc, IsCurrent
        FROM CodingTerm WHERE DictionaryId = @dictionaryId AND TermCode = @termCode
        """;

    private const string GetCodingSql =
        "SELECT Id, CodingDictionaryId, CodingTermCode, CodedVerbatim, CodedUtc, CodedBy, RowVersion, UpdatedUtc, UpdatedBy FROM AdverseEvent WHERE Id = @id";

    // The event's version moves on like any change of it, so a change made meanwhile (by the site or another coder) is
    // not overwritten: 0 rows when the stored version is not the one the coder read.
    private const string CodeSql =
        """
        UPDATE AdverseEvent SET CodingDictionaryId = @dictionaryId, CodingTermCode = @termCode, CodedVerbatim = Term, CodedUtc = @nowUtc, CodedBy = @by,
               RowVersion = RowVersion + 1, UpdatedUtc = @nowUtc, UpdatedBy = @by
        WHERE Id = @id AND RowVersion = @version
        """;

    private const string UncodedSql =
        """
        SELECT TOP (@limit) e.Id, p.SiteCode, p.Code AS ParticipantCode, e.Term, e.OnsetDate, e.RowVersion, e.CodingTermCode
        FROM AdverseEvent e JOIN Participant p ON p.Id = e.ParticipantId
        WHERE (e.CodingDictionaryId IS NULL OR e.CodedVerbatim <> e.Term)
          AND (@anySite = 1 OR p.SiteCode IN @sites)
        ORDER BY e.OnsetDate, p.SiteCode, p.Number, e.Id
        """;

    public static Task<int> NextNumberAsync(DbSession s) => s.ExecuteScalarAsync<int>(NextNumberSql);

    public static Task<CodingDictionaryRow?> FindDictionaryAsync(DbSession s, string name, string version) =>
        s.QuerySingleOrDefaultAsync<CodingDictionaryRow>(FindByNameVersionSql, new { name, version });

    public static Task<int> InsertDictionaryAsync(DbSession s, CodingDictionaryRow row) => s.ExecuteAsync(InsertDictionarySql, row);

    /// <summary>The terms of one load, one row each, in the write's transaction.</summary>
    public static Task<int> InsertTermsAsync(DbSession s, IEnumerable<CodingTermRow> terms) => s.ExecuteAsync(InsertTermSql, terms);

    /// <summary>The dictionary new codings use (the last loaded); null before any load.</summary>
    public static Task<CodingDictionaryRow?> CurrentDictionaryAsync(DbSession s) => s.QuerySingleOrDefaultAsync<CodingDictionaryRow>(CurrentDictionarySql);

    public static async Task<IReadOnlyList<CodingDictionaryRow>> ListDictionariesAsync(DbSession s) =>
        (await s.QueryAsync<CodingDictionaryRow>(ListDictionariesSql)).AsList();

    public static Task<CodingTermRow?> FindTermAsync(DbSession s, Guid dictionaryId, string termCode) =>
        s.QuerySingleOrDefaultAsync<CodingTermRow>(FindTermSql, new { dictionaryId, termCode });

    public static Task<AdverseEventCodingRow?> GetCodingAsync(DbSession s, Guid id) => s.QuerySingleOrDefaultAsync<AdverseEventCodingRow>(GetCodingSql, new { id });

    /// <summary>Codes the event (at <paramref name="version"/>) to the term, noting the verbatim term it was coded from; 0 rows when the event changed meanwhile.</summary>
    public static Task<int> CodeAsync(DbSession s, Guid id, int version, Guid dictionaryId, string termCode, DateTime nowUtc, Guid by) =>
        s.ExecuteAsync(CodeSql, new { id, version, dictionaryId, termCode, nowUtc, by });

    /// <summary>At most <paramref name="limit"/> events to code, of <paramref name="sites"/> (null: every site), oldest onset first.</summary>
    public static async Task<IReadOnlyList<UncodedAdverseEventRow>> UncodedAsync(DbSession s, IReadOnlyList<string>? sites, int limit) =>
        (await s.QueryAsync<UncodedAdverseEventRow>(s.Dialect.Top(UncodedSql), new { anySite = sites is null ? 1 : 0, sites = sites ?? [""], limit })).AsList();
}
