using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Trial.Api.Randomisation;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The secret behind the allocation sequence: configured, or made once on the embedded default and kept where only the
/// owner can read it; never guessable, never changing between starts.
/// </summary>
public class RandomisationSecretTests
{
    private static readonly ProtocolDefinition Blinded = ProtocolLoader.LoadDefault();

    private static RandomisationSecret Resolve(string? configured, string folder, DatabaseProvider provider = DatabaseProvider.Sqlite, ProtocolDefinition? protocol = null) =>
        RandomisationSecret.Resolve(configured, protocol ?? Blinded, new DatabaseOptions { Provider = provider, DataFolder = folder }, NullLogger.Instance);

    private static IEnumerable<string> Arms(RandomisationSecret secret) => secret.Sequence(Blinded).Of("WAW/MADRS<35").Take(50).Select(s => s.Arm);

    [Test]
    public void Resolve_NothingConfigured_MakesAnOwnerOnlySecretOnceAndKeepsUsingIt()
    {
        using var folder = new TempFolder();
        var data = Path.Combine(folder.Path, "data");

        var first = Resolve(null, data);
        var again = Resolve(null, data);

        var file = Path.Combine(data, RandomisationSecret.FileName);
        Assert.That(File.Exists(file), Is.True);
        Assert.That(File.ReadAllText(file).Trim(), Has.Length.GreaterThanOrEqualTo(RandomisationSecret.MinimumCharacters));
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(Arms(again), Is.EqualTo(Arms(first)), "a restart allocates from the same sequence");
        using var other = new TempFolder();
        Assert.That(Arms(Resolve(null, other.Path)), Is.Not.EqualTo(Arms(first)), "each installation makes its own secret");
    }

    [Test]
    public void Resolve_Configured_UsesItAndWritesNoFile()
    {
        using var folder = new TempFolder();
        const string configured = "configured-secret-of-at-least-thirty-two-chars";

        var secret = Resolve(configured, folder.Path);

        Assert.That(File.Exists(Path.Combine(folder.Path, RandomisationSecret.FileName)), Is.False);
        Assert.That(Arms(secret), Is.EqualTo(AllocationSequence.For(Blinded, Encoding.UTF8.GetBytes(configured)).Of("WAW/MADRS<35").Take(50).Select(s => s.Arm)));
    }

    [Test]
    public void Resolve_TooShortOrMissingWhereProcessesMustShareIt_StopsTheStart()
    {
        using var folder = new TempFolder();

        Assert.That(() => Resolve("short", folder.Path), Throws.InvalidOperationException.With.Message.Contains("32"));
        Assert.That(() => Resolve(null, folder.Path, DatabaseProvider.SqlServer), Throws.InvalidOperationException.With.Message.Contains("Randomisation__Secret"));
    }

    [Test]
    public void Resolve_ProtocolThatDoesNotGenerateASequence_NeedsNoSecret()
    {
        using var folder = new TempFolder();

        var secret = Resolve(null, folder.Path, DatabaseProvider.SqlServer, ProtocolLoader.LoadBuiltIn(ProtocolLoader.OpenLabelName));

        Assert.That(secret.IsSet, Is.False);
        Assert.That(Directory.GetFiles(folder.Path), Is.Empty);
    }

    [Test]
    public async Task Start_OnTheEmbeddedDefault_KeepsTheSecretInTheDataFolder()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.Blinded));

        var file = Path.Combine(host.DataFolder, RandomisationSecret.FileName);
        Assert.That(File.Exists(file), Is.True);
        Assert.That((await host.Client().GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
