using NUnit.Framework;
using Trial.Application;
using Trial.Application.AdverseEvents;
using Trial.Application.Coding;
using Trial.Core.Access;
using Trial.Db.AdverseEvents;
using Trial.Db.Audit;

namespace Trial.Tests.Application.Coding;

/// <summary>Coding adverse events to the current dictionary: audited (first coding too), If-Match, a reason to recode, refusals that change nothing; the list of events to code.</summary>
public class CodeAdverseEventTests
{
    private static readonly DateTime Now = UseCaseDatabase.Now;
    private static readonly Actor Investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");
    private static readonly Actor Coder = UseCaseDatabase.Person(Roles.Coder, "WAW");

    private UseCaseDatabase _data = null!;
    private CodeAdverseEvent _code = null!;
    private ReadCoding _read = null!;
    private RecordAdverseEvent _record = null!;
    private UpdateAdverseEvent _update = null!;
    private readonly LoadDictionary _load = new();

    [SetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        _code = new CodeAdverseEvent(_data.Db);
        _read = new ReadCoding(_data.Db);
        _record = new RecordAdverseEvent(_data.Db, UseCaseDatabase.Blinded);
        _update = new UpdateAdverseEvent(_data.Db, UseCaseDatabase.Blinded);
    }

    [TearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    private static AdverseEventInput Event(string term, string? reason = null) => new(
        term, null, UseCaseDatabase.Today, null, "mild", false, [], "possible", true, "none", "recovering", UseCaseDatabase.Today, null, null, reason);

    private async Task<AdverseEventDetails> RecordAsync(string term, string site = "WAW")
    {
        var participant = await _data.EnrolAsync(site);
        var investigator = UseCaseDatabase.Person(Roles.Investigator, site);
        var checkedEvent = await _record.CheckAsync(investigator, participant.Code, Event(term), Now);
        return (await _data.Db.RunAsync(investigator, Now, w => _record.WriteAsync(w, checkedEvent.Value!))).Value!;
    }

    private async Task<LoadedDictionary> LoadAsync(string version, byte[] content, string type = "text/csv")
    {
        var checkedLoad = _load.Check(UseCaseDatabase.Admin, new DictionaryInput("Test dictionary", version, type, content));
        return (await _data.WriteAsync(UseCaseDatabase.Admin, w => _load.WriteAsync(w, checkedLoad.Value!))).Value!;
    }

    private async Task<Outcome<AdverseEventCoding>> CodeAsync(Guid id, string? ifMatch, string? termCode, string? reason = null, Actor? actor = null)
    {
        var checkedCoding = await _code.CheckAsync(actor ?? Coder, id, ifMatch, new CodingInput(termCode, reason));
        if (checkedCoding.IsRefused) return checkedCoding.Refusal!;
        return await _data.WriteAsync(actor ?? Coder, w => _code.WriteAsync(w, checkedCoding.Value!));
    }

    private Task<AdverseEventRow?> StoredAsync(Guid id) => _data.Db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));

    private async Task<IReadOnlyList<AuditEventRow>> CodingAuditAsync(Guid id) =>
        [.. (await _data.AuditAsync(AuditEntities.AdverseEvent)).Where(a => a.EntityId == id.ToString() && a.Action == AuditActions.Update)];

    [Test]
    public async Task FirstCoding_NoReasonNeeded_NewVersionAudited_OffTheList()
    {
        var dictionary = await LoadAsync("1.0", CodingFiles.TwoLevels());
        var ae = await RecordAsync("Felt dizzy after the infusion");
        Assert.That((await _read.UncodedAsync(Coder, null, null)).Value!.Items.Select(e => (e.AdverseEventId, e.VerbatimTerm, e.Version, e.PreviousTermCode)),
            Is.EqualTo(new[] { (ae.Id, "Felt dizzy after the infusion", 1, (string?)null) }));

        var coded = (await CodeAsync(ae.Id, "\"1\"", "T002")).Value!;

        Assert.That((coded.TermCode, coded.PreferredTerm, coded.Soc, coded.DictionaryId, coded.Version, coded.VerbatimTerm),
            Is.EqualTo(("T002", "Test term B", "Test class one", dictionary.Id, 2, "Felt dizzy after the infusion")));
        var stored = (await StoredAsync(ae.Id))!;
        Assert.That((stored.RowVersion, stored.Term, stored.UpdatedBy), Is.EqualTo((2, "Felt dizzy after the infusion", Coder.UserId)));
        var audit = (await CodingAuditAsync(ae.Id)).Single();
        Assert.That((audit.Role, audit.Reason, audit.ParticipantCode, audit.SiteCode), Is.EqualTo((Roles.Coder, (string?)null, ae.ParticipantCode, "WAW")));
        Assert.That(audit.OldValue, Is.EqualTo(
            $"{{\"codedVerbatim\":null,\"dictionary\":null,\"dictionaryVersion\":null,\"id\":\"{ae.Id}\",\"preferredTerm\":null,\"preferredTermCode\":null," +
            "\"soc\":null,\"socCode\":null,\"term\":null,\"termCode\":null,\"version\":1}"));
        Assert.That(audit.NewValue, Is.EqualTo(
            $"{{\"codedVerbatim\":\"Felt dizzy after the infusion\",\"dictionary\":\"Test dictionary\",\"dictionaryVersion\":\"1.0\",\"id\":\"{ae.Id}\"," +
            "\"preferredTerm\":\"Test term B\",\"preferredTermCode\":\"T002\",\"soc\":\"Test class one\",\"socCode\":\"S01\",\"term\":\"Test term B\",\"termCode\":\"T002\",\"version\":2}"));
        Assert.That((await _read.UncodedAsync(Coder, null, null)).Value!.Items, Is.Empty);
    }

    [Test]
    public async Task Recoding_NeedsAReason_ThenAuditedAsTheChange()
    {
        await LoadAsync("1.0", CodingFiles.TwoLevels());
        var ae = await RecordAsync("Headache");
        await CodeAsync(ae.Id, "\"1\"", "T001");

        var noReason = (Invalid)(await CodeAsync(ae.Id, "\"2\"", "T003")).Refusal!;
        var same = await CodeAsync(ae.Id, "\"2\"", "T001", "Again.");
        var recoded = (await CodeAsync(ae.Id, "\"2\"", "T003", "Closer to the verbatim term.")).Value!;

        Assert.That(noReason.Errors["reason"], Is.EqualTo(new[] { "A reason for recoding is required." }));
        Assert.That(same.Refusal, Is.EqualTo(new Conflict("The adverse event is already coded to 'Test term A' (T001) in Test dictionary 1.0.")));
        Assert.That((recoded.TermCode, recoded.Version), Is.EqualTo(("T003", 3)));
        var audit = (await CodingAuditAsync(ae.Id)).Last();
        Assert.That(audit.Reason, Is.EqualTo("Closer to the verbatim term."));
        Assert.That(audit.OldValue, Is.EqualTo(
            $"{{\"id\":\"{ae.Id}\",\"preferredTerm\":\"Test term A\",\"preferredTermCode\":\"T001\",\"soc\":\"Test class one\",\"socCode\":\"S01\",\"term\":\"Test term A\",\"termCode\":\"T001\",\"version\":2}}"));
        Assert.That(audit.NewValue, Is.EqualTo(
            $"{{\"id\":\"{ae.Id}\",\"preferredTerm\":\"Test term C, with a comma\",\"preferredTermCode\":\"T003\",\"soc\":\"Test class two\",\"socCode\":\"S02\",\"term\":\"Test term C, with a comma\",\"termCode\":\"T003\",\"version\":3}}"));
    }

    [Test]
    public async Task Refusals_ChangeNothing()
    {
        await LoadAsync("1.0", CodingFiles.TwoLevels());
        var ae = await RecordAsync("Nausea");
        var krkCoder = UseCaseDatabase.Person(Roles.Coder, "KRK");
        var missing = Guid.NewGuid();

        Assert.That((await CodeAsync(ae.Id, null, "T001")).Refusal, Is.InstanceOf<VersionRequired>());
        Assert.That((await CodeAsync(ae.Id, "\"7\"", "T001")).Refusal, Is.EqualTo(RecordVersions.Stale(1, "adverse event")));
        Assert.That(((Invalid)(await CodeAsync(ae.Id, "\"1\"", "T999")).Refusal!).Errors["dictionaryTermCode"],
            Is.EqualTo(new[] { "Test dictionary 1.0 has no term with code 'T999'." }));
        Assert.That(((Invalid)(await CodeAsync(ae.Id, "\"1\"", " ")).Refusal!).Errors.Keys, Is.EqualTo(new[] { "dictionaryTermCode" }));
        Assert.That((await CodeAsync(ae.Id, "\"1\"", "T001", actor: krkCoder)).Refusal, Is.InstanceOf<Forbidden>());
        Assert.That((await CodeAsync(ae.Id, "\"1\"", "T001", actor: Investigator)).Refusal, Is.EqualTo(new Forbidden("Only a coder or an admin codes adverse events.")));
        Assert.That((await CodeAsync(missing, "\"1\"", "T001")).Refusal, Is.EqualTo(new NotFound($"No adverse event with id {missing}.")));

        Assert.That((await StoredAsync(ae.Id))!.RowVersion, Is.EqualTo(1));
        Assert.That(await CodingAuditAsync(ae.Id), Is.Empty);
        Assert.That((await _read.UncodedAsync(Coder, null, null)).Value!.Items.Select(e => e.AdverseEventId), Is.EqualTo(new[] { ae.Id }));
    }

    [Test]
    public async Task StaleInsideTheWrite_RolledBack()
    {
        await LoadAsync("1.0", CodingFiles.TwoLevels());
        var ae = await RecordAsync("Nausea");
        var checkedCoding = (await _code.CheckAsync(Coder, ae.Id, "\"1\"", new CodingInput("T001", null))).Value!;
        // The site changes the event after the coder read it.
        var change = (await _update.CheckAsync(Investigator, ae.Id, "\"1\"", Event("Nausea", "Outcome known."), Now)).Value!;
        await _data.Db.RunAsync(Investigator, Now, w => _update.WriteAsync(w, change));

        var refused = (await _data.WriteAsync(Coder, w => _code.WriteAsync(w, checkedCoding))).Refusal;

        Assert.That(refused, Is.EqualTo(RecordVersions.Stale(2, "adverse event")));
        Assert.That(await CodingAuditAsync(ae.Id), Has.Count.EqualTo(1), "the site's update only");
        Assert.That((await StoredAsync(ae.Id))!.RowVersion, Is.EqualTo(2));
    }

    [Test]
    public async Task NoDictionaryLoaded_Conflict()
    {
        var ae = await RecordAsync("Nausea");

        Assert.That((await CodeAsync(ae.Id, "\"1\"", "T001")).Refusal,
            Is.EqualTo(new Conflict("No coding dictionary is loaded yet; an admin loads one first (POST /api/v1/coding/dictionaries).")));
    }

    [Test]
    public async Task Meddra_CodedToACurrentLowestLevelTerm_NotToANonCurrentOne()
    {
        await LoadAsync("1.0", CodingFiles.Meddra(), "application/zip");
        var ae = await RecordAsync("Light-headed");

        var old = (Invalid)(await CodeAsync(ae.Id, "\"1\"", "90000003")).Refusal!;
        var coded = (await CodeAsync(ae.Id, "\"1\"", "90000002")).Value!;

        Assert.That(old.Errors["dictionaryTermCode"], Is.EqualTo(new[] { "'Test term old' (90000003) is not current in Test dictionary 1.0; code to a current term." }));
        Assert.That((coded.Term, coded.PreferredTermCode, coded.PreferredTerm, coded.SocCode, coded.Soc),
            Is.EqualTo(("Test term B", "90000102", "Test preferred B", "90000902", "Test class two")));
    }

    [Test]
    public async Task VerbatimTermChangedAfterCoding_BackOnTheListWithItsPreviousCode()
    {
        await LoadAsync("1.0", CodingFiles.TwoLevels());
        var ae = await RecordAsync("Headache");
        await CodeAsync(ae.Id, "\"1\"", "T001");
        var change = (await _update.CheckAsync(Investigator, ae.Id, "\"2\"", Event("Migraine", "Diagnosed by neurologist."), Now)).Value!;
        await _data.Db.RunAsync(Investigator, Now, w => _update.WriteAsync(w, change));

        var listed = (await _read.UncodedAsync(Coder, "WAW", null)).Value!.Items.Single();
        var confirmed = await CodeAsync(ae.Id, "\"3\"", "T001", "The verbatim term changed; the code still fits.");

        Assert.That((listed.AdverseEventId, listed.VerbatimTerm, listed.Version, listed.PreviousTermCode), Is.EqualTo((ae.Id, "Migraine", 3, (string?)"T001")));
        Assert.That(confirmed.Value!.VerbatimTerm, Is.EqualTo("Migraine"));
        Assert.That((await _read.UncodedAsync(Coder, null, null)).Value!.Items, Is.Empty);
    }

    [Test]
    public async Task Uncoded_TheCodersSitesOnly_Bounded()
    {
        var waw = new[] { await RecordAsync("A"), await RecordAsync("B"), await RecordAsync("C") };
        await RecordAsync("D", "KRK");

        var page = (await _read.UncodedAsync(Coder, null, 2)).Value!;

        Assert.That(page.Items.Select(e => e.AdverseEventId), Is.EqualTo(waw.Take(2).Select(e => e.Id)));
        Assert.That(page.More, Is.True);
        Assert.That((await _read.UncodedAsync(Coder, null, null)).Value!.More, Is.False);
        Assert.That((await _read.UncodedAsync(UseCaseDatabase.Admin, null, null)).Value!.Items, Has.Count.EqualTo(4));
        Assert.That((await _read.UncodedAsync(Coder, "KRK", null)).Refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
        Assert.That(((Invalid)(await _read.UncodedAsync(Coder, null, 0)).Refusal!).Errors.Keys, Is.EqualTo(new[] { "limit" }));
        Assert.That((await _read.UncodedAsync(Investigator, null, null)).Refusal, Is.InstanceOf<Forbidden>());
    }
}
