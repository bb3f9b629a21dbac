using NUnit.Framework;
using Trial.Application;
using Trial.Application.Coding;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Coding;

namespace Trial.Tests.Application.Coding;

/// <summary>Loading dictionaries: a two-level CSV or MedDRA's ASCII files, each load a version, audited; a malformed file refused whole.</summary>
public class LoadDictionaryTests
{
    private UseCaseDatabase _data = null!;
    private readonly LoadDictionary _load = new();

    [SetUp]
    public async Task CreateAsync() => _data = await UseCaseDatabase.CreateAsync();

    [TearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    private async Task<Outcome<LoadedDictionary>> LoadAsync(string name, string version, string type, byte[] content, Actor? actor = null)
    {
        var checkedLoad = _load.Check(actor ?? UseCaseDatabase.Admin, new DictionaryInput(name, version, type, content));
        if (checkedLoad.IsRefused) return checkedLoad.Refusal!;
        return await _data.WriteAsync(actor ?? UseCaseDatabase.Admin, w => _load.WriteAsync(w, checkedLoad.Value!));
    }

    private Task<IReadOnlyList<CodingTermRow>> TermsAsync(Guid dictionaryId) =>
        _data.Db.ReadAsync(async c => (IReadOnlyList<CodingTermRow>)[.. await c.QueryAsync<CodingTermRow>(
            "SELECT * FROM CodingTerm WHERE DictionaryId = @dictionaryId ORDER BY TermCode", new { dictionaryId })]);

    private Task<int> StoredTermsAsync() =>
        _data.Db.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM CodingTerm"));

    [Test]
    public async Task Csv_Loaded_VersionedCurrentAndAuditedWithoutItsTerms()
    {
        var first = (await LoadAsync("Test dictionary", "1.0", "text/csv", CodingFiles.TwoLevels())).Value!;
        var second = (await LoadAsync("Test dictionary", "2.0", "text/csv; charset=utf-8", CodingFiles.TwoLevels())).Value!;

        Assert.That((first.Number, first.Source, first.TermCount, first.LoadedUtc, first.LoadedBy), Is.EqualTo((1, "csv", 3, UseCaseDatabase.Now, UseCaseDatabase.Admin.UserId)));
        Assert.That(second.Number, Is.EqualTo(2));
        Assert.That((await _data.Db.ReadAsync(CodingQueries.CurrentDictionaryAsync))!.Id, Is.EqualTo(second.Id));
        var terms = await TermsAsync(first.Id);
        Assert.That(terms.Select(t => (t.TermCode, t.Term, t.PreferredTermCode, t.PreferredTerm, t.SocCode, t.Soc, t.IsCurrent)), Is.EqualTo(new[]
        {
            ("T001", "Test term A", "T001", "Test term A", "S01", "Test class one", true),
            ("T002", "Test term B", "T002", "Test term B", "S01", "Test class one", true),
            ("T003", "Test term C, with a comma", "T003", "Test term C, with a comma", "S02", "Test class two", true),
        }));
        var audit = await _data.AuditAsync(AuditEntities.CodingDictionary);
        Assert.That(audit.Select(a => (a.EntityId, a.Action)), Is.EqualTo(new[] { (first.Id.ToString(), AuditActions.Create), (second.Id.ToString(), AuditActions.Create) }));
        Assert.That(audit[0].NewValue, Is.EqualTo(
            $"{{\"id\":\"{first.Id}\",\"loadedUtc\":\"2026-03-10T12:00:00Z\",\"name\":\"Test dictionary\",\"number\":1,\"source\":\"csv\",\"termCount\":3,\"version\":\"1.0\"}}"));
    }

    [Test]
    public async Task Meddra_Loaded_LowestLevelTermsWithTheirPreferredTermAndItsPrimaryClass()
    {
        var loaded = (await LoadAsync("MedDRA", "99.0", "application/zip", CodingFiles.Meddra())).Value!;

        Assert.That((loaded.Source, loaded.TermCount), Is.EqualTo(("meddra", 3)));
        Assert.That((await TermsAsync(loaded.Id)).Select(t => (t.TermCode, t.Term, t.PreferredTermCode, t.PreferredTerm, t.SocCode, t.Soc, t.IsCurrent)), Is.EqualTo(new[]
        {
            ("90000001", "Test term A", "90000101", "Test preferred A", "90000901", "Test class one", true),
            ("90000002", "Test term B", "90000102", "Test preferred B", "90000902", "Test class two", true),
            ("90000003", "Test term old", "90000102", "Test preferred B", "90000902", "Test class two", false),
        }));
    }

    public static IEnumerable<TestCaseData> MalformedCsv() =>
    [
        new TestCaseData("code,term,socCode,soc\nT1,A,S1,One\n", "Line 1: the header must be termCode,term,socCode,soc; got code,term,socCode,soc.").SetName("Csv_WrongHeader"),
        new TestCaseData("termCode,term,socCode,soc\nT1,A,S1,One\nT2,B,S1\n", "Line 3: expected 4 columns (termCode,term,socCode,soc), got 3.").SetName("Csv_MissingColumn"),
        new TestCaseData("termCode,term,socCode,soc\nT1,A,,One\n", "Line 2, column socCode: empty.").SetName("Csv_EmptyCode"),
        new TestCaseData("termCode,term,socCode,soc\nT1,A,S1,One\nT1,B,S1,One\n", "Line 3, column termCode: the term code T1 appears more than once.").SetName("Csv_DuplicateCode"),
        new TestCaseData("termCode,term,socCode,soc\nT1,A,S1,One\nT2,B,S1,Uno\n",
            "Line 3, column soc: the system organ class S1 is named 'One' on an earlier line and 'Uno' here.").SetName("Csv_ClassNamedTwice"),
        new TestCaseData("termCode,term,socCode,soc\nT1,=HYPERLINK(1),S1,One\n", "Line 2, column term: a term must not start with '='.").SetName("Csv_Formula"),
        new TestCaseData("termCode,term,socCode,soc\nT 1,A,S1,One\n", "Line 2, column termCode: 'T 1' is not a code (letters, digits, '-', '.', '_').").SetName("Csv_BadCode"),
        new TestCaseData("termCode,term,socCode,soc\n", "The file has a header but no terms.").SetName("Csv_NoTerms"),
    ];

    [TestCaseSource(nameof(MalformedCsv))]
    public async Task Csv_Malformed_RefusedNamingLineAndColumn_NothingStored(string csv, string problem)
    {
        var refused = (await LoadAsync("Test dictionary", "1.0", "text/csv", CodingFiles.Csv(csv))).Refusal;

        Assert.That(refused, Is.InstanceOf<Invalid>());
        Assert.That(((Invalid)refused!).Errors["file"], Is.EqualTo(new[] { problem }));
        Assert.That(await _data.Db.ReadAsync(CodingQueries.ListDictionariesAsync), Is.Empty);
        Assert.That(await StoredTermsAsync(), Is.Zero);
        Assert.That(await _data.AuditAsync(AuditEntities.CodingDictionary), Is.Empty);
    }

    [Test]
    public async Task Csv_NotUtf8_Refused()
    {
        var refused = (Invalid)(await LoadAsync("Test dictionary", "1.0", "text/csv", [.. CodingFiles.Csv("termCode,term,socCode,soc\nT1,"), 0xFF, .. CodingFiles.Csv(",S1,One\n")])).Refusal!;

        Assert.That(refused.Errors["file"], Is.EqualTo(new[] { "The file is not UTF-8 text." }));
    }

    public static IEnumerable<TestCaseData> MalformedMeddra() =>
    [
        new TestCaseData("soc.asc", null, "The zip has no soc.asc (MedDRA's ASCII files llt.asc, pt.asc and soc.asc are needed).").SetName("Meddra_NoSocFile"),
        new TestCaseData("llt.asc", "90000001$Test term A$90000199$$$$$$$Y$$\n", "llt.asc line 1, field pt_code: no preferred term 90000199 in pt.asc.").SetName("Meddra_UnknownPreferredTerm"),
        new TestCaseData("pt.asc", "90000101$Test preferred A$$90000999$$$$$$$$\n", "pt.asc line 1, field pt_soc_code: no system organ class 90000999 in soc.asc.")
            .SetName("Meddra_UnknownClass"),
        new TestCaseData("llt.asc", "90000001$Test term A$90000101$$$$$$$Y$$\n90000002$Test term B$90000101\n",
            "llt.asc line 2: expected at least 10 $-separated fields (llt_code$llt_name$pt_code$…$llt_currency$…), got 3.").SetName("Meddra_ShortLine"),
        new TestCaseData("llt.asc", "90000001$Test term A$90000101$$$$$$$X$$\n", "llt.asc line 1, field llt_currency: Y or N expected, got 'X'.").SetName("Meddra_BadCurrency"),
    ];

    [TestCaseSource(nameof(MalformedMeddra))]
    public async Task Meddra_Malformed_RefusedNamingFileLineAndField_NothingStored(string file, string? text, string problem)
    {
        var refused = (Invalid)(await LoadAsync("MedDRA", "99.0", "application/zip", CodingFiles.MeddraWith(file, text))).Refusal!;

        Assert.That(refused.Errors["file"], Is.EqualTo(new[] { problem }));
        Assert.That(await StoredTermsAsync(), Is.Zero);
    }

    [Test]
    public async Task Meddra_NotAZip_Refused()
    {
        var refused = (Invalid)(await LoadAsync("MedDRA", "99.0", "application/zip", CodingFiles.Csv("not a zip"))).Refusal!;

        Assert.That(refused.Errors["file"][0], Does.StartWith("The body is not a readable zip"));
    }

    [Test]
    public async Task SameNameAndVersionTwice_Conflict_TheFirstKept()
    {
        await LoadAsync("Test dictionary", "1.0", "text/csv", CodingFiles.TwoLevels());

        var refused = (await LoadAsync("Test dictionary", "1.0", "text/csv", CodingFiles.TwoLevels())).Refusal;

        Assert.That(refused, Is.EqualTo(new Conflict("Test dictionary 1.0 was loaded on 2026-03-10 12:00Z; a version is loaded once.")));
        Assert.That(await StoredTermsAsync(), Is.EqualTo(3));
        Assert.That(await _data.AuditAsync(AuditEntities.CodingDictionary), Has.Count.EqualTo(1));
    }

    [Test]
    public void Check_NotAdminNoNameOrVersionOtherType_Refused()
    {
        var coder = UseCaseDatabase.Person(Roles.Coder, "WAW");

        Assert.That(_load.Check(coder, new DictionaryInput("D", "1", "text/csv", CodingFiles.TwoLevels())).Refusal,
            Is.EqualTo(new Forbidden("Only an admin loads a coding dictionary.")));
        var invalid = (Invalid)_load.Check(UseCaseDatabase.Admin, new DictionaryInput(" ", null, "application/json", [])).Refusal!;
        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "name", "version", "contentType", "file" }));
    }
}
