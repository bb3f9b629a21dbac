using Trial.Core.Access;
using Trial.Core.Safety;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;

namespace Trial.Application.Safety;

/// <summary>The steps of a monitor's review of an alert.</summary>
public enum AlertReview
{
    /// <summary>An open alert seen; an optional comment.</summary>
    Acknowledge,

    /// <summary>An acknowledged alert dealt with; a comment saying what was done is required.</summary>
    Resolve,

    /// <summary>An alert that is not resolved flagged for attention; a reason is required.</summary>
    Escalate,
}

/// <summary>The monitors' review of safety alerts: open → acknowledged → resolved, escalation as a flag, every step recorded.</summary>
public sealed class ReviewSafetyAlert(Database db)
{
    /// <summary>The longest comment (or reason for escalating) accepted: the alert's history and the audit row hold it.</summary>
    public const int MaxCommentLength = 2000;

    /// <summary>A checked step, ready to be written: the alert as read, and the comment (the reason of an escalation).</summary>
    public sealed record Checked(SafetyAlertRow Alert, AlertReview Step, string? Comment);

    /// <summary>What can be decided before the write: the comment or reason, the alert and the actor's access to it.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, Guid id, AlertReview step, string? comment)
    {
        var text = comment?.Trim();
        if (step == AlertReview.Escalate)
        {
            if (string.IsNullOrEmpty(text)) return Invalid.Field("reason", "A reason is required to escalate an alert.");
            if (text.Length > MaxCommentLength) return Invalid.Field("reason", $"The reason must be at most {MaxCommentLength} characters.");
        }
        else
        {
            if (step == AlertReview.Resolve && string.IsNullOrEmpty(text))
                return Invalid.Field("comment", $"A comment is required to mark an alert {AlertStatuses.Resolved}: say what was done.");
            if (text?.Length > MaxCommentLength) return Invalid.Field("comment", $"The comment must be at most {MaxCommentLength} characters.");
        }
        var (alert, refusal) = await SafetyAlertAccess.FindAsync(db, id, actor);
        if (refusal is not null) return refusal;
        return new Checked(alert!, step, text);
    }

    /// <summary>The step, when the alert is still in a state that allows it; the alert as it then is.</summary>
    public Task<Outcome<SafetyAlertRow>> WriteAsync(WriteScope w, Checked input) => input.Step switch
    {
        AlertReview.Acknowledge => AlertLifecycle.ChangeStatusAsync(w, input.Alert, AlertStatuses.Open, AlertStatuses.Acknowledged, AlertLifecycle.Acknowledged, input.Comment),
        AlertReview.Resolve => AlertLifecycle.ChangeStatusAsync(w, input.Alert, AlertStatuses.Acknowledged, AlertStatuses.Resolved, AlertLifecycle.Resolved, input.Comment),
        _ => AlertLifecycle.EscalateAsync(w, input.Alert, input.Comment!),
    };
}
