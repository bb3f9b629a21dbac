namespace Trial.Api.Infrastructure;

/// <summary>In-process locks by name, created on first use and dropped when nobody holds or waits for them.</summary>
public sealed class KeyedLocks
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string name, CancellationToken ct)
    {
        SemaphoreSlim gate;
        lock (_locks)
        {
            var entry = _locks.TryGetValue(name, out var found) ? found : (new SemaphoreSlim(1, 1), 0);
            _locks[name] = (entry.Item1, entry.Item2 + 1);
            gate = entry.Item1;
        }
        try
        {
            await gate.WaitAsync(ct);
        }
        catch
        {
            Leave(name);
            throw;
        }
        return new Holder(this, name, gate);
    }

    private void Leave(string name)
    {
        lock (_locks)
        {
            var (gate, users) = _locks[name];
            if (users == 1) _locks.Remove(name);
            else _locks[name] = (gate, users - 1);
        }
    }

    private sealed class Holder(KeyedLocks owner, string name, SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            gate.Release();
            owner.Leave(name);
        }
    }
}
