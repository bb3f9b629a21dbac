namespace Trial.Hosting;

/// <summary>A job over the participants gathered by <see cref="HangfireDerivedWork"/>.</summary>
public static class ParticipantBatch
{
    /// <summary>
    /// Runs <paramref name="work"/> for every participant, then throws for those whose work threw: one participant's failure
    /// does not hold up the others, and the job still fails so that Hangfire retries it (the work is idempotent, so the retry
    /// finds the others done).
    /// </summary>
    public static async Task RunAsync(Guid[] participantIds, string what, Func<Guid, Task> work)
    {
        List<Exception>? failures = null;
        foreach (var id in participantIds)
        {
            try
            {
                await work(id);
            }
            catch (Exception ex)
            {
                (failures ??= []).Add(new InvalidOperationException($"The {what} of participant {id} failed.", ex));
            }
        }
        if (failures is not null) throw new AggregateException(failures);
    }
}
