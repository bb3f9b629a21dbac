namespace Trial.Extracts;

/// <summary>
/// Who an extract is for: whether free text was asked for (admins only) and whether the caller may see arms (a role in
/// <see cref="ExportRequests.UnblindedRoles"/>: the unblinded statistician).
/// </summary>
public sealed record ExtractAudience(bool IncludeFreeText, bool Unblinded)
{
    public static readonly ExtractAudience BlindedPseudonymised = new(IncludeFreeText: false, Unblinded: false);
}
