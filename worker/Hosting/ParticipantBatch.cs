namespace Trial.Worker.Hosting;

/// <summary>A job over the participants gathered by <see cref="HangfireDerivedWork"/>.</summary>
public static class ParticipantBatch
{
    /// <summary>
    /// Runs <paramref name="work"/> for every participant, then throws for those whose work threw: one participant's failure
    /// does not hold up the others, and the job still fails so that Hangfire retries it (the work is idempotent, so the retry
    /// finds the others done).
    /// <para>
    /// Each participant's work starts as soon as the previous one waits, rather than when it has finished: the work reads
    /// and evaluates, then waits for its write to be committed, and so the participants' writes reach the database writer
    /// together and share its transactions (<see cref="Trial.Db.Infrastructure.Database"/>) instead of one commit each.
    /// </para>
    /// </summary>
    public static async Task RunAsync(Guid[] participantIds, string what, Func<Guid, Task> work)
    {
        var started = participantIds.Select(id => (Id: id, Work: Start(work, id))).ToList();
        List<Exception>? failures = null;
        foreach (var (id, task) in started)
        {
            try
            {
                await task;
            }
            catch (Exception ex)
            {
                (failures ??= []).Add(new InvalidOperationException($"The {what} of participant {id} failed.", ex));
            }
        }
        if (failures is not null) throw new AggregateException(failures);
    }

    private static Task Start(Func<Guid, Task> work, Guid id)
    {
        try
        {
            return work(id);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }
}
