using Microsoft.Extensions.Options;
using NUnit.Framework;
using Trial.Api.Access;
using Trial.Application.Access;
using Trial.Db.Access;

namespace Trial.Tests.Api;

/// <summary>
/// The cache of resolved tokens cannot undo a revocation: a lookup that read the token before the revocation and
/// finishes after it does not put it back (the race the generation closes, played in order here).
/// </summary>
public class TokenCacheTests
{
    private static readonly TokenOwner Owner = new(Guid.NewGuid(), Guid.NewGuid(), "Dr A", "investigator", ["WAW"], new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    private static readonly DateTime Now = new(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);

    private static TokenCache Cache() => new(Options.Create(new AccessOptions { TokenCacheSeconds = 60 }));

    [Test]
    public void LookupThatBeganBeforeARevocation_IsNotCached()
    {
        var cache = Cache();
        var lookupBegan = cache.Generation; // the lookup reads the database: the token is still valid
        cache.Forget();                      // the revocation commits and empties the cache
        cache.Add("hash", Owner, lookupBegan); // the lookup finishes
        Assert.That(cache.TryGet("hash", Now, out _), Is.False);
    }

    [Test]
    public void LookupSinceTheLastRevocation_IsCached_UntilTheNext()
    {
        var cache = Cache();
        cache.Forget();
        cache.Add("hash", Owner, cache.Generation);
        Assert.That(cache.TryGet("hash", Now, out var owner), Is.True);
        Assert.That(owner, Is.EqualTo(Owner));
        cache.Forget();
        Assert.That(cache.TryGet("hash", Now, out _), Is.False);
    }
}
