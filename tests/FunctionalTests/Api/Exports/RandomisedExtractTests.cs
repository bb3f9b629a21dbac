using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Extracts;
using Trial.Extracts.Datasets;
using Trial.Extracts.Reading;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>
/// The extracts of a randomised, double-blind study, as the blinded (statistician, admin) and the unblinded statistician
/// read them: the blinded get the files they always had, with nothing anywhere that tells an arm; the unblinded get the
/// same files with the arm columns after each per-participant file's own, the randomisation list, and unblinded.zip.
/// </summary>
public class RandomisedExtractTests : RandomisedExportScenario
{
    private static readonly string[] ArmColumnNames = ["ARMCD", "ARM", "STRATUM", "RANDNO"];

    /// <summary>The datasets with one participant per row, and the column that names them.</summary>
    private static readonly (string Dataset, string Participant)[] PerParticipant =
    [
        ("participants", "participant_code"), ("visits", "participant_code"), ("assessments", "participant_code"), ("items", "USUBJID"),
        ("efficacy", "participant_code"), ("adverse-events", "USUBJID"), ("disposition", "USUBJID"), ("exposure", "USUBJID"), ("vital-signs", "USUBJID"),
        ("blinding-guesses", "participant_code"), ("concomitant-medications", "USUBJID"),
        ("safety-alerts", "participant_code"),
    ];

    /// <summary>What was in the syringe: the exposure's own columns for the unblinded only, before the arm columns.</summary>
    private static readonly Dictionary<string, string[]> UnblindedOwnColumns = new() { ["exposure"] = ["EXTRT", "EXDOSE", "EXDOSU", "EXDOSPKG"] };

    private static string[] UnblindedColumnsOf(string dataset) => [.. UnblindedOwnColumns.GetValueOrDefault(dataset, []), .. ArmColumnNames];

    private static readonly string[] UnblindedDatasets = [.. DatasetNames.SkipLast(1), "randomisation-list", "dictionary"];

    [Test]
    public async Task Participants_EmergencyUnblinding_MarkedForBlindedRolesToo()
    {
        foreach (var (role, client) in new[] { ("statistician", Statistician), ("admin", _host.Admin), ("unblinded-statistician", _unblinded) })
        {
            var csv = await CsvAsync(client, "participants");
            Assert.That(csv.Rows.Select(r => r["participant_code"]), Is.EquivalentTo(Everyone), role);
            foreach (var code in Everyone)
            {
                var row = csv.Single(("participant_code", code));
                var expected = code == EmergencyUnblinded ? ("TRUE", UnblindedUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : ("FALSE", "");
                Assert.That((row["emergency_unblinded"], row["emergency_unblinded_date"]), Is.EqualTo(expected), $"{role}: {code}");
            }
        }
    }

    [Test]
    public async Task Participants_Incremental_AParticipantUnblindedSinceIsPulledAgain()
    {
        var since = await CsvAsync(Statistician, "participants", $"?since={Instant(BeforeUnblindingUtc)}");
        Assert.That(since.Rows.Select(r => (r["participant_code"], r["emergency_unblinded"])), Is.EqualTo(new[] { (EmergencyUnblinded, "TRUE") }));
    }

    [Test]
    public async Task BlindedExtracts_NoFileNamesAnArmDrugOrDose()
    {
        var doses = await DoseFieldsAsync();
        foreach (var (role, client, query) in new[] { ("statistician", Statistician, ""), ("admin", _host.Admin, ""), ("admin", _host.Admin, "?includeFreeText=true") })
        {
            var (zip, _) = await BundleAsync(client, query);
            Assert.That(zip.Entries.Select(e => e.FullName), Is.EqualTo(DatasetNames.Select(n => n + ".csv").Append("manifest.json")), role + query);
            var files = zip.Entries.Select(e => (e.FullName, Bytes(zip, e.FullName))).ToList();
            foreach (var dataset in DatasetNames)
                files.Add(($"{dataset}.csv (alone)", await (await client.GetAsync($"/api/v1/exports/{dataset}.csv{query}")).Content.ReadAsByteArrayAsync()));

            foreach (var (name, bytes) in files)
            {
                Assert.That(Leaks(bytes, doses), Is.Empty, $"{role}{query}: {name}");
                if (name.EndsWith(".csv", StringComparison.Ordinal))
                    Assert.That(ParseBytes(bytes).Header.Intersect(ArmColumnNames), Is.Empty, $"{role}{query}: {name}");
            }
            var dictionary = Entry(zip, "dictionary.csv");
            Assert.That(dictionary.Rows.Select(r => r["dataset"]).Distinct(), Is.EqualTo(DatasetNames), "the randomisation list is not described to the blinded");
            Assert.That(dictionary.Rows.Where(r => r["unblinded_only"] != "FALSE"), Is.Empty);
        }
    }

    [Test]
    public async Task OdmDocument_NamesNoArmDrugOrDose_NotEvenTheUnblindedStatisticians()
    {
        var doses = await DoseFieldsAsync();
        foreach (var (role, client) in new[] { ("statistician", Statistician), ("admin", _host.Admin), ("unblinded-statistician", _unblinded) })
        {
            var response = await client.GetAsync("/api/v1/exports/odm.xml");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), role);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var document = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(bytes));

