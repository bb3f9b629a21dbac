using Hangfire;
using Trial.Application.Audit;
using Trial.Db.Audit;

namespace Trial.Hosting.Audit;

/// <summary>The recurring anchor of the audit chain's end outside the database (see <see cref="WriteAuditAnchor"/>).</summary>
public sealed class AuditJobs(WriteAuditAnchor anchors)
{
    public const string AnchorJobId = "audit:anchor-chain-head";

    /// <summary>Writes the chain's current end to the anchor sink, unless that end is already the last anchored.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task<AuditAnchor?> WriteAnchorAsync() => anchors.WriteAsync();
}
