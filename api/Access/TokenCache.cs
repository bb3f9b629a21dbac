using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Trial.Application.Access;
using Trial.Db.Access;

namespace Trial.Api.Access;

/// <summary>
/// Resolved tokens, kept for a few seconds so that a burst of requests does not look each one up. A revocation through
/// this process empties the cache at once; one made through another process takes effect here within
/// <see cref="AccessOptions.TokenCacheSeconds"/>. Expiry is checked on every request, cached or not.
/// A lookup that read the token before a revocation and finishes after it must not put the token back: every
/// <see cref="Forget"/> starts a new generation, and an owner found in an older one is not kept.
/// </summary>
public sealed class TokenCache(IOptions<AccessOptions> options)
{
    private readonly ConcurrentDictionary<string, (TokenOwner Owner, long CachedAtMs)> _owners = new(StringComparer.Ordinal);
    private readonly Lock _generationLock = new();
    private long _generation;

    /// <summary>Taken before a lookup reads the database, and given back to <see cref="Add"/> with what it found.</summary>
    public long Generation
    {
        get { lock (_generationLock) return _generation; }
    }

    public bool TryGet(string tokenHash, DateTime nowUtc, [NotNullWhen(true)] out TokenOwner? owner)
    {
        owner = null;
        if (!_owners.TryGetValue(tokenHash, out var entry)) return false;
        if (Environment.TickCount64 - entry.CachedAtMs > options.Value.TokenCacheSeconds * 1000L || entry.Owner.ExpiresUtc <= nowUtc)
        {
            _owners.TryRemove(tokenHash, out _);
            return false;
        }
        owner = entry.Owner;
        return true;
    }

    /// <summary>Keeps the owner found by a lookup that began in <paramref name="lookupGeneration"/>, unless a revocation came since.</summary>
    public void Add(string tokenHash, TokenOwner owner, long lookupGeneration)
    {
        if (options.Value.TokenCacheSeconds <= 0) return;
        lock (_generationLock)
        {
            if (lookupGeneration != _generation) return;
            // A bound on memory: an attacker cannot make valid tokens, so this only trims a very busy study.
            if (_owners.Count > 10_000) _owners.Clear();
            _owners[tokenHash] = (owner, Environment.TickCount64);
        }
    }

    /// <summary>Drops every cached token and every lookup still under way: called after a revocation so it holds at once in this process.</summary>
    public void Forget()
    {
        lock (_generationLock)
        {
            _generation++;
            _owners.Clear();
        }
    }
}
