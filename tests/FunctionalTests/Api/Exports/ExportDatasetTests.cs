using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Extracts;
using Trial.Extracts.Datasets;
using Trial.Extracts.Reading;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>Each dataset, parsed back with a CSV parser, holds what was entered through the API.</summary>
public class ExportDatasetTests : ExportScenario
{
    [Test]
    public async Task Participants_OneRowEach_WithoutFreeText()
    {
        var csv = await CsvAsync(Statistician, "participants");
        Assert.That(csv.Header, Is.EqualTo(new[]
        {
            "participant_code", "site", "sex", "birth_year", "enrolled_date", "status", "infusions_discontinued_date", "discontinuation_reason_code",
            "withdrawn_date", "withdrawal_reason_code", "protocol_version", "emergency_unblinded", "emergency_unblinded_date",
        }));
        Assert.That(csv.Rows.Select(r => r["participant_code"]), Is.EqualTo(new[] { "KRK-0001", "WAW-0001", "WAW-0002" }));
        var p2 = csv.Single(("participant_code", "WAW-0002"));
        Assert.That(p2["site"], Is.EqualTo("WAW"));
        Assert.That(p2["sex"], Is.EqualTo("female"));
        Assert.That(p2["birth_year"], Is.EqualTo("1990"));
        Assert.That(p2["enrolled_date"], Is.EqualTo("2026-02-16"));
        Assert.That(p2["status"], Is.EqualTo("enrolled"));
        Assert.That(p2["infusions_discontinued_date"], Is.EqualTo("2026-03-04"));
        Assert.That((p2["discontinuation_reason_code"], p2["withdrawal_reason_code"]), Is.EqualTo(("ADVERSE EVENT", "")));
        Assert.That(p2["protocol_version"], Is.EqualTo(Host.Protocol.Version));
        Assert.That((p2["emergency_unblinded"], p2["emergency_unblinded_date"]), Is.EqualTo(("FALSE", "")));
        Assert.That(csv.Single(("participant_code", "WAW-0001"))["infusions_discontinued_date"], Is.Empty);
        Assert.That(csv.Text, Does.Not.Contain("far"), "the discontinuation reason is free text");
    }

    [Test]
    public async Task Participants_AdminWithFreeText_CarriesTheReasonQuotedAsWritten()
    {
        var csv = await CsvAsync(Host.Admin, "participants", "?includeFreeText=true");
        Assert.That(csv.Header, Does.Contain("discontinuation_reason"));
        Assert.That(csv.Single(("participant_code", "WAW-0002"))["discontinuation_reason"], Is.EqualTo(DiscontinuationReason));
        Assert.That(csv.Text, Does.Contain("\"Moved away, \"\"far\"\"\""));
    }

    [Test]
    public async Task Visits_EveryParticipantsPlan_AsTheApiComputesIt()
    {
        var csv = await CsvAsync(Statistician, "visits");
        foreach (var code in new[] { "WAW-0001", "WAW-0002", "KRK-0001" })
        {
            var plan = (await (await Host.Admin.GetAsync($"/api/v1/participants/{code}/visits")).Content.ReadFromJsonAsync<JsonArray>())!;
            var rows = csv.Where("participant_code", code).ToList();
            Assert.That(rows.Select(r => r["visit_code"]), Is.EqualTo(plan.Select(v => v!["visitCode"]!.GetValue<string>())), code);
            foreach (var (row, visit) in rows.Zip(plan))
            {
                Assert.That(row["target_date"], Is.EqualTo(visit!["targetDate"]!.GetValue<string>()));
                Assert.That(row["window_start"], Is.EqualTo(visit["windowStart"]!.GetValue<string>()));
                Assert.That(row["window_end"], Is.EqualTo(visit["windowEnd"]!.GetValue<string>()));
                Assert.That(row["status"], Is.EqualTo(visit["status"]!.GetValue<string>()));
                Assert.That(row["actual_date"], Is.EqualTo(visit["actualDate"]?.GetValue<string>() ?? ""));
                Assert.That(row["in_window"], Is.EqualTo(visit["inWindow"]?.GetValue<bool>().ToString().ToUpperInvariant() ?? ""));
                Assert.That(row["provisional"], Is.EqualTo(visit["provisional"]!.GetValue<bool>().ToString().ToUpperInvariant()));
            }
        }
        var inf1 = csv.Single(("participant_code", "WAW-0001"), ("visit_code", "INF1"));
        Assert.That((inf1["visit_num"], inf1["study_day"], inf1["deviation_days"], inf1["days_from_target"]), Is.EqualTo(("3", "1", "0", "0")));
        var bl = csv.Single(("participant_code", "WAW-0001"), ("visit_code", "BL"));
        Assert.That((bl["status"], bl["study_day"]), Is.EqualTo(("done", "-1")));
        Assert.That(csv.Where("participant_code", "WAW-0002").Select(r => r["visit_code"]), Does.Not.Contain("INF2"), "discontinued: later infusions leave the plan");
    }

