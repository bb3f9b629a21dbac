using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Trial.Hosting;

namespace Trial.Tests.Api.Sweeps;

/// <summary>
/// Reads the <see cref="WorkerMetrics.SweepFailuresName"/> counter and the <see cref="WorkerMetrics.SweepFailingName"/>
/// gauge of one host, as a metrics exporter would, through a <see cref="MeterListener"/>. Only the instruments of the
/// host's own meter factory are listened to, so another host in the same test run cannot add to the counts.
/// </summary>
internal sealed class SweepMetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _failures = new();
    private readonly ConcurrentDictionary<string, long> _failing = new();

    public SweepMetricsProbe(IMeterFactory hostMeters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WorkerMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, hostMeters)
                && instrument.Name is WorkerMetrics.SweepFailuresName or WorkerMetrics.SweepFailingName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _failures.AddOrUpdate(JobOf(tags), value, (_, sum) => sum + value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _failing[JobOf(tags)] = value);
        _listener.Start();
    }

    /// <summary>The failures counted so far for the job.</summary>
    public long Failures(string job) => _failures.GetValueOrDefault(job);

    /// <summary>The participants the gauge reports as waiting for their next attempt in the job, read now.</summary>
    public long Failing(string job)
    {
        _failing.Clear();
        _listener.RecordObservableInstruments();
        return _failing.GetValueOrDefault(job);
    }

    private static string JobOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
            if (tag.Key == WorkerMetrics.JobTag) return tag.Value as string ?? "";
        return "";
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>Keeps every log entry the host writes, so a test can read what an operator would.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) capture.Entries.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
        }
    }
}
