using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hangfire;
using Trial.Application.Safety;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;

namespace Trial.Hosting;

/// <summary>
/// The study's own metrics, on the meter <see cref="MeterName"/> (the background jobs' are on <see cref="WorkerMetrics"/>):
/// what was entered, how the safety evaluation keeps up, and how long a monitor waits for an alert. Exported with the
/// runtime's and ASP.NET Core's by OpenTelemetry (<see cref="Telemetry"/>). Created through the host's <see cref="IMeterFactory"/>,
/// so each host has its own instruments.
/// </summary>
public sealed class TrialMetrics : IRaisedAlerts
{
    public const string MeterName = "Trial";
    public const string AssessmentsWrittenName = "trial.assessments.written";
    public const string SafetyEvaluationsName = "trial.safety.evaluations";
    public const string SafetyEvaluationDurationName = "trial.safety.evaluation.duration";
    public const string AlertLatencyName = "trial.safety.alert.latency";
    public const string JobQueueLengthName = "trial.jobs.queue.length";

    private readonly Counter<long> _assessments;
    private readonly Counter<long> _evaluations;
    private readonly Histogram<double> _evaluationDuration;
    private readonly Histogram<double> _alertLatency;
    private readonly TimeProvider _clock;

    public TrialMetrics(IMeterFactory meters, TimeProvider clock, JobStorage jobs)
    {
        _clock = clock;
        Meter = meters.Create(MeterName);
        _assessments = Meter.CreateCounter<long>(AssessmentsWrittenName, unit: "{assessment}",
            description: "Rating-scale assessments stored, by instrument.");
        _evaluations = Meter.CreateCounter<long>(SafetyEvaluationsName, unit: "{evaluation}",
            description: "Safety evaluations of a participant, by what asked for it (scope) and what it evaluated (data).");
        _evaluationDuration = Meter.CreateHistogram<double>(SafetyEvaluationDurationName, unit: "s",
            description: "How long one participant's safety evaluation took, reading, evaluating and writing its findings.");
        _alertLatency = Meter.CreateHistogram<double>(AlertLatencyName, unit: "s",
            description: "From the record that raised an alert being stored to the alert being visible to monitors (the evaluation's commit).");
        // Read when the metrics are collected (a scrape), not on every job: on SQL Server one count per queue.
        Meter.CreateObservableGauge(JobQueueLengthName, () => QueueLengths(jobs), unit: "{job}",
            description: "Jobs waiting in each Hangfire queue (critical is taken first).");
    }

    public Meter Meter { get; }

    public void AssessmentWritten(string instrument) => _assessments.Add(1, new KeyValuePair<string, object?>("instrument", instrument));

    /// <summary>One evaluation: its scope (after-write, sweep, sae-clock), what it evaluated, and how long it took.</summary>
    public void SafetyEvaluated(EvaluationScope scope, EvaluatedData data, TimeSpan took)
    {
        var tags = new TagList { { "scope", ScopeName(scope) }, { "data", DataName(data) } };
        _evaluations.Add(1, tags);
        _evaluationDuration.Record(took.TotalSeconds, tags);
    }

    /// <summary>
    /// Alerts just committed: each one's wait since its source record was stored, read from the record's id (a
    /// <see cref="SequentialGuid"/> carries the instant it was made). Alerts whose source is not a record (a missed visit) have
    /// no such instant and are not counted.
    /// </summary>
    public void Visible(IReadOnlyList<SafetyAlertRow> raised)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        foreach (var alert in raised)
        {
            if (!Guid.TryParseExact(alert.SourceKey, "N", out var source)) continue;
            var latency = now - SequentialGuid.TimeOf(source);
            if (latency >= TimeSpan.Zero && latency < TimeSpan.FromDays(1))
                _alertLatency.Record(latency.TotalSeconds, new KeyValuePair<string, object?>("rule", alert.RuleCode));
        }
    }

    private static IEnumerable<Measurement<long>> QueueLengths(JobStorage jobs)
    {
        var monitoring = jobs.GetMonitoringApi();
        return TrialJobs.Queues.Select(q => new Measurement<long>(monitoring.EnqueuedCount(q), new KeyValuePair<string, object?>("queue", q))).ToList();
    }

    private static string ScopeName(EvaluationScope scope) => scope switch
    {
        EvaluationScope.AfterWrite => "after-write",
        EvaluationScope.Sweep => "sweep",
        EvaluationScope.SaeClock => "sae-clock",
        _ => scope.ToString(),
    };

    private static string DataName(EvaluatedData data) => data switch
    {
        EvaluatedData.UpToDate => "up-to-date",
        EvaluatedData.NewRecords => "new-records",
        EvaluatedData.WholeParticipant => "whole-participant",
        _ => data.ToString(),
    };
}
