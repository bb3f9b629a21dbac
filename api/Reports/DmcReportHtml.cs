using System.Globalization;
using System.Net;
using System.Text;
using Trial.Core.Reports;

namespace Trial.Api.Reports;

/// <summary>
/// The DMC reports as one self-contained page each, for reading on screen or on paper: inline style, no script, no
/// external resource, and every text HTML-encoded (terms and reasons are typed at the sites). The open page is written from
/// the open report alone, so it can hold nothing the open report does not.
/// </summary>
public static class DmcReportHtml
{
    private const string Style =
        """
        body { font: 10pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #111; margin: 1.5em; }
        h1 { font-size: 15pt; margin: 0 0 .3em; }
        h2 { font-size: 12pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #999; }
        h3 { font-size: 10.5pt; margin: 1em 0 .3em; }
        .session { display: inline-block; padding: .15em .6em; border: 2px solid #111; font-weight: bold; letter-spacing: .05em; }
        dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .6em 0; }
        dt { font-weight: bold; }
        dd { margin: 0; }
        table { border-collapse: collapse; margin: .3em 0 .8em; }
        th, td { border: 1px solid #bbb; padding: .15em .45em; text-align: left; vertical-align: top; }
        th { background: #eee; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        p.note, p.none { color: #444; margin: .2em 0 .6em; }
        @page { size: A4; margin: 12mm; }
        @media print {
          body { margin: 0; font-size: 9pt; }
          thead { display: table-header-group; }
          tr, h2, h3 { break-inside: avoid; page-break-inside: avoid; }
          h2, h3 { break-after: avoid; page-break-after: avoid; }
          th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        """;

    private const string Definitions =
        "Treatment-emergent: onset on or after the site's date of the participant's first infusion; earlier events, and those of participants " +
        "never dosed, are counted apart as pre-treatment. Alerts are counted when the data that raised them were taken from the first dose on " +
        "(the first infusion visit after its pre-dose timepoint, and later visits). Peaks: per participant the highest value after dosing at the " +
        "infusion visit; MADRS item 10 from after the infusion up to and including the next infusion's pre-dose rating (after the last infusion, " +
        "through the first follow-up visit). n: participants with a value; mean: of their highest values.";

