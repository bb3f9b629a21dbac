using System.Linq.Expressions;
using Hangfire;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Enqueues background work after a write has committed. Enqueueing can fail (job storage
/// unreachable) after the data is safe; the write still succeeds, because the database marks
/// the work as pending and the recurring sweeps redo it.
/// </summary>
public sealed class JobQueue(IBackgroundJobClient jobs, ILogger<JobQueue> log)
{
    public void Enqueue<TJob>(Expression<Func<TJob, Task>> job)
    {
        try
        {
            jobs.Enqueue(job);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Could not enqueue {Job}; the recurring sweep will do the work.", job.Body);
        }
    }
}
