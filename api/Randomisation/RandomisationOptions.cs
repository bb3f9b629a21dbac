namespace Trial.Api.Randomisation;

/// <summary>Bound from the <c>Randomisation</c> section (<c>Randomisation__Secret</c>).</summary>
public sealed class RandomisationOptions
{
    /// <summary>
    /// The secret the allocation sequence is generated from: at least 32 characters, e.g. <c>openssl rand -base64 32</c>.
    /// Whoever holds it can regenerate the sequence, so it belongs to the unblinded statistician and the system only.
    /// </summary>
    public string? Secret { get; set; }
}