    [Test]
    public async Task Assessments_OneRowPerAssessment_WithEveryScoreAsEntered()
    {
        var csv = await CsvAsync(Statistician, "assessments");
        Assert.That(csv.Rows, Has.Count.EqualTo(11));
        foreach (var code in new[] { "WAW-0001", "WAW-0002", "KRK-0001" })
        {
            var entered = (await (await Host.Admin.GetAsync($"/api/v1/participants/{code}/assessments")).Content.ReadFromJsonAsync<JsonArray>())!;
            foreach (var a in entered)
            {
                var row = csv.Single(("assessment_id", a!["id"]!.GetValue<string>()));
                var instrument = a["instrument"]!.GetValue<string>();
                Assert.That(row["participant_code"], Is.EqualTo(code));
                Assert.That(row["instrument"], Is.EqualTo(instrument));
                Assert.That(row["visit_code"], Is.EqualTo(a["visitCode"]!.GetValue<string>()));
                Assert.That(row["timepoint"], Is.EqualTo(a["timepoint"]?.GetValue<string>() ?? ""));
                Assert.That(row["complete"], Is.EqualTo(a["complete"]!.GetValue<bool>() ? "TRUE" : "FALSE"));
                Assert.That(row["revision"], Is.EqualTo(a["version"]!.GetValue<int>().ToString()));
                Assert.That(row["missing_items"], Is.EqualTo(a["items"]!.AsArray().Count(i => i is null).ToString()));
                var scores = a["scores"]!.AsObject();
                var scoreColumns = csv.Header.Where(h => h.StartsWith(instrument + "_", StringComparison.Ordinal)).ToList();
                Assert.That(scoreColumns, Is.Not.Empty);
                foreach (var column in scoreColumns)
                {
                    var key = column[(instrument.Length + 1)..];
                    var expected = scores.TryGetPropertyValue(key, out var v) ? v!.GetValue<decimal>().ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
                    Assert.That(row[column], Is.EqualTo(expected), $"{a["id"]} {column}");
                }
                // Sparse across instruments: another instrument's score columns are empty on this row.
                Assert.That(csv.Header.Where(h => h.Contains('_') && char.IsUpper(h[0]) && !h.StartsWith(instrument + "_", StringComparison.Ordinal)).Select(h => row[h]),
                    Is.All.Empty, $"{a["id"]}");
            }
        }

        var bsl = csv.Single(("assessment_id", BslId.ToString()));
        Assert.That((bsl["complete"], bsl["missing_items"], bsl["BSL23_mean"], bsl["BSL23_sum"], bsl["study_day"]), Is.EqualTo(("TRUE", "1", "2", "46", "-1")), "22 of 23 answered: the sum is prorated, mean × 23");
        var cadss = csv.Single(("assessment_id", CadssId.ToString()));
        Assert.That((cadss["CADSS_total"], cadss["revision"], cadss["study_day"], cadss["visit_num"]), Is.EqualTo(("12", "2", "1", "3")));
        Assert.That(csv.Header, Does.Not.Contain("correction_reason"));
        Assert.That(csv.Single(("participant_code", "KRK-0001"))["study_day"], Is.EqualTo("2"), "POST24, the day after INF1 (day 1)");
        Assert.That(csv.Single(("participant_code", "WAW-0001"), ("visit_code", "POST24"))["administered_utc"], Is.EqualTo("2026-03-03T09:00:00Z"));
    }

    [Test]
    public async Task Assessments_AdminWithFreeText_CarriesTheCorrectionReason()
    {
        var csv = await CsvAsync(Host.Admin, "assessments", "?includeFreeText=true");
        Assert.That(csv.Single(("assessment_id", CadssId.ToString()))["correction_reason"], Is.EqualTo(CorrectionReason));
        Assert.That(csv.Single(("assessment_id", BslId.ToString()))["correction_reason"], Is.Empty);
    }

