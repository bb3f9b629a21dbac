using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Hosting;
using Trial.Hosting.Audit;

namespace Trial.Tests.Jobs;

/// <summary>The audit settings the API and the worker start with: the chain's key, and where anchors go.</summary>
public class AuditSettingsTests
{
    private const string SqlServerConnection = "Server=db;Database=Trial;User Id=trial;Password=x";
    private const string ConfiguredKey = "c3FsLXNlcnZlci1zdWl0ZS1hdWRpdC1jaGFpbi1rZXktMDEyMzQ1Njc4OQ==";

    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Test]
    public void Start_OnSqlServerWithoutAChainKey_IsRefusedNamingTheSetting()
    {
        // What both hosts call first (the API with isWorkerProcess false, the worker with true): no server is needed to refuse.
        foreach (var worker in new[] { false, true })
        {
            var settings = Settings(("Database:Provider", "SqlServer"), ("ConnectionStrings:Trial", SqlServerConnection));
            var refused = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTrial(settings, isWorkerProcess: worker));
            Assert.That(refused!.Message, Does.Contain("set Audit__ChainKey"));
        }
    }

    [Test]
    public void Start_OnSqlServerWithAChainKey_ResolvesThatKey()
    {
        var settings = Settings(("Database:Provider", "SqlServer"), ("ConnectionStrings:Trial", SqlServerConnection), ("Audit:ChainKey", ConfiguredKey));
        using var services = new ServiceCollection().AddLogging().AddTrial(settings, isWorkerProcess: true).BuildServiceProvider();

        var key = services.GetRequiredService<AuditKey>();

        Assert.That(key.MarkerFor(1), Is.EqualTo(AuditKey.FromBase64(ConfiguredKey)!.MarkerFor(1)));
    }

    [TestCase("not base64!")]
    [TestCase("c2hvcnQ=")] // "short": 5 bytes
    public void Options_AConfiguredKeyThatIsNotBase64Of32Bytes_AreRefused(string key)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => AuditOptions.From(Settings(("Audit:ChainKey", key)), new DatabaseOptions()));
        Assert.That(refused!.Message, Does.StartWith("Audit:ChainKey must be base64 of at least 32 bytes"));
    }

    [Test]
    public void Options_TheUrlSinkWithoutAnAddress_AreRefused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => AuditOptions.From(Settings(("Audit:AnchorSink", "url")), new DatabaseOptions()));
        Assert.That(refused!.Message, Does.Contain("Audit:AnchorUrl"));
        Assert.That(AuditOptions.From(Settings(("Audit:AnchorSink", "url"), ("Audit:AnchorUrl", "https://anchors.example.org/trial")), new DatabaseOptions()).AnchorSink,
            Is.EqualTo(AuditAnchorSinkKind.Url));
    }

    [Test]
    public void Options_ByDefault_AnchorToAFileInTheDataFolderEveryFiveMinutes()
    {
        var options = AuditOptions.From(Settings(), new DatabaseOptions { DataFolder = "/srv/trial" });

        Assert.That((options.AnchorSink, options.AnchorFile(new DatabaseOptions { DataFolder = "/srv/trial" }), options.AnchorCron),
            Is.EqualTo((AuditAnchorSinkKind.File, Path.Combine("/srv/trial", "audit-anchors.log"), "*/5 * * * *")));
    }

    [Test]
    public void Key_OnSqliteWithoutOne_IsMadeOnceOwnerOnlyInTheDataFolder_AndReadBackByTheNextProcess()
    {
        using var folder = new TempFolder();
        var data = new DatabaseOptions { DataFolder = folder.File("data") };

        var made = AuditKeys.Resolve(new AuditOptions(), data, NullLogger.Instance);
        var readBack = AuditKeys.Resolve(new AuditOptions(), data, NullLogger.Instance);

        var file = Path.Combine(data.DataFolder, AuditKeys.FileName);
        Assert.That(readBack.MarkerFor(1), Is.EqualTo(made.MarkerFor(1)), "the worker and a restarted API read the same key");
        Assert.That(AuditKey.FromBase64(File.ReadAllText(file))!.MarkerFor(1), Is.EqualTo(made.MarkerFor(1)));
        Assert.That(Directory.GetFiles(data.DataFolder).Select(Path.GetFileName), Is.EqualTo(new[] { AuditKeys.FileName }), "no temporary file left");
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void Key_MadeByStartsRacingEachOther_IsOneKey()
    {
        // Many rounds, each a fresh folder that eight starts race to make the key in: a race lost once in a while still shows.
        for (var round = 0; round < 25; round++)
        {
            using var folder = new TempFolder();
            var data = new DatabaseOptions { DataFolder = folder.File("data") };

            var keys = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
                .Select(_ => AuditKeys.Resolve(new AuditOptions(), data, NullLogger.Instance).MarkerFor(1)).ToList();

            Assert.That(keys.Distinct().Count(), Is.EqualTo(1), $"round {round}");
            Assert.That(AuditKey.FromBase64(File.ReadAllText(Path.Combine(data.DataFolder, AuditKeys.FileName)))!.MarkerFor(1), Is.EqualTo(keys[0]),
                "the key every start uses is the one in the file");
        }
    }
}
