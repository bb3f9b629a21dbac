namespace Trial.Db.Infrastructure;

/// <summary>
/// What a write did to the data the safety rules read, which decides how much the evaluation after it must look at.
/// </summary>
public enum SafetyChange
{
    /// <summary>
    /// Anything that may change findings already made: a correction, a visit date, a discontinuation, a withdrawal, a
    /// missed visit. The participant is evaluated whole. The default, so a write that does not say is never under-evaluated.
    /// </summary>
    Changed,

    /// <summary>
    /// Only new assessments, vital signs or adverse events, nothing changed: the evaluation may look at the new records
    /// alone (it still evaluates the whole participant when it cannot show that is enough, e.g. an assessment entered late).
    /// </summary>
    Added,
}