    public static string Closed(DmcClosedReportResponse r)
    {
        var page = new Page($"DMC closed-session report, data cut-off {Instant(r.CutoffUtc)}");
        page.Header("Data monitoring committee: closed-session report", "CLOSED SESSION: BY ARM",
        [
            ("Protocol", $"{r.ProtocolId} {r.ProtocolVersion}"),
            ("Arms", string.Join("; ", r.Arms.Select(a => $"{a.Code}: {a.Name}, {Number(a.DoseMgPerKg)} mg/kg"))),
            ("Data cut-off", Instant(r.CutoffUtc)), ("Generated", Instant(r.GeneratedUtc)), ("Sites", Sites(r.Sites)),
            ("Efficacy rules", Efficacy(r.ResponseMinReductionPercent, r.RemissionMaxTotal)),
        ]);

        page.Section("Enrolment and randomisation");
        page.Table("Enrolled, by site and month", ["Site", "Month", "Enrolled"], r.Enrolment.Select(e => Row(e.SiteCode, e.Month, e.Enrolled)));
        page.Table("Randomised, by site, month and arm", ["Site", "Month", "Arm", "Randomised"],
            r.Randomisation.Select(x => Row(x.SiteCode, x.Month, x.Arm, x.Randomised)));

        page.Section("Participants and exposure");
        page.Table(null, ["Arm", "Randomised", "Dosed", "Infusions discontinued", "Withdrawn", "Emergency unblinded"],
            r.Participants.Select(p => Row(p.Arm, p.Randomised, p.Dosed, p.InfusionsDiscontinued, p.Withdrawn, p.EmergencyUnblinded)));
        var bins = r.Exposure.SelectMany(e => e.Distribution.Select(d => d.Infusions)).Distinct().Order().ToList();
        page.Table("Infusions per participant (randomised participants by infusions received)",
            ["Arm", "Infusions", "Mean per randomised", "Mean per dosed", .. bins.Select(InfusionsHeader)],
            r.Exposure.Select(e => Row([e.Arm, e.Infusions, e.MeanPerRandomised, e.MeanPerDosed,
                .. bins.Select(b => (object?)(e.Distribution.FirstOrDefault(d => d.Infusions == b)?.Participants ?? 0))])));
        page.Table("Discontinuations and withdrawals", ["Participant", "Arm", "Event", "Date", "Reason (site's words)"],
            r.Disposition.Select(d => Row(d.ParticipantCode, d.Arm, d.Event, d.Date, d.Reason)));

        page.Section("Adverse events");
        page.Table("Treatment-emergent adverse events", ["Arm", "Dosed", "Events", "Participants with event", "Severe", "Serious", "Participants with serious", "Deaths", "Of special interest"],
            r.AdverseEvents.Select(e => Row(e.Arm, e.ParticipantsDosed, e.Events, e.ParticipantsWithEvent, e.SevereEvents, e.SeriousEvents,
                e.ParticipantsWithSeriousEvent, e.Deaths, e.SpecialInterestEvents)));
        PreTreatment(page, r.PreTreatmentAdverseEvents);
        page.Table("Treatment-emergent adverse events of special interest", ["Category", "Arm", "Events", "Participants"],
            r.SpecialInterest.Select(s => Row(s.Category, s.Arm, s.Events, s.Participants)));
        page.Table("Treatment-emergent serious adverse events", SeriousHeaders(closed: true), r.SeriousAdverseEvents.Select(Serious));
        page.Table("Deaths", SeriousHeaders(closed: true), r.Deaths.Select(Serious));

        page.Section("Safety alerts in force, by rule");
        page.Table("From the first dose on", ["Rule", "Arm", "Alerts", "Participants"], r.SafetyAlerts.Select(a => Row(a.Rule, a.Arm, a.Alerts, a.Participants)));
        page.Table("On data before the first dose (not credited to an arm)", ["Rule", "Alerts", "Participants"],
            r.PreTreatmentAlerts.Select(a => Row(a.Rule, a.Alerts, a.Participants)));

        page.Section("Peaks after dosing, by infusion");
        foreach (var (title, peaks) in new[] { ("CADSS total", r.CadssTotalPeaks), ("BPRS positive subscale", r.BprsPositivePeaks), ("MADRS item 10", r.MadrsItem10Peaks) })
            page.Table(title, ["Infusion", "Arm", "n", "Mean", "Highest"], peaks.Select(p => Row(p.VisitCode, p.Arm, p.Participants, p.Mean, p.Max)));
        page.Table("Vital signs after dosing (mean of the participants' extremes / most extreme)", ["Infusion", "Arm", .. VitalHeaders],
            r.VitalSigns.Select(v => Row([v.VisitCode, v.Arm, v.Participants, .. Vitals(v.HighestSystolic, v.HighestDiastolic, v.HighestHeartRate, v.LowestHeartRate, v.LowestSpo2)])));

        page.Section("Emergency unblindings");
        page.Table(null, ["Participant", "Unblinded", "Arm", "Reason (site's words)"],
            r.EmergencyUnblindings.Select(u => Row(u.ParticipantCode, u.UnblindedUtc, u.Arm, u.Reason)));

        page.Section("Efficacy: MADRS by visit from the first dose on");
        page.Table(null, ["Visit", "Arm", "n", "Mean total", "Mean change from baseline", "Responders", "Remitters"],
            r.Efficacy.Select(e => Row(e.VisitCode, e.Arm, e.Participants, e.MeanTotal, e.MeanChange, e.Responders, e.Remitters)));

        page.Note(Definitions);
        return page.End();
    }

