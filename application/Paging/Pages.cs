using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Trial.Application.Paging;

/// <summary>One page of a list: its rows in the list's order, and the cursor of the next page (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>What a list was asked for: how many rows, and after which row (the decoded cursor's key; null for the first page).</summary>
public sealed record PageRequest(int Limit, string[]? After);

/// <summary>
/// The paging every list shares: a page of at most <see cref="MaxLimit"/> rows (<see cref="DefaultLimit"/> when not asked), and an
/// opaque cursor holding the sort key of the last row given: base64url of the list's name, the key's parts and a check sum. The
/// cursor carries no authority: each page applies the caller's filters and sites again, so even a forged cursor only moves where
/// the page starts. The check sum refuses a cursor changed by hand or cut short in transit, and the list's name a cursor of
/// another list, whose key would not mean the same thing: either would give a page that is not the next one.
/// </summary>
public static class Pages
{
    public const int DefaultLimit = 100, MaxLimit = 1000;

    private const char Separator = '\n';

    /// <summary>What a refused cursor is told.</summary>
    public const string BadCursor = "cursor must be the value given in the Link header of an earlier page of this list, unchanged.";

    /// <summary>
    /// Checks <c>limit</c> and <c>cursor</c>, adding errors naming them; the cursor must come from the list
    /// <paramref name="list"/> and hold <paramref name="keyParts"/> parts.
    /// </summary>
    public static PageRequest Check(int? limit, string? cursor, string list, int keyParts, FieldErrors errors)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit) errors.Add("limit", $"limit must be between 1 and {MaxLimit}; got {size}.");
        string[]? after = null;
        if (cursor is not null)
        {
            after = Decode(cursor, list, keyParts);
            if (after is null) errors.Add("cursor", BadCursor);
        }
        return new PageRequest(size, after);
    }

    /// <summary>The name of a participant's list (their assessments, history, ...): a cursor of one participant's is not another's.</summary>
    public static string OfParticipant(string list, string participantCode) => $"{list}:{participantCode.Trim().ToUpperInvariant()}";

    /// <summary>The cursor after a row whose sort key is <paramref name="key"/>.</summary>
    public static string Encode(string list, params string[] key)
    {
        var text = Encoding.UTF8.GetBytes(string.Join(Separator, [list, .. key]));
        return Base64Url.EncodeToString([.. text, .. Sum(text)]);
    }

    /// <summary>The key parts of a cursor of <paramref name="list"/>, or null when it is not one.</summary>
    public static string[]? Decode(string cursor, string list, int keyParts)
    {
        if (cursor.Length is 0 or > 2000 || !Base64Url.IsValid(cursor)) return null;
        var bytes = Base64Url.DecodeFromChars(cursor);
        // Only the one spelling Encode gives: base64url can spell the same bytes with other unused bits in its last character.
        if (bytes.Length <= SumLength || Base64Url.EncodeToString(bytes) != cursor) return null;
        var text = bytes.AsSpan(0, bytes.Length - SumLength);
        if (!Sum(text).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - SumLength))) return null;
        string decoded;
        try { decoded = new UTF8Encoding(false, true).GetString(text); }
        catch (ArgumentException) { return null; }
        var parts = decoded.Split(Separator);
        return parts.Length == keyParts + 1 && parts[0] == list ? parts[1..] : null;
    }

    private const int SumLength = 8;

    private static byte[] Sum(ReadOnlySpan<byte> text) => SHA256.HashData(text)[..SumLength];

    /// <summary>
    /// Cuts rows read with one row more than the page (<see cref="PageRequest.Limit"/> + 1) into the page and the cursor of the next
    /// one: the extra row only says there is a next page, so the last page never links to an empty one.
    /// </summary>
    public static Page<T> Cut<T>(IReadOnlyList<T> rows, PageRequest request, string list, Func<T, string[]> keyOf)
    {
        if (rows.Count <= request.Limit) return new Page<T>(rows, null);
        var items = rows.Take(request.Limit).ToList();
        return new Page<T>(items, Encode(list, keyOf(items[^1])));
    }

    /// <summary>An instant as a key part, to the tick, so the next page starts exactly after it.</summary>
    public static string Key(DateTime utc) => utc.Ticks.ToString(CultureInfo.InvariantCulture);

    public static string Key(Guid id) => id.ToString("D");

    public static bool TryInstant(string part, out DateTime utc)
    {
        utc = default;
        if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks) return false;
        utc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    public static bool TryId(string part, out Guid id) => Guid.TryParseExact(part, "D", out id);
}
