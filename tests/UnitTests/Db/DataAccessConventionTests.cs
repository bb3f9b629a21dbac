using System.Data.Common;
using System.Reflection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Extracts;

namespace Trial.Tests.Db;

/// <summary>
/// Every query method takes its connection and transaction together, as one <see cref="DbSession"/>: a query given the
/// connection alone would run outside its caller's transaction, which only SQL Server (never run here) would refuse.
/// </summary>
[TestFixture]
public class DataAccessConventionTests
{
    /// <summary>Methods of <paramref name="types"/> that take a bare connection or transaction.</summary>
    private static List<string> BareConnections(IEnumerable<Type> types) =>
        [.. from type in types
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            where method.GetParameters().Any(p => typeof(DbConnection).IsAssignableFrom(p.ParameterType) || typeof(DbTransaction).IsAssignableFrom(p.ParameterType))
            select $"{type.FullName}.{method.Name}"];

    /// <summary>Public methods of the query classes among <paramref name="types"/> whose first parameter is not a <see cref="DbSession"/>.</summary>
    private static List<string> SessionNotFirst(IEnumerable<Type> types) =>
        [.. from type in types
            where type.Name.EndsWith("Queries", StringComparison.Ordinal)
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            where method.GetParameters() is not [{ ParameterType: var first }, ..] || first != typeof(DbSession)
            select $"{type.FullName}.{method.Name}"];

    /// <summary>Methods of <paramref name="types"/> that take a <see cref="DbSession"/>: those the convention is checked on.</summary>
    private static List<string> SessionMethods(IEnumerable<Type> types) =>
        [.. from type in types
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            where method.GetParameters().Any(p => p.ParameterType == typeof(DbSession))
            select $"{type.Name}.{method.Name}"];

    private static IEnumerable<Type> QueryTypes() =>
        typeof(Database).Assembly.GetTypes().Where(t => t.Namespace is { } ns && ns.StartsWith("Trial.Db.", StringComparison.Ordinal)
                                                        && ns != typeof(Database).Namespace);

    [Test]
    public void QueryMethods_OfTheDataLayer_TakeASessionNeverABareConnection()
    {
        var types = QueryTypes().ToList();

        Assert.That(types.Where(t => t.Name.EndsWith("Queries", StringComparison.Ordinal)).Count(), Is.GreaterThanOrEqualTo(12), "the query classes were found");
        // The methods are read as the check reads them: an empty list of bare connections means something only if the query
        // methods themselves were seen.
        Assert.That(SessionMethods(types), Has.Count.GreaterThanOrEqualTo(80).And.SupersetOf(new[]
        {
            "ParticipantQueries.FindByCodeAsync", "ScheduleQueries.MissedVisitCodesAsync", "SafetyQueries.UnevaluatedParticipantsAsync", "AuditQueries.LockHeadAsync",
        }), "the query methods were found");
        Assert.That(BareConnections(types), Is.Empty);
    }

    [Test]
    public void QueryMethods_OfTheDataLayer_TakeTheSessionFirst()
    {
        // First, so that every query reads the same way: the session, then what the query needs.
        var types = QueryTypes().ToList();
        Assert.That(types.Where(t => t.Name.EndsWith("Queries", StringComparison.Ordinal)).SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)).Count(),
            Is.GreaterThan(100), "the query methods were found");
        Assert.That(SessionNotFirst(types), Is.Empty);
    }

    [Test]
    public void Methods_OfTheUseCasesAndJobs_TakeASessionNeverABareConnection()
    {
        // The use cases and jobs read and write through Database and WriteScope; none handles a connection itself.
        var assemblies = new[] { typeof(Trial.Application.Writes).Assembly, typeof(Trial.Hosting.ApplicationServices).Assembly };
        Assert.That(assemblies.SelectMany(a => a.GetTypes()).Count(), Is.GreaterThan(100), "the types were found");
        Assert.That(BareConnections(assemblies.SelectMany(a => a.GetTypes())), Is.Empty);
    }

    [Test]
    public void QueryMethods_OfTheExtracts_TakeASessionNeverABareConnection()
    {
        // The extracts' queries live beside their datasets, outside the data layer; they read through the snapshot's session too.
        Assert.That(BareConnections(typeof(ExtractCatalog).Assembly.GetTypes()), Is.Empty);
    }

    [Test]
    public void BareConnections_AQueryTakingAConnectionAndAnOptionalTransaction_IsFound()
    {
        // The shape the convention replaced: it compiles, and a caller that forgets the transaction runs outside it.
        Assert.That(BareConnections([typeof(OldStyleQueries)]), Is.EqualTo(new[] { $"{typeof(OldStyleQueries).FullName}.FindAsync" }));
    }

    [Test]
    public void SessionNotFirst_AQueryTakingTheSessionAfterAnotherArgument_IsFound()
    {
        Assert.That(SessionNotFirst([typeof(OldStyleQueries)]), Is.EquivalentTo(new[] { $"{typeof(OldStyleQueries).FullName}.FindAsync", $"{typeof(OldStyleQueries).FullName}.SumAsync" }));
    }

    private static class OldStyleQueries
    {
        public static Task<int> FindAsync(DbConnection c, Guid id, DbTransaction? t = null) => Task.FromResult(id == Guid.Empty ? 0 : c.GetHashCode() + (t is null ? 0 : 1));

        public static Task<int> CountAsync(DbSession s) => Task.FromResult(s.Transaction is null ? 0 : 1);

        public static Task<int> SumAsync(Guid id, DbSession s) => Task.FromResult(id == Guid.Empty || s.Transaction is null ? 0 : 1);
    }
}
