using Trial.Application.Health;

namespace Trial.Hosting.Health;

/// <summary>Bound from the <c>Worker</c> section.</summary>
public sealed class WorkerHeartbeatOptions
{
    /// <summary>
    /// A file the worker touches while it is healthy (<c>Worker__HeartbeatFile</c>); empty: none. The worker serves no HTTP,
    /// so a container's health check looks at how old this file is (docker-compose.yml).
    /// </summary>
    public string HeartbeatFile { get; set; } = "";

    /// <summary>How often the database is checked and the file touched (<c>Worker__HeartbeatSeconds</c>).</summary>
    public int HeartbeatSeconds { get; set; } = 15;
}

/// <summary>
/// Touches <see cref="WorkerHeartbeatOptions.HeartbeatFile"/> every <see cref="WorkerHeartbeatOptions.HeartbeatSeconds"/> while the
/// database answers with every migration applied (<see cref="CheckReadiness"/>, the API's readiness check): a worker that hangs,
/// or can no longer reach its database, stops touching it and its container turns unhealthy.
/// </summary>
public sealed class WorkerHeartbeat(WorkerHeartbeatOptions options, CheckReadiness readiness, ILogger<WorkerHeartbeat> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.HeartbeatFile)) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.HeartbeatSeconds)));
        do
        {
            await BeatAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Touches the file when the database is ready; answers whether it did.</summary>
    public async Task<bool> BeatAsync()
    {
        var ready = await readiness.CheckAsync();
        if (!ready.Ready)
        {
            log.LogWarning("Worker not ready: {Detail}", ready.Detail);
            return false;
        }
        await File.WriteAllTextAsync(options.HeartbeatFile, DateTime.UtcNow.ToString("O"));
        return true;
    }
}