            Assert.That(Leaks(bytes, doses), Is.Empty, role);
            Assert.That(OdmStructure.Problems(document), Is.Empty, role);
            Assert.That(document.Descendants(OdmStructure.Odm + "SubjectData").Select(s => (string?)s.Attribute("SubjectKey")), Is.EquivalentTo(Everyone), role);
        }
    }

    [Test]
    public async Task Leaks_InWhatTheUnblindedRead_AreFound()
    {
        // The detector itself: the unblinded statistician's files and the pharmacy's preparation are full of what it looks for.
        var doses = await DoseFieldsAsync();
        var participants = await (await _unblinded.GetAsync("/api/v1/exports/participants.csv")).Content.ReadAsByteArrayAsync();
        var preparation = await (await _pharmacist.GetAsync($"/api/v1/participants/{Randomised[0]}/visits/INF1/preparation")).Content.ReadAsByteArrayAsync();

        Assert.That(Leaks(participants, doses), Has.Some.StartsWith("arm code").And.Some.StartsWith("'"));
        Assert.That(Leaks(preparation, doses), Has.Some.Contains("(a dose)"));
    }

    [Test]
    public async Task BlindedRoles_TheRandomisationListAndUnblindedZip_Are403Problems()
    {
        var pharmacist = _pharmacist;
        foreach (var (role, client) in new[] { ("statistician", Statistician), ("admin", _host.Admin), ("investigator", _investigator), ("monitor", _monitor), ("pharmacist", pharmacist) })
        {
            var problem = await (await client.GetAsync("/api/v1/exports/unblinded.zip")).ProblemAsync(HttpStatusCode.Forbidden);
            Assert.That(problem.ToJsonString(), Does.Not.Contain("KET").And.Not.Contain("MDZ"), role);
        }
        foreach (var client in new[] { Statistician, _host.Admin })
        {
            var problem = await (await client.GetAsync("/api/v1/exports/randomisation-list.csv")).ProblemAsync(HttpStatusCode.Forbidden);
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("unblinded statistician"));
        }
    }

    [Test]
    public async Task UnblindedStatistician_ParticipantsCsv_HasEachParticipantsArmAsThePharmacyReadsIt()
    {
        var csv = await CsvAsync(_unblinded, "participants");
        var blinded = await CsvAsync(Statistician, "participants");
        Assert.That(csv.Header, Is.EqualTo(blinded.Header.Concat(ArmColumnNames)));
        foreach (var code in Randomised)
        {
            var pharmacist = code.StartsWith("KRK", StringComparison.Ordinal) ? _krkPharmacist : _pharmacist;
            var allocation = await (await pharmacist.GetAsync($"/api/v1/participants/{code}/allocation")).JsonAsync(HttpStatusCode.OK);
            var row = csv.Single(("participant_code", code));
            Assert.That((row["ARMCD"], row["ARM"], row["STRATUM"], row["RANDNO"]), Is.EqualTo((
                allocation["arm"]!.GetValue<string>(), allocation["armName"]!.GetValue<string>(), allocation["stratum"]!.GetValue<string>(),
                allocation["randomisationNumber"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture))), code);
        }
        Assert.That(Randomised.Select(c => csv.Single(("participant_code", c))["ARMCD"]).Distinct().Order(), Is.EqualTo(new[] { "KET", "MDZ" }), "both arms");
        Assert.That(Randomised.Select(c => csv.Single(("participant_code", c))["STRATUM"]).Distinct().Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { "KRK/MADRS<35", "WAW/MADRS<35", "WAW/MADRS>=35" }));
        var notRandomised = csv.Single(("participant_code", NotRandomised));
        Assert.That(ArmColumnNames.Select(c => notRandomised[c]), Is.All.Empty, "not randomised: no arm yet");
    }

    [Test]
    public async Task UnblindedStatistician_EveryPerParticipantDataset_IsTheBlindedOnePlusTheUnblindedColumns()
    {
        var arms = (await CsvAsync(_unblinded, "participants")).Rows.ToDictionary(r => r["participant_code"], r => ArmColumnNames.Select(c => r[c]).ToList());
        foreach (var (dataset, participant) in PerParticipant)
        {
            var blinded = await CsvAsync(Statistician, dataset);
            var unblinded = await CsvAsync(_unblinded, dataset);
            Assert.That(unblinded.Header, Is.EqualTo(blinded.Header.Concat(UnblindedColumnsOf(dataset))), dataset);
            Assert.That(unblinded.Rows, Has.Count.EqualTo(blinded.Rows.Count).And.Count.GreaterThan(0), dataset);
            foreach (var (b, u) in blinded.Rows.Zip(unblinded.Rows))
            {
                Assert.That(blinded.Header.Select(h => u[h]), Is.EqualTo(blinded.Header.Select(h => b[h])), $"{dataset}: the blinded columns as they are");
                Assert.That(ArmColumnNames.Select(c => u[c]), Is.EqualTo(arms[u[participant]]), $"{dataset}: {u[participant]}");
            }
        }
    }

    [Test]
    public async Task Subjects_PopulationsAsEntered_TheUnblindedAddTheArmAndTheArmOfThePreparationsInfused()
    {
        int[] baselineMadrs = [30, 28, 32, 26, 40, 30, 24];
        var blinded = await CsvAsync(Statistician, "subjects");
        var unblinded = await CsvAsync(_unblinded, "subjects");
        var disposition = await CsvAsync(Statistician, "disposition");
        string[] actualArm = ["ACTARMCD", "ACTARM"];
        Assert.That(blinded.Header.Intersect(ArmColumnNames.Concat(actualArm)), Is.Empty);
        Assert.That(unblinded.Header, Is.EqualTo(blinded.Header.Concat(ArmColumnNames).Concat(actualArm)));
        Assert.That(blinded.Rows.Select(r => r["USUBJID"]), Is.EquivalentTo(Everyone));
        foreach (var (code, madrs) in Randomised.Zip(baselineMadrs))
        {
            var allocation = await AllocationAsync(code);
            var row = blinded.Single(("USUBJID", code));
            Assert.That((row["RANDFL"], row["ITTFL"], row["SAFFL"], row["NUMINF"], row["STRAT1R"], row["MADRSBLR"], row["TRTSDT"], row["UNBLNDFL"]),
                Is.EqualTo(("Y", "Y", "Y", "1", allocation["stratum"]!.GetValue<string>(), madrs.ToString(CultureInfo.InvariantCulture), "2026-03-02",
                    code == EmergencyUnblinded ? "Y" : "N")), code);
            Assert.That(DateTimeOffset.Parse(row["RFSTDTC"], CultureInfo.InvariantCulture), Is.EqualTo(new DateTimeOffset(Inf1Start)), code);
            Assert.That(row["RANDDT"], Is.EqualTo(disposition.Single(("USUBJID", code), ("DSDECOD", "RANDOMIZED"))["DSSTDTC"]), code);
            Assert.That((row["EOTSTT"], row["EOSSTT"], row["PPROTFL"], row["PPROTRSN"]), Is.EqualTo(("ONGOING", "ONGOING", "N", "all-infusions-in-window")),
                "infusions still to come");
            var arm = allocation["arm"]!.GetValue<string>();
            var u = unblinded.Single(("USUBJID", code));
            Assert.That((u["ARMCD"], u["ACTARMCD"], u["ACTARM"]), Is.EqualTo((arm, arm, allocation["armName"]!.GetValue<string>())),
                "the pharmacy prepares only the allocated arm, so the arm infused is the arm randomised");
            Assert.That(blinded.Header.Select(h => u[h]), Is.EqualTo(blinded.Header.Select(h => row[h])), "the blinded columns as they are");
        }
        var notRandomised = blinded.Single(("USUBJID", NotRandomised));
        Assert.That((notRandomised["RANDFL"], notRandomised["ITTFL"], notRandomised["SAFFL"], notRandomised["NUMINF"], notRandomised["STRAT1R"]),
            Is.EqualTo(("N", "N", "N", "0", "")));
        Assert.That(blinded.Where("ITTFL", "Y").Count(), Is.EqualTo((await CsvAsync(_unblinded, "randomisation-list")).Rows.Count), "ITT: every place taken");
    }

    [Test]
    public async Task Dictionary_ForEachAudience_ListsExactlyWhatItsFilesHold_ArmColumnsMarkedUnblindedOnly()
    {
        foreach (var (client, datasets) in new[] { (_unblinded, UnblindedDatasets), (Statistician, DatasetNames) })
        {
            var dictionary = await CsvAsync(client, "dictionary");
            Assert.That(dictionary.Rows.Select(r => r["dataset"]).Distinct(), Is.EqualTo(datasets));
            foreach (var dataset in datasets)
                Assert.That(dictionary.Where("dataset", dataset).Select(r => r["name"]), Is.EqualTo((await CsvAsync(client, dataset)).Header), dataset);
        }
        var unblinded = await CsvAsync(_unblinded, "dictionary");
        foreach (var (dataset, _) in PerParticipant)
        {
            var rows = unblinded.Where("dataset", dataset).ToList();
            Assert.That(rows.Where(r => r["unblinded_only"] == "TRUE").Select(r => r["name"]), Is.EqualTo(UnblindedColumnsOf(dataset)), dataset);
        }
        Assert.That(unblinded.Where("dataset", "randomisation-list").Select(r => r["unblinded_only"]), Is.All.EqualTo("TRUE"));
        Assert.That(unblinded.Where("dataset", "dictionary").Select(r => r["unblinded_only"]), Is.All.EqualTo("FALSE"));
    }

    [Test]
    public async Task UnblindedZip_EveryDatasetTheRandomisationListAndAManifest_RecordedInTheAuditTrail()
    {
        var (zip, response) = await ZipAsync(_unblinded, "unblinded.zip");
        Assert.That(response.Content.Headers.ContentDisposition?.FileName, Does.Contain("unblinded"));
        Assert.That(zip.Entries.Select(e => e.FullName), Is.EqualTo(UnblindedDatasets.Select(n => n + ".csv").Append("manifest.json")));
        var manifest = Manifest(zip);
        Assert.That(manifest["unblinded"]!.GetValue<bool>(), Is.True);
        Assert.That(manifest["generatedBy"]!["role"]!.GetValue<string>(), Is.EqualTo("unblinded-statistician"));
        foreach (var file in manifest["files"]!.AsArray())
        {
            var bytes = Bytes(zip, file!["name"]!.GetValue<string>());
            Assert.That(file["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
            Assert.That(file["rows"]!.GetValue<long>(), Is.EqualTo(ParseBytes(bytes).Rows.Count));
        }
        foreach (var (dataset, _) in PerParticipant)
            Assert.That(Entry(zip, dataset + ".csv").Header.TakeLast(ArmColumnNames.Length), Is.EqualTo(ArmColumnNames), dataset);
        var (blinded, _) = await BundleAsync(Statistician);
        Assert.That(Manifest(blinded)["unblinded"]!.GetValue<bool>(), Is.False);

        var records = (await (await _host.Admin.GetAsync("/api/v1/audit?entity=extract&limit=1000")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        // Reports pulled by other tests are recorded under the same entity, without a kind.
        var record = records.Last(r => r!["newValue"]?["kind"]?.GetValue<string>() == "unblinded-bundle")!;
        Assert.That(record["role"]!.GetValue<string>(), Is.EqualTo("unblinded-statistician"));
        Assert.That(record["newValue"]!["unblinded"]!.GetValue<bool>(), Is.True);
        Assert.That(record["newValue"]!["rows"]!["randomisation-list"]!.GetValue<long>(), Is.EqualTo(Randomised.Count));
        Assert.That(record["newValue"]!["completed"]!.GetValue<bool>(), Is.True);
        Assert.That(record.ToJsonString(), Does.Not.Contain("KET").And.Not.Contain("MDZ"), "the trail is read by the blinded");
        Assert.That(records.Where(r => r!["newValue"]?["kind"]?.GetValue<string>() == "bundle").Select(r => r!["newValue"]!["unblinded"]!.GetValue<bool>()),
            Has.Some.False);
    }

    [Test]
    public async Task UnblindedZip_RandomisationList_IsTheSequenceAsAllocatedSoFar_AsGetListGivesIt()
    {
        var (zip, _) = await ZipAsync(_unblinded, "unblinded.zip");
        var list = Entry(zip, "randomisation-list.csv");
        var participants = Entry(zip, "participants.csv");
        Assert.That(list.Rows.Select(r => r["participant_code"]), Is.EquivalentTo(Randomised), "every place up to the last taken, each taken");
        foreach (var stratum in list.Rows.GroupBy(r => r["STRATUM"]))
        {
            var rows = stratum.ToList();
            var sequence = await (await _unblinded.GetAsync($"/api/v1/randomisation/list?stratum={Uri.EscapeDataString(stratum.Key)}&count={rows.Count}"))
                .JsonAsync(HttpStatusCode.OK);
            var entries = sequence["entries"]!.AsArray();
            Assert.That(rows.Select(r => (r["sequence_number"], r["block_index"], r["block_size"], r["position_in_block"], r["ARMCD"], r["participant_code"])),
                Is.EqualTo(entries.Select(e => (Text(e!["sequenceNumber"]), Text(e["blockIndex"]), Text(e["blockSize"]), Text(e["positionInBlock"]),
                    Text(e["arm"]), Text(e["participantCode"])))), stratum.Key);
            Assert.That(rows.Select(r => r["method"]), Is.All.EqualTo(sequence["method"]!.GetValue<string>()));
            foreach (var row in rows)
            {
                var participant = participants.Single(("participant_code", row["participant_code"]));
                Assert.That((row["ARMCD"], row["ARM"], row["RANDNO"], row["STRATUM"]),
                    Is.EqualTo((participant["ARMCD"], participant["ARM"], participant["RANDNO"], participant["STRATUM"])), "the place's arm is the participant's");
            }
        }
        Assert.That(list.Rows.Select(r => r["STRATUM"]).Distinct(), Is.EqualTo(new[] { "KRK/MADRS<35", "WAW/MADRS<35", "WAW/MADRS>=35" }), "strata in order");

        var waw = await CsvAsync(_unblinded, "randomisation-list", "?site=WAW");
        Assert.That(waw.Rows.Select(r => r["site"]).Distinct(), Is.EqualTo(new[] { "WAW" }));
        Assert.That(waw.Rows, Has.Count.EqualTo(Randomised.Count(c => c.StartsWith("WAW", StringComparison.Ordinal))));
    }

    [Test]
    public async Task Efficacy_ByArm_FromTheUnblindedExtract_IsWhatTheDmcReportCounts()
    {
        var efficacy = await CsvAsync(_unblinded, "efficacy");
        // The documented rule (docs/extracts.md): the MADRS rows with an analysis visit, after the first dose, with a change from baseline.
        var fromExtract = efficacy.Rows
            .Where(r => r["paramcd"] == "MADRSTOT" && r["avisit"].Length > 0 && r["pre_treatment"] == "FALSE" && r["change_from_baseline"].Length > 0)
            .GroupBy(r => (Visit: r["visit_code"], Arm: r["ARMCD"]))
            .Select(g => (g.Key.Visit, g.Key.Arm, g.Count(), Math.Round(g.Average(r => decimal.Parse(r["change_from_baseline"], CultureInfo.InvariantCulture)), 2),
                g.Count(r => r["response"] == "TRUE"), g.Count(r => r["remission"] == "TRUE")))
            .Order().ToList();
        var report = await (await _unblinded.GetAsync("/api/v1/reports/dmc")).JsonAsync(HttpStatusCode.OK);
        var fromReport = report["efficacy"]!.AsArray()
            .Select(e => (e!["visitCode"]!.GetValue<string>(), e["arm"]!.GetValue<string>(), e["participants"]!.GetValue<int>(), e["meanChange"]!.GetValue<decimal>(),
                e["responders"]!.GetValue<int>(), e["remitters"]!.GetValue<int>()))
            .Order().ToList();

        Assert.That(fromExtract, Is.EqualTo(fromReport));
        Assert.That(fromReport.Select(e => e.Item1).Distinct(), Is.EquivalentTo(new[] { "POST24" }));
        Assert.That(efficacy.Rows.Where(r => r["visit_code"] == "INF1" && r["timepoint"] == "pre" && r["is_baseline"] == "FALSE"), Is.Not.Empty,
            "the extract has INF1 pre results, which the report leaves out as before any dose");
        Assert.That(efficacy.Rows.Where(r => r["pre_treatment"] == "TRUE").Select(r => r["response"] + r["remission"]), Is.All.Empty, "nothing to judge before a dose");
        Assert.That(fromReport.Sum(e => e.Item5), Is.GreaterThan(0), "somebody responded");

        // The unscheduled MADRS is listed, with its change, but with no analysis visit and no response: the report does not count it either.
        var unscheduled = efficacy.Single(("participant_code", Randomised[0]), ("visit_code", "INF1"), ("timepoint", "t240"));
        Assert.That((unscheduled["unscheduled"], unscheduled["avisit"], unscheduled["response"], unscheduled["remission"], unscheduled["change_from_baseline"].Length > 0),
            Is.EqualTo(("TRUE", "", "", "", true)));
    }

    [Test]
    public async Task Items_FastWriter_ForTheUnblinded_WritesByteForByteWhatTheColumnDefinitionsWrite()
    {
        var catalog = _host.Services.GetRequiredService<ExtractCatalog>();
        var items = (ItemsDataset)catalog.Find("items")!;
        foreach (var filter in new[] { new ExportFilter(null, null, null), new ExportFilter(["KRK"], null, null) })
        {
            await using var snapshot = await ExportSnapshot.BeginAsync(_host.Services.GetRequiredService<Database>(), _host.Clock);
            var context = new ExportContext(snapshot, filter, new ExtractAudience(IncludeFreeText: false, Unblinded: true), catalog.Protocol, catalog.Anchors);
            using var fast = new MemoryStream();
            using var reference = new MemoryStream();
            var fastRows = await items.WriteCsvAsync(context, fast, CancellationToken.None);
            var referenceRows = await items.WriteCsvCellByCellAsync(context, reference, CancellationToken.None);
            Assert.That(fastRows, Is.EqualTo(referenceRows).And.GreaterThan(0));
            var text = Encoding.UTF8.GetString(fast.ToArray());
            Assert.That(text, Is.EqualTo(Encoding.UTF8.GetString(reference.ToArray())));
            Assert.That(ParseBytes(fast.ToArray()).Rows.Where(r => r["ARMCD"].Length == 0).Select(r => r["USUBJID"]).Distinct(),
                Is.EqualTo(filter.Sites is null ? new[] { NotRandomised } : []), "the arm on every row but those of the one not randomised");
        }
    }

    /// <summary>The doses a file must never hold as a value: each arm's dose per kg and every total dose the pharmacy prepared.</summary>
    private async Task<IReadOnlySet<string>> DoseFieldsAsync()
    {
        var doses = _host.Protocol.Design.Arms.Select(a => a.DoseMgPerKg).ToHashSet();
        foreach (var code in Randomised)
        {
            var pharmacist = code.StartsWith("KRK", StringComparison.Ordinal) ? _krkPharmacist : _pharmacist;
            var preparation = await (await pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation")).JsonAsync(HttpStatusCode.OK);
            doses.Add(preparation["totalDoseMg"]!.GetValue<decimal>());
            doses.Add(preparation["doseMgPerKg"]!.GetValue<decimal>());
        }
        return doses.Select(d => ExtractText.Number(d)!).ToHashSet();
    }

    /// <summary>
    /// What in a file's bytes would tell an arm: an arm's code (the study's identifier, KET-TRD-BPD, names the study, not an arm, and is
    /// left out first), its name or drug in any case, a dose unit, or a field (or JSON value) that is a dose.
    /// </summary>
    private List<string> Leaks(byte[] bytes, IReadOnlySet<string> doses)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var leaks = new List<string>();
        var withoutStudyId = text.Replace(_host.Protocol.ProtocolId, "", StringComparison.Ordinal);
        foreach (var arm in _host.Protocol.Design.Arms)
        {
            if (withoutStudyId.Contains(arm.Code, StringComparison.Ordinal)) leaks.Add($"arm code {arm.Code}");
            foreach (var word in new[] { arm.Name, arm.Drug })
                if (text.Contains(word, StringComparison.OrdinalIgnoreCase)) leaks.Add($"'{word}'");
        }
        if (text.Contains("mg/kg", StringComparison.OrdinalIgnoreCase)) leaks.Add("a dose per kg");
        var values = text.Split([',', '\r', '\n', ':', ' ', '"', '[', ']', '{', '}'], StringSplitOptions.RemoveEmptyEntries);
        leaks.AddRange(values.Where(doses.Contains).Distinct().Select(v => $"the value {v} (a dose)"));
        return leaks;
    }

    private static string Text(JsonNode? node) => node is null ? "" : node.ToString();
}