    public static string Open(DmcOpenReportResponse r)
    {
        var page = new Page($"DMC open-session report, data cut-off {Instant(r.CutoffUtc)}");
        page.Header("Data monitoring committee: open-session report", "OPEN SESSION: ALL PARTICIPANTS POOLED",
        [
            ("Protocol version", r.ProtocolVersion), ("Data cut-off", Instant(r.CutoffUtc)), ("Generated", Instant(r.GeneratedUtc)), ("Sites", Sites(r.Sites)),
            ("Efficacy rules", Efficacy(r.ResponseMinReductionPercent, r.RemissionMaxTotal)),
            ("Text typed at sites", "withheld (verbatim terms, reasons)"),
        ]);

        page.Section("Enrolment and randomisation");
        page.Table("Enrolled, by site and month", ["Site", "Month", "Enrolled"], r.Enrolment.Select(e => Row(e.SiteCode, e.Month, e.Enrolled)));
        page.Table("Randomised, by site and month", ["Site", "Month", "Randomised"], r.Randomisation.Select(x => Row(x.SiteCode, x.Month, x.Randomised)));

        page.Section("Participants and exposure");
        var p = r.Participants;
        page.Table(null, ["Randomised", "Dosed", "Infusions discontinued", "Withdrawn", "Emergency unblinded"],
            [Row(p.Randomised, p.Dosed, p.InfusionsDiscontinued, p.Withdrawn, p.EmergencyUnblinded)]);
        var e = r.Exposure;
        page.Table("Infusions per participant (randomised participants by infusions received)",
            ["Infusions", "Mean per randomised", "Mean per dosed", .. e.Distribution.Select(d => InfusionsHeader(d.Infusions))],
            [Row([e.Infusions, e.MeanPerRandomised, e.MeanPerDosed, .. e.Distribution.Select(d => (object?)d.Participants)])]);
        page.Table("Discontinuations and withdrawals", ["Participant", "Event", "Date"], r.Disposition.Select(d => Row(d.ParticipantCode, d.Event, d.Date)));

        page.Section("Adverse events");
        var ae = r.AdverseEvents;
        page.Table("Treatment-emergent adverse events", ["Dosed", "Events", "Participants with event", "Severe", "Serious", "Participants with serious", "Deaths", "Of special interest"],
            [Row(ae.ParticipantsDosed, ae.Events, ae.ParticipantsWithEvent, ae.SevereEvents, ae.SeriousEvents, ae.ParticipantsWithSeriousEvent, ae.Deaths, ae.SpecialInterestEvents)]);
        PreTreatment(page, r.PreTreatmentAdverseEvents);
        page.Table("Treatment-emergent adverse events of special interest", ["Category", "Events", "Participants"],
            r.SpecialInterest.Select(s => Row(s.Category, s.Events, s.Participants)));
        page.Table("Treatment-emergent serious adverse events", SeriousHeaders(closed: false), r.SeriousAdverseEvents.Select(Serious));
        page.Table("Deaths", SeriousHeaders(closed: false), r.Deaths.Select(Serious));

        page.Section("Safety alerts in force, by rule");
        page.Table("From the first dose on", ["Rule", "Alerts", "Participants"], r.SafetyAlerts.Select(a => Row(a.Rule, a.Alerts, a.Participants)));
        page.Table("On data before the first dose", ["Rule", "Alerts", "Participants"], r.PreTreatmentAlerts.Select(a => Row(a.Rule, a.Alerts, a.Participants)));

        page.Section("Peaks after dosing, by infusion");
        foreach (var (title, peaks) in new[] { ("CADSS total", r.CadssTotalPeaks), ("BPRS positive subscale", r.BprsPositivePeaks), ("MADRS item 10", r.MadrsItem10Peaks) })
            page.Table(title, ["Infusion", "n", "Mean", "Highest"], peaks.Select(x => Row(x.VisitCode, x.Participants, x.Mean, x.Max)));
        page.Table("Vital signs after dosing (mean of the participants' extremes / most extreme)", ["Infusion", .. VitalHeaders],
            r.VitalSigns.Select(v => Row([v.VisitCode, v.Participants, .. Vitals(v.HighestSystolic, v.HighestDiastolic, v.HighestHeartRate, v.LowestHeartRate, v.LowestSpo2)])));

        page.Section("Emergency unblindings");
        page.Table(null, ["Participant", "Unblinded"], r.EmergencyUnblindings.Select(u => Row(u.ParticipantCode, u.UnblindedUtc)));

        page.Section("Efficacy: MADRS by visit from the first dose on");
        page.Table(null, ["Visit", "n", "Mean total", "Mean change from baseline", "Responders", "Remitters"],
            r.Efficacy.Select(x => Row(x.VisitCode, x.Participants, x.MeanTotal, x.MeanChange, x.Responders, x.Remitters)));

        page.Note(Definitions);
        return page.End();
    }

    private static string InfusionsHeader(int infusions) => infusions == 1 ? "1 infusion" : $"{infusions} infusions";

    private static readonly string[] VitalHeaders =
        ["n", "Highest systolic (mmHg)", "Highest diastolic (mmHg)", "Highest heart rate (/min)", "Lowest heart rate (/min)", "Lowest SpO2 (%)"];

