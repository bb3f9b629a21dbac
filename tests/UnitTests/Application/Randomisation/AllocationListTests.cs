using NUnit.Framework;
using Trial.Application;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Participants;

namespace Trial.Tests.Application.Randomisation;

/// <summary>
/// The allocation list: imported (for a protocol that randomises from one) and read back for audit with the participants who
/// took its places; the reads of allocations.
/// </summary>
public class AllocationListTests
{
    private static readonly Actor Statistician = UseCaseDatabase.Person(Roles.UnblindedStatistician, "WAW");

    private readonly TempFolder _folder = new();
    private UseCaseDatabase _data = null!;
    private ProtocolDefinition _listProtocol = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        var path = _folder.File("imported-list-protocol.json");
        if (!File.Exists(path)) await File.WriteAllTextAsync(path, ProtocolFiles.ImportedList());
        _listProtocol = ProtocolLoader.LoadFile(path);
    }

    [TearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    [OneTimeTearDown]
    public void RemoveFolder() => _folder.Dispose();

    private async Task<Outcome<ImportedAllocationList>> ImportAsync(ImportAllocationList imports, params AllocationListEntry?[] entries)
    {
        var checkedList = await imports.CheckAsync(Statistician, entries);
        if (checkedList.IsRefused) return checkedList.Refusal!;
        return await _data.Db.RunAsync(Statistician, UseCaseDatabase.Now, w => imports.WriteAsync(w, checkedList.Value!));
    }

    private async Task<RandomisedParticipant> RandomiseFromListAsync(ParticipantRow participant)
    {
        await _data.RecordBaselineAsync(participant, 30);
        var investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");
        var randomise = new Randomise(_data.Db, _listProtocol, ConcealedSequence.None);
        var checkedParticipant = await randomise.CheckAsync(investigator, participant.Code);
        return (await _data.Db.RunAsync(investigator, UseCaseDatabase.Now, w => randomise.WriteAsync(w, checkedParticipant.Value!))).Value!;
    }

    [Test]
    public async Task ImportThenRandomise_ArmsFromTheList_ReadBackWithWhoTookEachPlace_AndTheReadAudited()
    {
        var imports = new ImportAllocationList(_data.Db, _listProtocol);
        var imported = (await ImportAsync(imports,
            new("WAW/MADRS<35", 2, "KET"), new("WAW/MADRS<35", 1, "MDZ"), new("WAW/MADRS>=35", 1, "KET"))).Value!;
        var participant = await _data.EnrolAsync();
        var randomised = await RandomiseFromListAsync(participant);
        var sequence = (await new ReadAllocationSequence(_data.Db, _listProtocol, ConcealedSequence.None, TimeProvider.System)
            .ReadAsync(Statistician, " WAW/MADRS<35 ", 3)).Value!;

        Assert.That((imported.Entries, imported.Strata, imported.ImportedUtc), Is.EqualTo((3, imported.Strata, UseCaseDatabase.Now)));
        Assert.That(imported.Strata, Is.EqualTo(new[] { new ImportedStratumEntries("WAW/MADRS<35", 2), new ImportedStratumEntries("WAW/MADRS>=35", 1) }));
        Assert.That((randomised.Arm, randomised.SequenceNumber), Is.EqualTo(("MDZ", 1)));
        Assert.That((sequence.Stratum, sequence.Method), Is.EqualTo(("WAW/MADRS<35", "imported-list")));
        Assert.That(sequence.Places.Select(p => (p.SequenceNumber, p.BlockSize, p.Arm, p.TakenBy?.ParticipantCode)),
            Is.EqualTo(new[] { (1, (int?)null, "MDZ", (string?)participant.Code), (2, null, "KET", null) }));
        var audit = await _data.AuditAsync(AuditEntities.AllocationList);
        Assert.That(audit.Select(a => (a.EntityId, a.Action, a.SiteCode)), Is.EqualTo(new[] { ("list", AuditActions.Create, (string?)null), ("WAW/MADRS<35", AuditActions.ArmRead, "WAW") }));
        Assert.That(audit[0].NewValue, Is.EqualTo("{\"entries\":3,\"importedUtc\":\"2026-03-10T12:00:00Z\",\"strata\":{\"WAW/MADRS\\u003C35\":2,\"WAW/MADRS\\u003E=35\":1}}"));
        Assert.That(audit[1].NewValue, Does.StartWith("{\"method\":\"imported-list\",\"participants\":[\"WAW-0001\"],\"places\":2,\"read\":\"sequence\",\"readUtc\":\"").And.EndWith("\",\"stratum\":\"WAW/MADRS\\u003C35\"}"));
    }

    [Test]
    public async Task WriteAsync_AfterAnAllocation_ConflictTheListCanNoLongerBeReplaced()
    {
        var imports = new ImportAllocationList(_data.Db, _listProtocol);
        await ImportAsync(imports, new AllocationListEntry("WAW/MADRS<35", 1, "KET"));
        await RandomiseFromListAsync(await _data.EnrolAsync());

        var refused = await ImportAsync(imports, new AllocationListEntry("WAW/MADRS<35", 1, "MDZ"));

        Assert.That(refused.Refusal, Is.EqualTo(new Conflict("1 participant(s) were already randomised from the current list; it can no longer be replaced.")));
    }

    [Test]
    public async Task CheckAsync_GapInAStratumOrAnotherSitesStratum_Refused()
    {
        var imports = new ImportAllocationList(_data.Db, _listProtocol);

        var gap = (Invalid)(await imports.CheckAsync(Statistician, [new("WAW/MADRS<35", 1, "KET"), new("WAW/MADRS<35", 3, "MDZ")])).Refusal!;
        var otherSite = await imports.CheckAsync(Statistician, [new("KRK/MADRS<35", 1, "KET")]);
        var unknownArm = (Invalid)(await imports.CheckAsync(Statistician, [new("WAW/MADRS<35", 1, "PLACEBO")])).Refusal!;

        Assert.That(gap.Errors["entries"], Is.EqualTo(new[] { "The places of stratum WAW/MADRS<35 must run 1 to 2 once each, without gaps." }));
        Assert.That(otherSite.Refusal, Is.EqualTo(new Forbidden("Stratum KRK/MADRS<35 belongs to site KRK, which is not one of your sites.")));
        Assert.That(unknownArm.Errors["entries[0].arm"], Is.EqualTo(new[] { "Entry 1: arm must be one of KET, MDZ; got 'PLACEBO'." }));
    }

    [Test]
    public void CheckProtocol_GeneratedSequence_Conflict()
    {
        var refused = new ImportAllocationList(_data.Db, UseCaseDatabase.Blinded).CheckProtocol();

        Assert.That(refused!.Detail, Does.EndWith("does not randomise from an imported list (its method is permuted-blocks: the sequence is generated from the study's secret)."));
    }

    [Test]
    public async Task ReadAsync_GeneratedSequence_PlacesWithTheirBlocks_AndCountOutOfRangeInvalid()
    {
        var participant = await _data.EnrolAsync();
        var randomised = await _data.RandomiseAsync(participant);
        var sequences = new ReadAllocationSequence(_data.Db, UseCaseDatabase.Blinded, UseCaseDatabase.Sequence, TimeProvider.System);

        var read = (await sequences.ReadAsync(Statistician, "WAW/MADRS<35", 4)).Value!;
        var tooMany = (Invalid)(await sequences.ReadAsync(Statistician, "WAW/MADRS<35", 10_001)).Refusal!;

        var expected = UseCaseDatabase.Sequence.Of(UseCaseDatabase.Blinded).Of("WAW/MADRS<35").Take(4).ToList();
        Assert.That(read.Places.Select(p => (p.SequenceNumber, p.BlockIndex, p.BlockSize, p.PositionInBlock, p.Arm)),
            Is.EqualTo(expected.Select(s => (s.SequenceNumber, (int?)s.BlockIndex, (int?)s.BlockSize, (int?)s.PositionInBlock, s.Arm))));
        Assert.That(read.Places.Select(p => p.TakenBy?.ParticipantCode), Is.EqualTo(new[] { participant.Code, null, null, null }));
        Assert.That(read.Places[0].Arm, Is.EqualTo(randomised.Arm));
        Assert.That(tooMany.Errors["count"], Is.EqualTo(new[] { "count must be between 1 and 10000; got 10001." }));
    }

    [Test]
    public async Task ReadAllocations_RandomisedOrNot_AndTheAllocationWithTheLatestWeight()
    {
        var participant = await _data.EnrolAsync();
        var waiting = await _data.EnrolAsync();
        var randomised = await _data.RandomiseAsync(participant);
        await _data.RecordInfusionAsync(participant, "INF1", 58.5m);
        var reads = new ReadAllocations(_data.Db, UseCaseDatabase.Blinded, _data.Clock);
        var investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");

        var number = (await reads.RandomisationAsync(investigator, participant.Code)).Value!;
        var notYet = await reads.RandomisationAsync(investigator, waiting.Code);
        var allocation = (await reads.AllocationAsync(Statistician, participant.Code)).Value!;
        var listed = (await reads.ListAsync(Statistician, null)).Value!;
        var otherSite = await reads.ListAsync(Statistician, "KRK");

        Assert.That((number.RandomisationNumber, number.RandomisedUtc), Is.EqualTo((1, UseCaseDatabase.Now)));
        Assert.That(notYet.Refusal, Is.EqualTo(new NotFound($"{waiting.Code} has not been randomised.")));
        Assert.That((allocation.Arm, allocation.Stratum, allocation.SequenceNumber, allocation.LatestWeightKg), Is.EqualTo((randomised.Arm, "WAW/MADRS<35", 1, 58.5m)));
        Assert.That(listed.Items.Select(a => a.ParticipantCode), Is.EqualTo(new[] { participant.Code }));
        Assert.That(otherSite.Refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
    }
}
