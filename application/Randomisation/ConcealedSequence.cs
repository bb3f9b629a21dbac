using Trial.Core.Protocol;
using Trial.Core.Randomisation;

namespace Trial.Application.Randomisation;

/// <summary>
/// The concealed allocation sequence of a protocol that randomises by permuted blocks (see <see cref="AllocationSequence"/>),
/// generated from the study's secret. The host resolves the secret (the API: from configuration, or a file it made on the
/// embedded default); whoever holds it can regenerate the sequence, so it belongs to the unblinded statistician and the
/// system only. <see cref="None"/> in a host that has no secret: such a host cannot allocate from a generated sequence.
/// </summary>
public sealed class ConcealedSequence
{
    private readonly byte[]? _secret;

    public ConcealedSequence(byte[]? secret) => _secret = secret;

    /// <summary>No secret: a protocol that does not generate its sequence needs none.</summary>
    public static ConcealedSequence None { get; } = new(null);

    /// <summary>Whether there is a secret to generate the sequence from.</summary>
    public bool IsSet => _secret is not null;

    /// <summary>The protocol's allocation sequence as generated from the secret.</summary>
    public AllocationSequence Of(ProtocolDefinition protocol) =>
        AllocationSequence.For(protocol, _secret ?? throw new InvalidOperationException("No randomisation secret is configured."));
}
