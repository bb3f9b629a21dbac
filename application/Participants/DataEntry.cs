using Trial.Core.Participants;
using Trial.Core.Sites;
using Trial.Db.Participants;

namespace Trial.Application.Participants;

/// <summary>
/// Rules every entry of a participant's data follows, whatever its kind: after withdrawal, data can still be entered
/// (e.g. a safety follow-up) but only with a reason, and the audit trail flags it.
/// </summary>
public static class DataEntry
{
    public const string AfterWithdrawalFlag = "after-withdrawal";

    /// <summary>The longest reason accepted: every column a reason is written to (the record's own, the audit row's) holds it.</summary>
    public const int MaxReasonLength = 2000;

    /// <summary>A conflict when the participant is withdrawn and no reason was given; else null.</summary>
    public static Refusal? CheckWithdrawal(ParticipantRow participant, string? reason) =>
        participant.Status == ParticipantStatuses.Withdrawn && string.IsNullOrWhiteSpace(reason)
            ? new Conflict($"{participant.Code} was withdrawn from the study on {participant.WithdrawnDate:yyyy-MM-dd}; data entered after withdrawal needs a \"reason\" (e.g. safety follow-up), which the audit trail records.",
                new Dictionary<string, object?> { ["field"] = "reason" })
            : null;

    /// <summary>The audit flag of an entry for this participant.</summary>
    public static string? Flag(ParticipantRow participant) =>
        participant.Status == ParticipantStatuses.Withdrawn ? AfterWithdrawalFlag : null;

    public static string? Reason(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();

    /// <summary>Checks the length of an optional reason (and requires it when <paramref name="required"/>).</summary>
    public static string? CheckReason(FieldErrors errors, string? reason, bool required, string what = "A reason for the change")
    {
        var text = required ? errors.Required(reason?.Trim(), "reason", what) : Reason(reason);
        if (text?.Length > MaxReasonLength) errors.Add("reason", $"The reason must be at most {MaxReasonLength} characters.");
        return text;
    }

    /// <summary>
    /// Checks a coded reason for stopping infusions or leaving the study: required, and one of the CDISC NCOMPLT terms of
    /// <see cref="DispositionReasons"/> spelt exactly; the error names <c>reasonCode</c> and lists the allowed codes.
    /// </summary>
    public static string? CheckReasonCode(FieldErrors errors, string? reasonCode, string what)
    {
        var allowed = string.Join(", ", DispositionReasons.All.Select(c => $"\"{c}\""));
        if (string.IsNullOrWhiteSpace(reasonCode))
        {
            errors.Add("reasonCode", $"{what} is required: one of {allowed}.");
            return null;
        }
        if (!DispositionReasons.IsKnown(reasonCode))
        {
            errors.Add("reasonCode", $"\"{Truncated(reasonCode)}\" is not a reason code; use one of {allowed} (CDISC NCOMPLT terms, spelt exactly) and give the details in \"reason\".");
            return null;
        }
        return reasonCode;
    }

    private static string Truncated(string text) => text.Length <= 60 ? text : text[..60] + "…";

    /// <summary>Today in the participant's site's calendar.</summary>
    public static DateOnly Today(ParticipantRow participant, DateTime nowUtc) => SiteCalendar.Today(nowUtc, participant.TimeZone);
}
