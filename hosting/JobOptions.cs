namespace Trial.Hosting;

public sealed class JobOptions
{
    /// <summary>Run a Hangfire server in this process (the API in embedded mode, the worker always).</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>
    /// SQL Server only: whether this host installs or upgrades Hangfire's tables at start (Hangfire's own default). The
    /// migrator does it as the owner; hosts connected as the application user set it to false (<c>Jobs__PrepareSchema</c>).
    /// </summary>
    public bool PrepareSchema { get; set; } = true;

    /// <summary>Cron of the stale-schedule sweep.</summary>
    public string SweepCron { get; set; } = "* * * * *";

    /// <summary>Cron of the sweep that evaluates safety rules a lost job did not.</summary>
    public string SafetySweepCron { get; set; } = "* * * * *";

    /// <summary>Cron of the SAE reporting-clock check (every minute: the clock is 24 hours).</summary>
    public string SaeClockCron { get; set; } = "* * * * *";

    /// <summary>Cron of missed-visit detection.</summary>
    public string MissedVisitsCron { get; set; } = "*/15 * * * *";

    /// <summary>Cron of the purge of stored Idempotency-Key responses.</summary>
    public string PurgeCron { get; set; } = "17 * * * *";

    /// <summary>How long a response is kept for retries with the same Idempotency-Key.</summary>
    public int IdempotencyRetentionHours { get; set; } = 24;

    /// <summary>
    /// A participant whose work fails in a recurring sweep is retried by a later run this many minutes after the failure,
    /// the delay doubling with every failure in a row (see <see cref="Sweeps.ParticipantSweeps"/>).
    /// </summary>
    public double SweepRetryFirstMinutes { get; set; } = 2;

    /// <summary>The longest delay between two attempts on a participant that keeps failing in a sweep.</summary>
    public double SweepRetryMaxMinutes { get; set; } = 60;

    /// <summary>
    /// Embedded mode (in-memory job storage) only: how long a finished job stays in memory, for the Hangfire dashboard.
    /// Every write enqueues a job or two, so what is kept grows with the write rate times this; with Hangfire.InMemory's own
    /// default (3 hours) the live heap grew with every write for hours (docs/decisions/0010-finished-jobs-kept-one-minute.md).
    /// What matters of a job is in the database: its alerts, its stored plan and the version markers the sweeps read.
    /// </summary>
    public double FinishedJobRetentionMinutes { get; set; } = 1;

    /// <summary>
    /// How long committed writes' derived work is gathered before it becomes jobs (see <see cref="HangfireDerivedWork"/>): the
    /// participants signalled within it share one job. Adds at most this to the time from a write to its alert. A longer
    /// window makes fewer, larger jobs, which cost less per assessment; the default keeps an alert well inside the second that
    /// monitors are promised (docs/decisions/0013-derived-work-gathered-for-50-ms.md).
    /// </summary>
    public double DerivedWorkWindowMilliseconds { get; set; } = 50;

    /// <summary>Jobs run at once in this process. Most of a job's time is spent waiting on the database, so several per core.</summary>
    public int WorkerCount { get; set; } = Math.Min(Environment.ProcessorCount * 5, 20);
}
