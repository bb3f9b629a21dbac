using System.Data;
using Dapper;
using Microsoft.Data.SqlClient;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

public class TypeHandlerTests
{
    [Test]
    public void Instants_AreBoundAsDateTime2_SoSqlServerKeepsEveryTick()
    {
        TypeHandlers.Register();
#pragma warning disable CS0618 // Dapper marks its lookup obsolete for direct use; it is the way to see how a type is bound.
        Assert.That(SqlMapper.LookupDbType(typeof(DateTime), "at", demand: false, out _), Is.EqualTo(DbType.DateTime2));
        Assert.That(SqlMapper.LookupDbType(typeof(DateTime?), "at", demand: false, out _), Is.EqualTo(DbType.DateTime2));
#pragma warning restore CS0618
        var parameter = new SqlParameter { DbType = DbType.DateTime2 };
        Assert.That(parameter.SqlDbType, Is.EqualTo(SqlDbType.DateTime2), "which SQL Server receives as datetime2");
    }
}
