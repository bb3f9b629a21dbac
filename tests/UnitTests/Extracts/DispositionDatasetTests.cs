using NUnit.Framework;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Participants;
using Trial.Extracts;
using Trial.Tests.Application;

namespace Trial.Tests.Extracts;

/// <summary>disposition.csv's derivations on a SQLite file, for the cases the HTTP scenario does not reach.</summary>
public class DispositionDatasetTests
{
    private static readonly DateOnly Today = UseCaseDatabase.Today;
    private UseCaseDatabase _database = null!;
    private PullExtract _pulls = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
        _pulls = new PullExtract(_database.Db, _database.Clock, new ExtractCatalog(ProtocolLoader.LoadDefault(), ConcealedSequence.None), new ExportRecording(_database.Db, _database.Clock));
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Test]
    public async Task Rows_EnrolledOnly_None_WithdrawnBeforeInfOne_EndOfStudyInScreening()
    {
        await _database.EnrolAsync();
        var withdrawn = await _database.EnrolAsync();
        await WithdrawAsync(withdrawn, Today, DispositionReasons.WithdrawalBySubject);

        Assert.That(await RowsAsync(), Is.EqualTo(new[]
        {
            $"{withdrawn.Code},1,WITHDRAWAL BY SUBJECT,WITHDRAWAL BY SUBJECT,DISPOSITION EVENT,STUDY PARTICIPATION,SCREENING,2026-03-10,",
        }));
    }

    [Test]
    public async Task Rows_DiscontinuedBeforeCodesWereKept_NotRecordedWithAnEmptyDecode()
    {
        var p = await _database.EnrolAsync();
        await _database.RecordVisitAsync(p, "INF1", Today.AddDays(-5));
        await _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => ParticipantQueries.DiscontinueInfusionsAsync(w.Session, p.Id, Today.AddDays(-2), null!, "Moved", 1,
            UseCaseDatabase.Now, UseCaseDatabase.Admin.UserId));

        Assert.That(await RowsAsync(), Is.EqualTo(new[]
        {
            $"{p.Code},1,FIRST INFUSION,FIRST INFUSION,PROTOCOL MILESTONE,,TREATMENT,2026-03-05,1",
            $"{p.Code},2,NOT RECORDED,,DISPOSITION EVENT,STUDY TREATMENT,TREATMENT,2026-03-08,4",
        }));
    }

    [Test]
    public async Task Rows_AllInfusionsThenWithdrawn_TreatmentCompletedAndTheWithdrawalInFollowUp()
    {
        var p = await _database.EnrolAsync();
        var inf1 = Today.AddDays(-20);
        foreach (var (visit, offset) in new[] { ("INF1", 0), ("INF2", 3), ("INF3", 7), ("INF4", 10) }) await _database.RecordVisitAsync(p, visit, inf1.AddDays(offset));
        await WithdrawAsync(p, Today, DispositionReasons.LostToFollowUp);

        Assert.That(await RowsAsync(), Is.EqualTo(new[]
        {
            $"{p.Code},1,FIRST INFUSION,FIRST INFUSION,PROTOCOL MILESTONE,,TREATMENT,2026-02-18,1",
            $"{p.Code},2,COMPLETED,COMPLETED,DISPOSITION EVENT,STUDY TREATMENT,TREATMENT,2026-02-28,11",
            $"{p.Code},3,LOST TO FOLLOW-UP,LOST TO FOLLOW-UP,DISPOSITION EVENT,STUDY PARTICIPATION,FOLLOW-UP,2026-03-10,21",
        }));
    }

    private Task WithdrawAsync(ParticipantRow p, DateOnly date, string code) =>
        _database.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => ParticipantQueries.WithdrawAsync(w.Session, p.Id, date, code, "words", UseCaseDatabase.Now, UseCaseDatabase.Admin.UserId));

    /// <summary>The blinded statistician's disposition.csv, each row from USUBJID on (the columns before it are constant).</summary>
    private async Task<IReadOnlyList<string>> RowsAsync()
    {
        var request = (await _pulls.CheckDatasetAsync(UseCaseDatabase.User(Roles.Statistician, "WAW"), "disposition", new Dictionary<string, string?[]>())).Value!;
        await using var pull = await _pulls.BeginAsync(request.Request, CancellationToken.None);
        using var output = new MemoryStream();
        await pull.WriteCsvAsync(request.Dataset, output, CancellationToken.None);
        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("STUDYID,DOMAIN,USUBJID,DSSEQ,DSTERM,DSDECOD,DSCAT,DSSCAT,EPOCH,DSSTDTC,DSSTDY"));
        return [.. lines.Skip(1).Select(l => string.Join(',', l.Split(',').Skip(2)))];
    }
}
