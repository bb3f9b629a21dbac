using System.Diagnostics.Metrics;

namespace Trial.Hosting;

/// <summary>
/// The background jobs' own metrics, on the meter <see cref="MeterName"/>: ASP.NET Core's metrics pipeline, OpenTelemetry
/// and <c>dotnet-counters monitor --counters Trial.Worker</c> read it like the runtime's meters. Created through the host's
/// <see cref="IMeterFactory"/>, so each host (and each test's host) has its own instruments.
/// </summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "Trial.Worker";
    public const string SweepFailuresName = "trial.worker.sweep.failures";
    public const string SweepFailingName = "trial.worker.sweep.failing";
    public const string SweepBacklogName = "trial.worker.sweep.backlog";

    /// <summary>The tag naming the recurring job (its stable id, e.g. <c>safety:sweep-unevaluated</c>).</summary>
    public const string JobTag = "job";

    private readonly Counter<long> _sweepFailures;

    public WorkerMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _sweepFailures = Meter.CreateCounter<long>(SweepFailuresName, unit: "{participant}",
            description: "Participants whose work threw during a recurring sweep, by job; each was skipped and will be retried later.");
    }

    public Meter Meter { get; }

    public void SweepFailed(string job) => _sweepFailures.Add(1, new KeyValuePair<string, object?>(JobTag, job));
}
