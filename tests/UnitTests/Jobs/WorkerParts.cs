using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Trial.Hosting;
using Trial.Hosting.Sweeps;

namespace Trial.Tests.Jobs;

/// <summary>The background jobs' parts for tests that run a job directly on a database rather than through a host.</summary>
internal static class WorkerParts
{
    /// <summary>The sweeps' guard as a host builds it, with the default options, metrics of its own and no log.</summary>
    public static ParticipantSweeps Sweeps(TimeProvider clock)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new ParticipantSweeps(new JobOptions(), clock, new WorkerMetrics(meters), NullLogger<ParticipantSweeps>.Instance);
    }
}