    private static object?[] Vitals(params VitalExtreme[] extremes) =>
        [.. extremes.Select(x => x.Extreme is null ? null : (object)$"{Number(x.Mean!.Value)} / {x.Extreme.Value.ToString(CultureInfo.InvariantCulture)}")];

    private static string[] SeriousHeaders(bool closed) => closed
        ? ["Participant", "Arm", "Term (site's words)", "Onset", "Criteria", "Severity", "Outcome", "Relatedness", "Expected", "Special interest"]
        : ["Participant", "Onset", "Criteria", "Severity", "Outcome", "Relatedness", "Expected", "Special interest"];

    private static object?[] Serious(ArmSeriousEvent s) =>
        Row(s.ParticipantCode, s.Arm, s.Term, s.OnsetDate, s.SeriousCriteria, s.Severity, s.Outcome, s.Relatedness, s.Expected, s.SpecialInterest);

    private static object?[] Serious(PooledSeriousEvent s) =>
        Row(s.ParticipantCode, s.OnsetDate, s.SeriousCriteria, s.Severity, s.Outcome, s.Relatedness, s.Expected, s.SpecialInterest);

    private static void PreTreatment(Page page, PreTreatmentAdverseEvents p) =>
        page.Table("Before the first dose (pre-treatment; not credited to an arm)", ["Events", "Participants", "Serious", "Deaths"],
            [Row(p.Events, p.Participants, p.SeriousEvents, p.Deaths)]);

    private static string Efficacy(decimal responsePercent, decimal remissionMax) =>
        $"response: MADRS reduced by at least {Number(responsePercent)} % from baseline (BL, else the first infusion's pre-dose rating); remission: total at most {Number(remissionMax)}";

    private static string Sites(IReadOnlyList<string>? sites) => sites is null ? "all" : string.Join(", ", sites);

    private static object?[] Row(params object?[] cells) => cells;

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static (string Text, bool Numeric) Cell(object? value) => value switch
    {
        null => ("–", false),
        int i => (i.ToString(CultureInfo.InvariantCulture), true),
        decimal d => (Number(d), true),
        bool b => (b ? "yes" : "no", false),
        DateOnly date => (date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), false),
        DateTime instant => (Instant(instant), false),
        IEnumerable<string> list => (string.Join(", ", list), false),
        _ => (Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", false),
    };

    private sealed class Page
    {
        private readonly StringBuilder _html = new();

        public Page(string title)
        {
            _html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .Append("<title>").Append(Encode(title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        }

        public void Header(string title, string session, IEnumerable<(string Term, string Value)> facts)
        {
            _html.Append("<header>\n<h1>").Append(Encode(title)).Append("</h1>\n<p class=\"session\">").Append(Encode(session)).Append("</p>\n<dl>\n");
            foreach (var (term, value) in facts) _html.Append("<dt>").Append(Encode(term)).Append("</dt><dd>").Append(Encode(value)).Append("</dd>\n");
            _html.Append("</dl>\n</header>\n");
        }

        public void Section(string title) => _html.Append("<h2>").Append(Encode(title)).Append("</h2>\n");

        public void Note(string text) => _html.Append("<p class=\"note\">").Append(Encode(text)).Append("</p>\n");

        public void Table(string? title, IReadOnlyList<string> headers, IEnumerable<object?[]> rows)
        {
            if (title is not null) _html.Append("<h3>").Append(Encode(title)).Append("</h3>\n");
            var list = rows.ToList();
            if (list.Count == 0)
            {
                _html.Append("<p class=\"none\">None.</p>\n");
                return;
            }
            _html.Append("<table>\n<thead><tr>");
            foreach (var header in headers) _html.Append("<th>").Append(Encode(header)).Append("</th>");
            _html.Append("</tr></thead>\n<tbody>\n");
            foreach (var row in list)
            {
                _html.Append("<tr>");
                foreach (var (text, numeric) in row.Select(Cell))
                    _html.Append(numeric ? "<td class=\"n\">" : "<td>").Append(Encode(text)).Append("</td>");
                _html.Append("</tr>\n");
            }
            _html.Append("</tbody>\n</table>\n");
        }

        public string End() => _html.Append("</body>\n</html>\n").ToString();

        private static string Encode(string text) => WebUtility.HtmlEncode(text);
    }
}
