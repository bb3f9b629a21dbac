namespace Trial.Core.Safety;

/// <summary>The review states of a safety alert: open → acknowledged → resolved (escalation is a flag beside them).</summary>
public static class AlertStatuses
{
    public const string Open = "open", Acknowledged = "acknowledged", Resolved = "resolved";
    public static readonly IReadOnlyList<string> All = [Open, Acknowledged, Resolved];
}
