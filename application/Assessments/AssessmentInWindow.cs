using Trial.Db.Assessments;

namespace Trial.Application.Assessments;

/// <summary>A stored assessment, and whether it was administered outside its visit's window (a deviation, kept and flagged).</summary>
public sealed record AssessmentInWindow(StoredAssessment Stored, bool OutOfWindow);
