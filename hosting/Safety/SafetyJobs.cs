using System.Diagnostics;
using Hangfire;
using Trial.Application.Safety;
using Trial.Hosting.Sweeps;

namespace Trial.Hosting.Safety;

/// <summary>
/// The safety evaluation's jobs: Hangfire's adapter over <see cref="EvaluateSafety"/>, which evaluates the protocol's safety
/// rules over a participant's data and brings the stored alerts in line. The jobs Hangfire stores name this class and its
/// methods, so they keep their names and parameters.
/// </summary>
public sealed class SafetyJobs(EvaluateSafety evaluation, TimeProvider clock, ParticipantSweeps sweeps, TrialMetrics? metrics = null)
{
    public const string SweepJobId = "safety:sweep-unevaluated";
    public const string SaeClockJobId = "safety:sae-clock";

    /// <inheritdoc cref="EvaluateSafety.MaxNewRecords"/>
    public const int MaxNewRecords = EvaluateSafety.MaxNewRecords;

    /// <inheritdoc cref="EvaluateSafety.MaxComparedAssessments"/>
    public const int MaxComparedAssessments = EvaluateSafety.MaxComparedAssessments;

    /// <summary>
    /// Evaluates the participant unless an earlier job already evaluated the data as it is now
    /// (several writes in quick succession enqueue several jobs; the first one sees them all):
    /// the new records alone when the writes only added records, else the whole participant.
    /// </summary>
    [AutomaticRetry(Attempts = 5)]
    public Task<SafetyEvaluation> EvaluateParticipantAsync(Guid participantId) => EvaluateAsync(participantId, EvaluationScope.AfterWrite);

    /// <summary>
    /// The job of the participants whose writes were gathered together (<see cref="Hosting.HangfireDerivedWork"/>): each evaluated
    /// as <see cref="EvaluateParticipantAsync"/> does. One participant's failure does not hold up the others: the rest are still
    /// evaluated, then the job fails so that Hangfire retries it, and the retry finds those already evaluated up to date.
    /// </summary>
    [AutomaticRetry(Attempts = 5)]
    public Task EvaluateParticipantsAsync(Guid[] participantIds) => ParticipantBatch.RunAsync(participantIds, "safety evaluation", EvaluateParticipantAsync);

    /// <summary>
    /// Evaluates every participant whose data changed since their last evaluation: the safety net for lost jobs. One
    /// participant whose evaluation throws is skipped and retried later (<see cref="ParticipantSweeps"/>).
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> SweepUnevaluatedAsync()
    {
        var pending = await evaluation.UnevaluatedParticipantsAsync();
        return await sweeps.RunAsync(SweepJobId, pending, id => EvaluateAsync(id, EvaluationScope.Sweep));
    }

    /// <summary>The SAE reporting clock runs out with time, not with a write: re-evaluate every participant with an unreported SAE.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> CheckSaeClocksAsync()
    {
        var pending = await evaluation.ParticipantsWithUnreportedSaesAsync();
        // Nothing was written, time passed: evaluate even when the data is unchanged.
        return await sweeps.RunAsync(SaeClockJobId, pending, id => EvaluateAsync(id, EvaluationScope.SaeClock));
    }

    private async Task<SafetyEvaluation> EvaluateAsync(Guid participantId, EvaluationScope scope)
    {
        var started = Stopwatch.GetTimestamp();
        var evaluated = await evaluation.EvaluateAsync(participantId, scope, clock.GetUtcNow().UtcDateTime);
        metrics?.SafetyEvaluated(scope, evaluated.Data, Stopwatch.GetElapsedTime(started));
        return SafetyEvaluation.Of(evaluated);
    }
}

public enum SafetyEvaluationKind
{
    /// <summary>The alerts were already evaluated over the data as it is (or the participant does not exist).</summary>
    UpToDate,

    /// <summary>The new records alone.</summary>
    NewRecords,

    /// <summary>The whole participant.</summary>
    WholeParticipant,
}

/// <summary>
/// What one evaluation did, kept by Hangfire as the job's result: how much it evaluated, how many records were new, why it
/// evaluated the whole participant, and whether it applied its findings (not when a write changed the data meanwhile).
/// </summary>
public sealed record SafetyEvaluation(SafetyEvaluationKind Kind, int NewRecords, string? WholeBecause, bool Applied)
{
    /// <summary>Stored assessments evaluated again with the new records, whose findings they may change (see <see cref="Core.Safety.IncrementalEvaluation.Reevaluated"/>).</summary>
    public int Neighbours { get; init; }

    public static readonly SafetyEvaluation UpToDate = new(SafetyEvaluationKind.UpToDate, 0, null, false);

    /// <summary>The use case's account of an evaluation, as the job's result.</summary>
    public static SafetyEvaluation Of(ParticipantEvaluation e) => e.Data switch
    {
        EvaluatedData.UpToDate => UpToDate,
        EvaluatedData.NewRecords => new(SafetyEvaluationKind.NewRecords, e.NewRecords, e.WholeBecause, e.Applied) { Neighbours = e.Neighbours },
        _ => new(SafetyEvaluationKind.WholeParticipant, e.NewRecords, e.WholeBecause, e.Applied) { Neighbours = e.Neighbours },
    };
}
