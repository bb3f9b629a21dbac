using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Trial.Api.Exports;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>Every extract is recorded through ExportRecording: who, which datasets, which filters, how many rows.</summary>
public class ExportRecordingTests
{
    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, IReadOnlyDictionary<string, object?> State)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(CapturedLogs logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Entries.Enqueue((category, logLevel,
                    state as IEnumerable<KeyValuePair<string, object?>> is { } pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : new Dictionary<string, object?>()));
        }
    }

    [Test]
    public async Task Extract_IsRecordedWithWhoWhatFiltersAndRowCounts()
    {
        var logs = new CapturedLogs();
        await using var host = TrialHost.Start(s => s.AddSingleton<ILoggerProvider>(logs));
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        await TrialHost.EnrolAsync(investigator, "WAW");
        var statistician = await host.UserAsync("statistician", "WAW");

        await CsvAsync(statistician, "participants", "?site=WAW&instrument=MADRS");
        await BundleAsync(statistician);

        var records = logs.Entries.Where(e => e.Category == typeof(ExportRecording).FullName).ToList();
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(records.Select(r => r.Level), Is.All.EqualTo(LogLevel.Information));
        var csv = records[0].State;
        Assert.That(csv["Kind"], Is.EqualTo("csv"));
        Assert.That(csv["Role"], Is.EqualTo("statistician"));
        Assert.That(csv["UserName"], Is.EqualTo("statistician of WAW"));
        Assert.That(csv["RowCounts"], Is.EqualTo("participants=1"));
        Assert.That((csv["Site"], csv["Sites"], csv["Instrument"], csv["IncludeFreeText"], csv["Completed"]), Is.EqualTo(("WAW", "WAW", "MADRS", false, true)));
        var bundle = records[1].State;
        Assert.That(bundle["Kind"], Is.EqualTo("bundle"));
        Assert.That((string)bundle["RowCounts"]!, Does.StartWith("participants=1, visits=12, assessments=0, items=0, efficacy=0, adverse-events=0, safety-alerts=0, dictionary="));
    }
}