    [Test]
    public async Task Items_OneRowPerItemResponse_ShapedLikeSdtmQs()
    {
        var csv = await CsvAsync(Statistician, "items");
        Assert.That(csv.Header, Is.EqualTo(new[]
        {
            "STUDYID", "DOMAIN", "USUBJID", "QSSEQ", "QSTESTCD", "QSTEST", "QSCAT", "QSSCAT", "QSORRES", "QSSTRESC", "QSSTRESN", "QSSTAT",
            "QSBLFL", "QSEVAL", "VISITNUM", "VISIT", "EPOCH", "QSTPT", "QSDTC", "QSDY",
        }));
        Assert.That(csv.Rows, Has.Count.EqualTo(4 * 10 + 23 + 23 + 94 + 3 * 10 + 10));
        Assert.That(csv.Rows.Select(r => (r["STUDYID"], r["DOMAIN"])).Distinct(), Is.EqualTo(new[] { (Host.Protocol.ProtocolId, "QS") }));
        foreach (var subject in csv.Rows.GroupBy(r => r["USUBJID"]))
            Assert.That(subject.Select(r => int.Parse(r["QSSEQ"])), Is.EqualTo(Enumerable.Range(1, subject.Count())), subject.Key);

        // Every response as entered, item by item, for every assessment of every participant.
        foreach (var code in new[] { "WAW-0001", "WAW-0002", "KRK-0001" })
        {
            var entered = (await (await Host.Admin.GetAsync($"/api/v1/participants/{code}/assessments")).Content.ReadFromJsonAsync<JsonArray>())!;
            foreach (var a in entered)
            {
                var rows = csv.Rows.Where(r => r["USUBJID"] == code && r["VISIT"] == a!["visitCode"]!.GetValue<string>()
                    && r["QSTPT"] == (a["timepoint"]?.GetValue<string>() ?? "") && r["QSCAT"] == a["instrument"]!.GetValue<string>()).ToList();
                var items = a!["items"]!.AsArray().Select(i => i is null ? "" : i.GetValue<decimal>().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.That(rows.Select(r => r["QSORRES"]), Is.EqualTo(items), $"{code} {a["id"]}");
                Assert.That(rows.Select(r => r["QSSTRESN"]), Is.EqualTo(items));
                Assert.That(rows.Select(r => r["QSSTRESC"]), Is.EqualTo(items));
                Assert.That(rows.Select(r => r["QSSTAT"]), Is.EqualTo(items.Select(i => i.Length == 0 ? "NOT DONE" : "")));
            }
        }

        var missing = csv.Single(("USUBJID", "WAW-0001"), ("QSTESTCD", "BSL2303"));
        Assert.That((missing["QSORRES"], missing["QSSTAT"], missing["VISIT"], missing["VISITNUM"], missing["QSDY"], missing["QSDTC"]),
            Is.EqualTo(("", "NOT DONE", "BL", "2", "-1", "2026-03-01T09:00:00+00:00")), "the site's local time with its offset (this site's zone is UTC)");
        var asc = csv.Single(("USUBJID", "WAW-0001"), ("QSTESTCD", "ASC5D01"));
        Assert.That((asc["QSORRES"], asc["QSSCAT"], asc["QSTPT"], asc["QSDY"]), Is.EqualTo(("33.3", "oceanic boundlessness", "t240", "1")));
        var cadss = csv.Single(("USUBJID", "WAW-0001"), ("QSTESTCD", "CADSS03"));
        Assert.That((cadss["QSSCAT"], cadss["QSTEST"]), Is.EqualTo(("depersonalization", "Item 3")));
        var madrs = csv.Single(("USUBJID", "WAW-0001"), ("QSTESTCD", "MADRS10"), ("VISIT", "POST24"));
        Assert.That((madrs["QSTEST"], madrs["QSORRES"], madrs["QSSCAT"], madrs["QSDY"]), Is.EqualTo(("suicidal thoughts", "4", "", "2")));

        Assert.That(csv.Rows.GroupBy(r => r["QSCAT"]).ToDictionary(g => g.Key, g => g.Select(r => r["QSEVAL"]).Distinct().Single()), Is.EqualTo(new Dictionary<string, string>
        {
            ["MADRS"] = "INVESTIGATOR", ["CADSS"] = "INVESTIGATOR", ["BSL23"] = "STUDY SUBJECT", ["ASC5D"] = "STUDY SUBJECT",
        }));
    }

    [Test]
    public async Task Items_BaselineFlag_BlElseInf1Pre_ItemByItem()
    {
        var csv = await CsvAsync(Statistician, "items");
        var flagged = csv.Rows.Where(r => r["QSBLFL"] == "Y").Select(r => (r["USUBJID"], r["QSTESTCD"], r["VISIT"], r["QSTPT"])).ToList();
        Assert.That(csv.Rows.Select(r => r["QSBLFL"]).Distinct(), Is.EquivalentTo(new[] { "Y", "" }));

        // WAW-0001: BL has MADRS and BSL-23 (item 3 unanswered, and no BSL-23 at INF1 pre to take it from): those are the baselines, not INF1 pre.
        var expected = Enumerable.Range(1, 10).Select(i => ("WAW-0001", $"MADRS{i:00}", "BL", ""))
            .Concat(Enumerable.Range(1, 23).Where(i => i != 3).Select(i => ("WAW-0001", $"BSL23{i:00}", "BL", "")))
            // WAW-0002 has no BL: INF1 pre is the baseline. KRK-0001 has neither: no flag. Nothing after the first dose is a baseline.
            .Concat(Enumerable.Range(1, 10).Select(i => ("WAW-0002", $"MADRS{i:00}", "INF1", "pre")));
        Assert.That(flagged, Is.EquivalentTo(expected));
        Assert.That(csv.Rows.Where(r => r["QSBLFL"] == "Y").Select(r => r["QSSTAT"]).Distinct(), Is.EqualTo(new[] { "" }), "never on a missing item");
    }

    [Test]
    public async Task Items_Epoch_ScreeningBeforeTheFirstDose_TreatmentDuringTheInfusions_FollowUpAfter()
    {
        var csv = await CsvAsync(Statistician, "items");
        var epochs = csv.Rows.Select(r => (r["USUBJID"], r["VISIT"], r["QSTPT"], r["EPOCH"])).Distinct().ToList();
        Assert.That(epochs, Is.EquivalentTo(new[]
        {
            ("WAW-0001", "BL", "", "SCREENING"), ("WAW-0001", "INF1", "pre", "SCREENING"), ("WAW-0001", "INF1", "t40", "TREATMENT"),
            ("WAW-0001", "INF1", "t240", "TREATMENT"), ("WAW-0001", "POST24", "", "TREATMENT"), ("WAW-0001", "INF2", "pre", "TREATMENT"),
            // WAW-0002 stopped infusions on 4 March: FU-D7 on 9 March is follow-up.
            ("WAW-0002", "INF1", "pre", "SCREENING"), ("WAW-0002", "POST24", "", "TREATMENT"), ("WAW-0002", "FU-D7", "", "FOLLOW-UP"),
            ("KRK-0001", "POST24", "", "TREATMENT"),
        }));
        var disposition = await CsvAsync(Statistician, "disposition");
        Assert.That(disposition.Rows.Where(r => r["USUBJID"] == "WAW-0002").Select(r => (r["DSDECOD"], r["EPOCH"])),
            Is.EqualTo(new[] { ("FIRST INFUSION", "TREATMENT"), ("ADVERSE EVENT", "TREATMENT") }), "disposition's epochs by the same derivation");
    }

    [Test]
    public async Task Items_FastWriter_WritesByteForByteWhatTheColumnDefinitionsWrite()
    {
        var catalog = Host.Services.GetRequiredService<ExtractCatalog>();
        var items = (ItemsDataset)catalog.Find("items")!;
        foreach (var filter in new[] { new ExportFilter(null, null, null), new ExportFilter(["KRK"], null, null), new ExportFilter(null, "ASC5D", null) })
        {
            await using var snapshot = await ExportSnapshot.BeginAsync(Host.Services.GetRequiredService<Database>(), Host.Clock);
            var context = new ExportContext(snapshot, filter, ExtractAudience.BlindedPseudonymised, catalog.Protocol, catalog.Anchors);
            using var fast = new MemoryStream();
            using var reference = new MemoryStream();
            var fastRows = await items.WriteCsvAsync(context, fast, CancellationToken.None);
            var referenceRows = await items.WriteCsvCellByCellAsync(context, reference, CancellationToken.None);
            Assert.That(fastRows, Is.EqualTo(referenceRows).And.GreaterThan(0));
            Assert.That(System.Text.Encoding.UTF8.GetString(fast.ToArray()), Is.EqualTo(System.Text.Encoding.UTF8.GetString(reference.ToArray())));
        }
    }

    [Test]
    public async Task Efficacy_ResponseAndRemission_AgainstHandComputedCases()
    {
        var csv = await CsvAsync(Statistician, "efficacy");
        Assert.That(csv.Rows.Select(r => r["paramcd"]), Is.EquivalentTo(Enumerable.Repeat("MADRSTOT", 8).Append("BSL23MEA")));
        string[] Of(string code, string visit) =>
            csv.Single(("participant_code", code), ("paramcd", "MADRSTOT"), ("visit_code", visit)) is var r
                ? [r["aval"], r["baseline_source"], r["baseline_value"], r["is_baseline"], r["change_from_baseline"], r["percent_change"], r["response"], r["remission"]]
                : [];

        // WAW-0001: baseline is the BL MADRS (30). BL and INF1 pre come before any dose: no response or remission there.
        Assert.That(Of("WAW-0001", "BL"), Is.EqualTo(new[] { "30", "BL", "30", "TRUE", "", "", "", "" }));
        Assert.That(Of("WAW-0001", "INF1"), Is.EqualTo(new[] { "24", "BL", "30", "FALSE", "-6", "-20", "", "" }));
        // 14 is 53.33 % below 30: response without remission (14 > 10).
        Assert.That(Of("WAW-0001", "POST24"), Is.EqualTo(new[] { "14", "BL", "30", "FALSE", "-16", "-53.33", "TRUE", "FALSE" }));
        // 9: both.
        Assert.That(Of("WAW-0001", "INF2"), Is.EqualTo(new[] { "9", "BL", "30", "FALSE", "-21", "-70", "TRUE", "TRUE" }));
        // WAW-0002 has no BL: its baseline is INF1 pre (20). 12 is 40 % below: neither.
        Assert.That(Of("WAW-0002", "INF1"), Is.EqualTo(new[] { "20", "INF1 pre", "20", "TRUE", "", "", "", "" }));
        Assert.That(Of("WAW-0002", "POST24"), Is.EqualTo(new[] { "12", "INF1 pre", "20", "FALSE", "-8", "-40", "FALSE", "FALSE" }));
        // 10 is exactly 50 % below 20 and exactly the remission threshold: both, the bounds inclusive.
        Assert.That(Of("WAW-0002", "FU-D7"), Is.EqualTo(new[] { "10", "INF1 pre", "20", "FALSE", "-10", "-50", "TRUE", "TRUE" }));
        // KRK-0001 has neither BL nor INF1 pre: no baseline, so no change and no response; remission needs none.
        Assert.That(Of("KRK-0001", "POST24"), Is.EqualTo(new[] { "8", "", "", "FALSE", "", "", "", "TRUE" }));
    }

    [Test]
    public async Task Efficacy_AnalysisVisit_PreDose_InWindow_AndTheInf1PreValueBesideTheBaseline()
    {
        var csv = await CsvAsync(Statistician, "efficacy");
        var waw1 = csv.Rows.Where(r => r["participant_code"] == "WAW-0001" && r["paramcd"] == "MADRSTOT").ToList();
        Assert.That(waw1.Select(r => (r["avisit"], r["pre_treatment"], r["unscheduled"], r["inf1_pre_value"])), Is.EqualTo(new[]
        {
            ("BL", "TRUE", "FALSE", "24"), ("INF1 pre", "TRUE", "FALSE", "24"), ("POST24", "FALSE", "FALSE", "24"), ("INF2 pre", "FALSE", "FALSE", "24"),
        }));
        Assert.That(csv.Single(("participant_code", "KRK-0001"))["inf1_pre_value"], Is.Empty);

        // in_window is the visits dataset's, visit by visit.
        var visits = await CsvAsync(Statistician, "visits");
        foreach (var row in csv.Rows)
        {
            var visit = visits.Rows.Single(v => v["participant_code"] == row["participant_code"] && v["visit_code"] == row["visit_code"]);
            Assert.That(row["in_window"], Is.EqualTo(visit["in_window"]), $"{row["participant_code"]} {row["visit_code"]}");
        }
        Assert.That(waw1.Select(r => r["in_window"]), Is.All.EqualTo("TRUE"));
    }

    [Test]
    public async Task Efficacy_Bsl23_MeanChangeFromBaseline_NoResponseOrRemission()
    {
        var csv = await CsvAsync(Statistician, "efficacy");
        var bsl = csv.Single(("paramcd", "BSL23MEA"));
        Assert.That((bsl["participant_code"], bsl["param"], bsl["avisit"], bsl["aval"], bsl["baseline_source"], bsl["is_baseline"], bsl["response"], bsl["remission"]),
            Is.EqualTo(("WAW-0001", "BSL-23 mean of answered items", "BL", "2", "BL", "TRUE", "", "")));
    }

    [Test]
    public async Task AdverseEvents_Statistician_SdtmColumnsWithoutTheTerm()
    {
        var csv = await CsvAsync(Statistician, "adverse-events");
        Assert.That(csv.Header, Does.Not.Contain("AETERM").And.Not.Contain("AECODSIT"));
        Assert.That(csv.Header, Does.Contain("AEDECOD").And.Contain("AEBODSYS").And.Contain("TRTEMFL"), "the dictionary coding is not free text");
        Assert.That(csv.Text, Does.Not.Contain("throbbing"));
        var ae = csv.Single(("AESPID", AdverseEventId.ToString()));
        Assert.That(new[] { ae["USUBJID"], ae["DOMAIN"], ae["AESEQ"], ae["AESEV"], ae["AESER"], ae["AESHOSP"], ae["AESDTH"], ae["AEREL"], ae["AEACN"], ae["AEOUT"] },
            Is.EqualTo(new[] { "WAW-0001", "AE", "1", "MODERATE", "Y", "Y", "N", "POSSIBLY RELATED", "DOSE NOT CHANGED", "RECOVERING/RESOLVING" }));
        Assert.That(new[] { ae["AESTDTC"], ae["AEENDTC"], ae["AESTDY"], ae["AEAWRDTC"], ae["AESPRDTC"], ae["AEEXPECT"] },
            Is.EqualTo(new[] { "2026-03-03", "", "2", "2026-03-04", "", "N" }));
        // Serious, possibly related, unexpected, not fatal: a SUSAR on the 15-day clock from awareness.
        Assert.That(new[] { ae["AESUSAR"], ae["AESUSCLK"], ae["AESUSDUE"] }, Is.EqualTo(new[] { "Y", "15", "2026-03-19" }));
    }

    [Test]
    public async Task AdverseEvents_AdminWithFreeText_TermSurvivesCommasQuotesAndLineBreaks()
    {
        var csv = await CsvAsync(Host.Admin, "adverse-events", "?includeFreeText=true");
        Assert.That(csv.Single(("AESPID", AdverseEventId.ToString()))["AETERM"], Is.EqualTo(AeTerm));
        Assert.That(csv.Text, Does.Contain("\"Headache, \"\"throbbing\"\"\nthen nausea\""), "RFC 4180: quoted, quotes doubled, the line break kept");
        Assert.That(csv.Rows, Has.Count.EqualTo(1), "the line break inside the term does not start a row");
    }

    [Test]
    public async Task SafetyAlerts_EveryAlertRaised_WithItsHistory()
    {
        var listed = (await (await Host.Admin.GetAsync("/api/v1/safety-alerts?includeSuperseded=true")).Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.That(listed, Is.Not.Empty);
        var csv = await CsvAsync(Statistician, "safety-alerts");
        Assert.That(csv.Rows.Select(r => r["alert_id"]), Is.EquivalentTo(listed.Select(a => a!["id"]!.GetValue<string>())));
        foreach (var alert in listed)
        {
            var row = csv.Single(("alert_id", alert!["id"]!.GetValue<string>()));
            Assert.That(row["rule"], Is.EqualTo(alert["rule"]!.GetValue<string>()));
            Assert.That(row["participant_code"], Is.EqualTo(alert["participantCode"]!.GetValue<string>()));
            Assert.That(row["status"], Is.EqualTo(alert["status"]!.GetValue<string>()));
            Assert.That(row["source_id"], Is.EqualTo(alert["sourceId"]!.GetValue<string>()));
            Assert.That(row["history"], Does.StartWith("raised 2026-03-10T12:00:00Z (system)"));
        }
        Assert.That(csv.Rows.Select(r => r["rule"]), Does.Contain("MADRS10_HIGH").And.Contain("SAE_REPORTED"));
        Assert.That(csv.Header, Does.Not.Contain("review_comments"));
    }

    [Test]
    public async Task Dictionary_ListsExactlyTheColumnsEachDatasetWrites([Values] bool adminWithFreeText)
    {
        var (client, query) = adminWithFreeText ? (Host.Admin, "?includeFreeText=true") : (Statistician, "");
        var dictionary = await CsvAsync(client, "dictionary", query);
        Assert.That(dictionary.Header, Is.EqualTo(new[] { "dataset", "name", "label", "type", "unit", "allowed_values", "meaning", "source", "free_text", "unblinded_only" }));
        Assert.That(dictionary.Rows.Select(r => r["dataset"]).Distinct(), Is.EqualTo(DatasetNames));
        foreach (var dataset in DatasetNames)
        {
            var header = (await CsvAsync(client, dataset, query)).Header;
            Assert.That(dictionary.Where("dataset", dataset).Select(r => r["name"]), Is.EqualTo(header), dataset);
        }
        Assert.That(dictionary.Rows.Where(r => r["label"].Length == 0 || r["meaning"].Length == 0 || r["source"].Length == 0 || r["type"].Length == 0)
            .Select(r => $"{r["dataset"]}.{r["name"]}"), Is.Empty);
        Assert.That(dictionary.Rows.Any(r => r["free_text"] == "TRUE"), Is.EqualTo(adminWithFreeText));
        Assert.That(dictionary.Where("dataset", "assessments").Single(r => r["name"] == "BSL23_mean")["meaning"], Does.Contain("sparse"));
    }

    [Test]
    public async Task Extracts_CarryNothingThatRevealsAnArm()
    {
        var dictionary = await CsvAsync(Host.Admin, "dictionary", "?includeFreeText=true");
        Assert.That(dictionary.Rows.Select(r => r["name"]).Where(n => n.Contains("dose", StringComparison.OrdinalIgnoreCase) || n.Contains("arm", StringComparison.OrdinalIgnoreCase)),
            Is.Empty);
        Assert.That(dictionary.Rows.Where(r => r["unblinded_only"] != "FALSE"), Is.Empty);
    }

    [Test]
    public async Task Files_AreRfc4180_OneHeaderRow_CrLf_EmptyForMissing()
    {
        foreach (var dataset in DatasetNames)
        {
            var csv = await CsvAsync(Host.Admin, dataset, "?includeFreeText=true");
            var text = csv.Text;
            Assert.That(text, Does.EndWith("\r\n"), dataset);
            Assert.That(text.Replace("\r\n", "").Replace(AeTerm.Replace("\"", "\"\""), ""), Does.Not.Contain('\n').And.Not.Contain('\r'), dataset);
            Assert.That(text.Split("\r\n").Count(l => l == string.Join(",", csv.Header)), Is.EqualTo(1), dataset);
            Assert.That(csv.Rows.SelectMany(r => r.Values), Has.None.EqualTo("null").And.None.EqualTo("NULL"), dataset);
        }
    }

    [Test]
    public async Task SiteFilter_OnlyThatSitesRows()
    {
        var participants = await CsvAsync(Statistician, "participants", "?site=KRK");
        Assert.That(participants.Rows.Select(r => r["participant_code"]), Is.EqualTo(new[] { "KRK-0001" }));
        var items = await CsvAsync(Statistician, "items", "?site=KRK");
        Assert.That(items.Rows.Select(r => r["USUBJID"]).Distinct(), Is.EqualTo(new[] { "KRK-0001" }));
        Assert.That(items.Rows, Has.Count.EqualTo(10));
    }

    [Test]
    public async Task InstrumentFilter_OnlyThatInstrumentsRows()
    {
        var assessments = await CsvAsync(Statistician, "assessments", "?instrument=BSL23");
        Assert.That(assessments.Rows.Select(r => r["assessment_id"]), Is.EqualTo(new[] { BslId.ToString() }));
        var items = await CsvAsync(Statistician, "items", "?instrument=BSL23");
        Assert.That(items.Rows.Select(r => r["QSCAT"]).Distinct(), Is.EqualTo(new[] { "BSL23" }));
        Assert.That(items.Rows, Has.Count.EqualTo(23));
        Assert.That((await CsvAsync(Statistician, "efficacy", "?instrument=BSL23")).Rows.Select(r => r["paramcd"]), Is.EqualTo(new[] { "BSL23MEA" }));
        Assert.That((await CsvAsync(Statistician, "efficacy", "?instrument=MADRS")).Rows, Has.Count.EqualTo(8));
    }
}
