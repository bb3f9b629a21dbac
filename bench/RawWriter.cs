using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;

namespace Trial.Bench;

/// <summary>
/// The tight ceiling: the fastest correct raw write of the same rows with the same durability. Each writer has its own
/// connection (WAL, synchronous=FULL) and its own prepared commands, reused for every assessment (no SQL parsing, no
/// mapping, no parameter objects); one transaction per assessment with its assessment row, item rows and score rows.
/// What the disk and SQLite allow, with nothing of the application around it.
/// </summary>
public sealed class RawWriter : IAssessmentWriter
{
    private readonly TempFolder _folder;
    private readonly IReadOnlyList<AssessmentSlot> _slots;
    private readonly Guid[] _participants;
    private readonly string _protocolVersion;
    private readonly Connection[] _connections;

    private RawWriter(string name, TempFolder folder, IReadOnlyList<AssessmentSlot> slots, Guid[] participants, string protocolVersion, Connection[] connections)
    {
        (Name, _folder, _slots, _participants, _protocolVersion, _connections) = (name, folder, slots, participants, protocolVersion, connections);
    }

    public string Name { get; }

    /// <summary>One writer's connection and its prepared commands.</summary>
    private sealed class Connection : IDisposable
    {
        public required SqliteConnection Sqlite { get; init; }
        public required SqliteCommand Assessment { get; init; }
        public required SqliteCommand Item { get; init; }
        public required SqliteCommand Score { get; init; }

        public void Dispose()
        {
            Assessment.Dispose();
            Item.Dispose();
            Score.Dispose();
            Sqlite.Dispose();
        }
    }

    public static async Task<RawWriter> StartAsync(IReadOnlyList<AssessmentSlot> slots, int writers)
    {
        var folder = new TempFolder();
        var path = folder.File("raw.db");
        await using var db = Sqlite.Create(path);
        var protocol = ProtocolLoader.LoadDefault();
        var now = DateTime.UtcNow;
        var participants = await WriteBenchmark.LoadParticipantsAsync(db, protocol, now);
        var connections = Enumerable.Range(0, writers).Select(_ => Open(path)).ToArray();
        return new RawWriter($"Tight ceiling: raw, prepared commands, {writers} writer{(writers == 1 ? "" : "s")}", folder, slots, participants, protocol.Version, connections);
    }

    private static Connection Open(string path)
    {
        var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30, Pooling = false }.ToString());
        sqlite.Open();
        using (var pragma = sqlite.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
            pragma.ExecuteNonQuery();
        }
        var assessment = Prepare(sqlite,
            "INSERT INTO Assessment (Id, ParticipantId, VisitCode, Instrument, Timepoint, Unscheduled, AdministeredUtc, ReceivedUtc, Complete, SeverityBand, DefinitionVersion, ProtocolVersion, RowVersion, CreatedBy) " +
            "VALUES ($id, $participant, $visit, $instrument, $timepoint, 0, $administered, $received, $complete, $band, $definition, $protocol, 1, $by)",
            "$id", "$participant", "$visit", "$instrument", "$timepoint", "$administered", "$received", "$complete", "$band", "$definition", "$protocol", "$by");
        var item = Prepare(sqlite, "INSERT INTO AssessmentItem (AssessmentId, ItemNumber, Value) VALUES ($assessment, $number, $value)", "$assessment", "$number", "$value");
        var score = Prepare(sqlite, "INSERT INTO AssessmentScore (AssessmentId, Name, Value) VALUES ($assessment, $name, $value)", "$assessment", "$name", "$value");
        return new Connection { Sqlite = sqlite, Assessment = assessment, Item = item, Score = score };
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter(name, null));
        command.Prepare();
        return command;
    }

    public async Task<(TimeSpan Elapsed, double[] LatenciesMs)> WriteAsync(int from, int to)
    {
        var latencies = new double[to - from];
        var next = from - 1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(_connections.Select(connection => Task.Run(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                var start = Stopwatch.GetTimestamp();
                Insert(connection, _slots[i]);
                latencies[i - from] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        return (total.Elapsed, latencies);
    }

    private void Insert(Connection c, AssessmentSlot s)
    {
        var id = SequentialGuid.New(DateTime.UtcNow);
        var score = Scorer.Score(s.Instrument, s.Items);
        using var transaction = c.Sqlite.BeginTransaction();
        foreach (var command in new[] { c.Assessment, c.Item, c.Score }) command.Transaction = transaction;
        var p = c.Assessment.Parameters;
        p[0].Value = id;
        p[1].Value = _participants[s.Participant];
        p[2].Value = s.VisitCode;
        p[3].Value = s.Instrument.Code;
        p[4].Value = s.Timepoint ?? "";
        p[5].Value = s.AdministeredUtc;
        p[6].Value = DateTime.UtcNow;
        p[7].Value = score.Complete;
        p[8].Value = (object?)score.SeverityBand ?? DBNull.Value;
        p[9].Value = s.Instrument.Version;
        p[10].Value = _protocolVersion;
        p[11].Value = Guid.Empty;
        c.Assessment.ExecuteNonQuery();
        c.Item.Parameters[0].Value = id;
        for (var n = 0; n < s.Items.Length; n++)
        {
            c.Item.Parameters[1].Value = n + 1;
            c.Item.Parameters[2].Value = (object?)s.Items[n] ?? DBNull.Value;
            c.Item.ExecuteNonQuery();
        }
        c.Score.Parameters[0].Value = id;
        foreach (var (name, value) in score.Scores)
        {
            c.Score.Parameters[1].Value = name;
            c.Score.Parameters[2].Value = value;
            c.Score.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public ValueTask DisposeAsync()
    {
        foreach (var connection in _connections) connection.Dispose();
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
