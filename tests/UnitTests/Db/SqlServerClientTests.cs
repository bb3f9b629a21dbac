using Microsoft.Data.SqlClient;
using NUnit.Framework;

namespace Trial.Tests.Db;

/// <summary>
/// SQL Server's client refuses to open any connection in .NET's globalization-invariant mode (it needs the ICU culture
/// data to map collations to encodings): with it on, the API and the workers could never reach SQL Server. No server runs
/// here, so the test opens a connection to a port nobody listens on: it must fail on the network, not on globalization.
/// </summary>
public class SqlServerClientTests
{
    [Test]
    public void OpeningAConnection_FailsOnTheNetwork_NotOnGlobalization()
    {
        using var connection = new SqlConnection("Server=tcp:127.0.0.1,1;Database=Trial;User Id=x;Password=y;Connect Timeout=1;Encrypt=False;ConnectRetryCount=0");

        var error = Assert.Catch(connection.Open);

        Assert.That(error, Is.InstanceOf<SqlException>(), error?.ToString());
    }
}
