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
/// </summary>
public sealed class TokenCache(IOptions<AccessOptions> options)
{
    private readonly ConcurrentDictionary<string, (TokenOwner Owner, long CachedAtMs)> _owners = new(StringComparer.Ordinal);

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

    public void Add(string tokenHash, TokenOwner owner)
    {
        if (options.Value.TokenCacheSeconds <= 0) return;
        // A bound on memory: an attacker cannot make valid tokens, so this only trims a very busy study.
        if (_owners.Count > 10_000) _owners.Clear();
        _owners[tokenHash] = (owner, Environment.TickCount64);
    }

    /// <summary>Drops every cached token: called after a revocation so it holds at once in this process.</summary>
    public void Forget() => _owners.Clear();
}
