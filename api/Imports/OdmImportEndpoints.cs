using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Assessments;
using Trial.Application.Participants;
using Trial.Application.Visits;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Assessments;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Extracts.Odm;
using Trial.Hosting;

namespace Trial.Api.Imports;

/// <summary>The answer to an ODM import (documentation of its shape).</summary>
public sealed record OdmImportResponse(int Accepted, int AlreadyPresent, int Refused, IReadOnlyList<OdmImportRecordResponse> Results);

/// <summary>
/// One record's result: a participant (SubjectData), a visit (StudyEventData) or an assessment (FormData), named by where it is
/// in the file and by <c>rowKey</c> (subject/visit/form/repeat key); accepted with its id (none in a dry run), already present
/// with the stored one's id, or refused with the problem the API would give.
/// </summary>
public sealed record OdmImportRecordResponse(int Row, string RowKey, string Kind, string? SubjectKey, string? StudyEventOid, string? FormOid,
    string? FormRepeatKey, int Line, string Status, Guid? Id, JsonElement? Problem);

/// <summary>
/// Import of the clinical data of a CDISC ODM 1.3 document made for this study (its export, or an EDC's in the same shape):
/// each participant is enrolled through <see cref="EnrolParticipant"/>, each visit recorded through <see cref="RecordVisit"/>
/// and each assessment entered through <see cref="EnterAssessment"/>, the use cases of the API's single requests, so every
/// record is checked, scored, audited and evaluated by the safety rules as one entered by hand. Records already stored with
/// the same data are reported as already present, so a file sent again stores nothing twice.
/// The document is read as it arrives, one SubjectData at a time (<see cref="OdmReader"/>).
/// </summary>
public static class OdmImportEndpoints
{
    public const string OdmType = "application/vnd.cdisc.odm+xml";
    private static readonly string[] MediaTypes = [OdmType, "application/xml", "text/xml"];

    public static IEndpointRouteBuilder MapOdmImport(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/imports/odm", ImportAsync).RequireAuthorization(Policies.Investigator).WithTags("Imports").WithName("ImportOdm")
            .WithSummary("Import an ODM 1.3 document's clinical data (investigator, your sites): application/vnd.cdisc.odm+xml or application/xml, for this " +
                         "study (ClinicalData StudyOID and MetaDataVersionOID as the export writes them). Each SubjectData enrols its participant if absent, " +
                         "each StudyEventData records its visit, each FormData enters its assessment, through the API's own checks, scoring and safety rules. " +
                         "?dryRun=true checks and stores nothing; ?mode=per-row (default) stores each record in its own write, ?mode=atomic all or none. " +
                         "A record already stored with the same data is reported already-present.")
            .Accepts<string>(OdmType, "application/xml")
            .Produces<OdmImportResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesValidationProblem(422)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<IResult> ImportAsync(string? dryRun, string? mode, HttpContext http, EnrolParticipant enrol, RecordVisit visits,
        EnterAssessment assessments, ProtocolDefinition protocol, Database db, TimeProvider clock, TrialMetrics metrics, IOptions<ImportOptions> options)
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is null || !MediaTypes.Contains(mediaType))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
                detail: $"Send the ODM document as {OdmType} or application/xml.", extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" });
        }
        bool isDryRun;
        if (string.IsNullOrEmpty(dryRun)) isDryRun = false;
        else if (!bool.TryParse(dryRun, out isDryRun)) return Problems.Validation("dryRun", $"dryRun must be true or false; got '{dryRun}'.");
        bool atomic;
        if (mode is null or "" or "per-row") atomic = false;
        else if (mode == "atomic") atomic = true;
        else return Problems.Validation("mode", $"mode must be atomic or per-row; got '{mode}'.");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxRequestBodyMegabytes * 1024L * 1024L;

        var import = new Import(http, enrol, visits, assessments, protocol, db, clock.GetUtcNow().UtcDateTime, isDryRun);
        using var reader = new OdmReader(http.Request.Body);
        try
        {
            var root = await reader.ReadRootAsync();
            if (root is null) return Problems.Validation("ODM", $"The document's root must be ODM in the namespace {OdmWriter.Namespace}.");
            if (root.OdmVersion is not ("1.3" or "1.3.0" or "1.3.1" or "1.3.2"))
                return Problems.Validation("ODMVersion", $"ODMVersion must be 1.3 (1.3.2 as the export writes); got '{root.OdmVersion}'.");

            Refusal? wrongStudy = null;
            bool ForThisStudy(OdmHeader header)
            {
                wrongStudy = import.CheckStudy(header);
                return wrongStudy is null;
            }
            var subjects = reader.SubjectsAsync(ForThisStudy, http.RequestAborted);
            if (atomic || isDryRun)
            {
                // A dry run is checked in one write too, rolled back: a participant's visits and assessments are checked against its
                // enrolment, and each site's codes against the participants enrolled before, as an import would store them.
                var all = new List<OdmSubjectData>();
                var records = 0;
                await foreach (var subject in subjects)
                {
                    records += 1 + subject.Events.Sum(e => 1 + e.Forms.Count);
                    if (records > options.Value.MaxAtomicRows)
                    {
                        return Problems.Validation(atomic ? "mode" : "dryRun",
                            $"An atomic import or a dry run holds at most {options.Value.MaxAtomicRows} records (Imports__MaxAtomicRows); nothing was stored. " +
                            "Send the file in parts, or import it with mode=per-row.");
                    }
                    all.Add(subject);
                }
                if (wrongStudy is not null) return wrongStudy.ToResult();
                await import.InOneWriteAsync(all, atomic);
            }
            else
            {
                await foreach (var subject in subjects) await import.SubjectRecordByRecordAsync(subject);
                // A document for another study is refused whole; a later ClinicalData for another study stops the import there.
                if (wrongStudy is not null && import.Decided == 0) return wrongStudy.ToResult();
                if (wrongStudy is not null) import.Stopped = $"A later ClinicalData is not for this study ({wrongStudy.Detail}); the records before it were imported as reported.";
            }
        }
        catch (XmlException malformed)
        {
            if (import.Decided == 0 || atomic || isDryRun)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is malformed.",
                    detail: $"The body is not a well-formed XML document: {malformed.Message} Nothing was stored.",
                    extensions: new Dictionary<string, object?> { ["field"] = "body", ["line"] = malformed.LineNumber, ["position"] = malformed.LinePosition });
            }
            import.Stopped = $"The body is not well-formed XML from line {malformed.LineNumber}, position {malformed.LinePosition} ({malformed.Message}); the records before it were imported as reported.";
        }
        foreach (var instrument in import.Written) metrics.AssessmentWritten(instrument);
        return await import.AnswerAsync();
    }

    private enum Status { Accepted, AlreadyPresent, Refused }

    private sealed record RecordResult(int Row, string RowKey, string Kind, string? SubjectKey, string? StudyEventOid, string? FormOid, string? FormRepeatKey,
        int Line, Status Status, Guid? Id, Refusal? Refusal);

    /// <summary>A record of the file, ready to be decided inside a write.</summary>
    private sealed record Record(string Kind, OdmSubjectData Subject, OdmStudyEventData? Event, OdmFormData? Form);

    /// <summary>
    /// One import request: decides each record through the use cases and writes its result as it is decided (in one write's
    /// modes, once the write is done), to a buffer that spills to disk, so the results do not grow in memory with the file.
    /// </summary>
    private sealed class Import(HttpContext http, EnrolParticipant enrol, RecordVisit visits, EnterAssessment assessments, ProtocolDefinition protocol,
        Database db, DateTime now, bool dryRun)
    {
        private readonly Actor _actor = http.Actor();
        private FileBufferingWriteStream? _buffer;
        private Utf8JsonWriter? _writer;
        private int _accepted, _alreadyPresent, _refused;

        /// <summary>How many records were decided so far.</summary>
        public int Decided { get; private set; }

        /// <summary>The instruments of the assessments stored, for the metrics once the writes are done.</summary>
        public List<string> Written { get; } = [];

        public string? Stopped { get; set; }

        private List<string> _pendingWritten = [];

        /// <summary>Whether the participant record of the SubjectData being decided was refused.</summary>
        private bool _participantRefused;

        public Refusal? CheckStudy(OdmHeader header)
        {
            var study = OdmOids.Study(protocol);
            if (header.StudyOid != study)
                return Invalid.Field("StudyOID", $"ClinicalData StudyOID must be {study}, this study's protocol; got '{header.StudyOid}'. Nothing was imported from it.");
            var version = OdmOids.MetaDataVersion(protocol);
            if (header.MetaDataVersionOid != version)
            {
                return Invalid.Field("MetaDataVersionOID",
                    $"ClinicalData MetaDataVersionOID must be {version}, this study's protocol version; got '{header.MetaDataVersionOid}'. Nothing was imported from it.");
            }
            return null;
        }

        private static IEnumerable<Record> RecordsOf(OdmSubjectData subject)
        {
            yield return new Record("participant", subject, null, null);
            foreach (var visit in subject.Events)
            {
                yield return new Record("visit", subject, visit, null);
                foreach (var form in visit.Forms) yield return new Record("assessment", subject, visit, form);
            }
        }

        /// <summary>Per-row: each record in its own write, so a refused one stores nothing and the others go on.</summary>
        public async Task SubjectRecordByRecordAsync(OdmSubjectData subject)
        {
            foreach (var record in RecordsOf(subject))
            {
                RecordResult result;
                try
                {
                    result = await db.WriteAsync(_actor, now, async w =>
                    {
                        _pendingWritten = [];
                        var decided = await DecideAsync(w, record);
                        if (decided.Status != Status.Accepted) w.Refuse();
                        return decided;
                    });
                }
                catch (DbException)
                {
                    // Another write stored the same participant, visit or assessment between this one's check and its write.
                    result = Result(record, Status.Refused, null, new Conflict("This record was stored by another request at the same time; import the file again to see it as already present.",
                        new Dictionary<string, object?> { ["field"] = record.Kind }));
                }
                if (result.Status == Status.Accepted) Written.AddRange(_pendingWritten);
                await WriteResultAsync(result);
            }
        }

        /// <summary>
        /// Every record in one write, rolled back in a dry run. Atomic: one refusal rolls it all back, and every accepted record is
        /// reported not stored. A per-row dry run reports each record as a per-row import would decide it.
        /// </summary>
        public async Task InOneWriteAsync(IReadOnlyList<OdmSubjectData> subjects, bool atomic)
        {
            _pendingWritten = [];
            var results = new List<RecordResult>();
            var stored = await db.WriteAsync(_actor, now, async w =>
            {
                foreach (var record in subjects.SelectMany(RecordsOf)) results.Add(await DecideAsync(w, record));
                if (dryRun || results.Any(r => r.Status == Status.Refused)) w.Refuse();
                return !w.Refused;
            });
            if (stored) Written.AddRange(_pendingWritten);
            var first = atomic ? results.FirstOrDefault(r => r.Status == Status.Refused) : null;
            for (var i = 0; first is not null && i < results.Count; i++)
            {
                if (results[i].Status != Status.Accepted) continue;
                results[i] = results[i] with
                {
                    Status = Status.Refused,
                    Id = null,
                    Refusal = new Conflict(
                        $"Record {results[i].Row} is valid but was not stored: the import is atomic (mode=atomic) and record {first.Row} was refused, so nothing was stored.",
                        new Dictionary<string, object?> { ["field"] = "mode", ["firstRefusedRow"] = first.Row }),
                };
            }
            foreach (var result in results) await WriteResultAsync(result);
        }

        private RecordResult Result(Record record, Status status, Guid? id, Refusal? refusal = null) =>
            new(++Decided, RowKey(record), record.Kind, record.Subject.SubjectKey, record.Event?.StudyEventOid, record.Form?.FormOid,
                record.Form?.RepeatKey, record.Form?.Line ?? record.Event?.Line ?? record.Subject.Line, status, dryRun && status == Status.Accepted ? null : id, refusal);

        /// <summary>Where the record is: subject, visit, form and repeat key, as far as it goes; the same for the same record in every file.</summary>
        private static string RowKey(Record record) =>
            string.Join("/", new[] { record.Subject.SubjectKey, record.Event?.StudyEventOid, record.Form?.FormOid, record.Form?.RepeatKey }.Where(p => p is not null));

        private async Task<RecordResult> DecideAsync(WriteScope w, Record record)
        {
            // A SubjectData whose participant record is refused (another site, a code that would change) does not belong to the
            // participant of that code here: its visits and forms are not put on them.
            if (record.Kind != "participant" && _participantRefused)
            {
                return Result(record, Status.Refused, null, new Conflict(
                    $"The participant record of SubjectData {record.Subject.SubjectKey} was refused (its result says why), so its visits and forms are not imported.",
                    new Dictionary<string, object?> { ["field"] = "SubjectKey" }));
            }
            var (status, id, refusal) = record.Kind switch
            {
                "participant" => await ParticipantAsync(w, record.Subject),
                "visit" => await VisitAsync(w, record.Subject, record.Event!),
                _ => await AssessmentAsync(w, record.Subject, record.Event!, record.Form!),
            };
            if (record.Kind == "participant") _participantRefused = status == Status.Refused;
            return Result(record, status, id, refusal);
        }

        private static (Status, Guid?, Refusal?) Refused(Refusal refusal) => (Status.Refused, null, refusal);

        /// <summary>The participant: already there (at the file's site), or enrolled with the enrolment the file carries under the code it names.</summary>
        private async Task<(Status, Guid?, Refusal?)> ParticipantAsync(WriteScope w, OdmSubjectData subject)
        {
            var errors = new FieldErrors();
            var key = errors.Required(subject.SubjectKey, "SubjectKey", "SubjectKey (the participant's code)");
            var location = errors.Required(subject.LocationOid, "SiteRef", "SiteRef (LocationOID LOC.<site code>)");
            if (location is not null && !location.StartsWith("LOC.", StringComparison.Ordinal))
                errors.Add("SiteRef", $"SiteRef's LocationOID must be LOC.<site code>; got '{location}'.");
            if (errors.Any) return Refused(errors.ToRefusal());
            var site = location![4..];

            // Sites are set up by an admin, not imported: a site the study does not have is the SiteRef's fault.
            if (await AccessQueries.FindSiteAsync(w.Session, site) is null)
                return Refused(Invalid.Field("SiteRef", $"Site '{site}' (LocationOID {location}) is not a site of this study; an admin creates the sites before an import."));
            var existing = await ParticipantQueries.FindByCodeAsync(w.Session, key!);
            if (existing is not null)
            {
                if (ParticipantAccess.Check(existing, key!, _actor) is { } denied) return Refused(denied);
                if (existing.SiteCode != site)
                    return Refused(Invalid.Field("SiteRef", $"Participant {key} is a participant of site {existing.SiteCode}, not {site}."));
                return (Status.AlreadyPresent, existing.Id, null);
            }

            var e = subject.Extension;
            if (!e.ContainsKey(OdmExtension.EnrolledDate))
            {
                return Refused(Invalid.Field("SubjectKey",
                    $"Participant {key} is not enrolled in this study, and the file does not carry their enrolment ({OdmExtension.Prefix}:{OdmExtension.EnrolledDate} and the other enrolment attributes of SubjectData, as the export writes them)."));
            }
            var input = new EnrolmentInput(site, e.GetValueOrDefault(OdmExtension.Sex), Integer(errors, e, OdmExtension.BirthYear), Number(errors, e, OdmExtension.WeightKg),
                new EligibilityInput(Integer(errors, e, OdmExtension.FailedAntidepressantTrials), YesNo(errors, e, OdmExtension.PsychotherapyWithoutResponse),
                    YesNo(errors, e, OdmExtension.BpdDiagnosis), YesNo(errors, e, OdmExtension.PsychoticPersonalityOrganisation), YesNo(errors, e, OdmExtension.HighSuicideRisk)),
                Date(errors, e, OdmExtension.EnrolledDate));
            if (errors.Any) return Refused(errors.ToRefusal());
            var checkedEnrolment = enrol.Check(_actor, input, now);
            if (checkedEnrolment.IsRefused) return Refused(checkedEnrolment.Refusal!);
            var enrolled = await enrol.WriteAsync(w, checkedEnrolment.Value!);
            if (enrolled.IsRefused) return Refused(enrolled.Refusal!);
            // Codes are given by the site in order, so the file's participants keep their codes only when they come in that order
            // into a study whose site has the participants before them: otherwise the data would land under another code.
            if (enrolled.Value!.Code != key)
            {
                w.Refuse();
                return Refused(new Conflict(
                    $"Participant {key} is not enrolled here, and enrolling them at site {site} would give code {enrolled.Value.Code}: a site numbers its participants in order, so import them in the order of their codes, after the participants before them.",
                    new Dictionary<string, object?> { ["field"] = "SubjectKey", ["nextCode"] = enrolled.Value.Code }));
            }
            return (Status.Accepted, enrolled.Value.Id, null);
        }

        /// <summary>The visit: already recorded on the file's date, or recorded on it.</summary>
        private async Task<(Status, Guid?, Refusal?)> VisitAsync(WriteScope w, OdmSubjectData subject, OdmStudyEventData visit)
        {
            var errors = new FieldErrors();
            var visitCode = VisitCode(errors, visit.StudyEventOid);
            var date = visit.Extension.ContainsKey(OdmExtension.ActualDate) ? Date(errors, visit.Extension, OdmExtension.ActualDate) : null;
            if (errors.Any) return Refused(errors.ToRefusal());
            var key = subject.SubjectKey ?? "";
            var participant = await ParticipantQueries.FindByCodeAsync(w.Session, key);
            if (ParticipantAccess.Check(participant, key, _actor) is { } refusal) return Refused(refusal);
            var existing = (await ParticipantQueries.VisitRecordsAsync(w.Session, participant!.Id)).FirstOrDefault(r => r.VisitCode == visitCode);
            if (existing is not null)
            {
                if (date is null || existing.ActualDate == date) return (Status.AlreadyPresent, existing.Id, null);
                return Refused(new Conflict(
                    $"{visitCode} of {key} is recorded on {existing.ActualDate:yyyy-MM-dd}, not {date:yyyy-MM-dd}; a recorded date is corrected through PUT /api/v1/participants/{key}/visits/{visitCode} with a reason.",
                    new Dictionary<string, object?> { ["field"] = $"{OdmExtension.Prefix}:{OdmExtension.ActualDate}" }));
            }
            if (date is null)
            {
                return Refused(Invalid.Field($"{OdmExtension.Prefix}:{OdmExtension.ActualDate}",
                    $"{visitCode} of {key} is not recorded, and the file does not give the date it happened ({OdmExtension.Prefix}:{OdmExtension.ActualDate} on StudyEventData)."));
            }
            var checkedVisit = await visits.CheckAsync(_actor, new RecordVisitInput(key, visitCode!, date, null), null, now, w.Session);
            if (checkedVisit.IsRefused) return Refused(checkedVisit.Refusal!);
            var recorded = await visits.WriteAsync(w, checkedVisit.Value!);
            if (recorded.IsRefused) return Refused(recorded.Refusal!);
            return (Status.Accepted, recorded.Value!.Record?.Id, null);
        }

        /// <summary>
        /// The assessment: already stored with the same values, administration time and unscheduled flag, or entered as the single
        /// POST enters it (which refuses a slot already holding another assessment with its 409).
        /// </summary>
        private async Task<(Status, Guid?, Refusal?)> AssessmentAsync(WriteScope w, OdmSubjectData subject, OdmStudyEventData visit, OdmFormData form)
        {
            var errors = new FieldErrors();
            var visitCode = VisitCode(errors, visit.StudyEventOid);
            var instrument = InstrumentOf(errors, form);
            var administered = form.Extension.ContainsKey(OdmExtension.AdministeredDateTime) ? Instant(errors, form.Extension, OdmExtension.AdministeredDateTime) : null;
            var items = instrument is null ? null : Items(errors, instrument, form);
            if (errors.Any) return Refused(errors.ToRefusal());

            var key = subject.SubjectKey ?? "";
            var unscheduled = form.Extension.GetValueOrDefault(OdmExtension.Unscheduled) == "Yes" ? true : (bool?)null;
            var values = new AssessmentValues(instrument!.Code, form.RepeatKey, administered, items, unscheduled, null);
            var checkedAssessment = await assessments.CheckAsync(_actor, key, visitCode!, values, now, w.Session);
            if (checkedAssessment.IsRefused) return Refused(checkedAssessment.Refusal!);
            var row = checkedAssessment.Value!.Assessment;
            if (await AssessmentQueries.FindIdAsync(w.Session, row.Row.ParticipantId, row.Row.VisitCode, row.Row.Instrument, row.Row.Timepoint) is { } existingId
                && await AssessmentQueries.GetAsync(w.Session, existingId) is { } stored && stored.Items.SequenceEqual(row.Items)
                && stored.Row.AdministeredUtc == row.Row.AdministeredUtc && stored.Row.Unscheduled == row.Row.Unscheduled)
            {
                return (Status.AlreadyPresent, existingId, null);
            }
            var written = await assessments.WriteAsync(w, checkedAssessment.Value);
            if (written.IsRefused) return Refused(written.Refusal!);
            _pendingWritten.Add(instrument.Code);
            return (Status.Accepted, row.Row.Id, null);
        }

        private string? VisitCode(FieldErrors errors, string? oid)
        {
            if (oid is { Length: > 3 } && oid.StartsWith("SE.", StringComparison.Ordinal) && protocol.FindVisit(oid[3..]) is not null) return oid[3..];
            errors.Add("StudyEventOID", $"StudyEventOID must be SE.<visit code> of a visit of the protocol ({string.Join(", ", protocol.Visits.Select(v => "SE." + v.Code))}); got '{oid}'.");
            return null;
        }

        private static InstrumentDefinition? InstrumentOf(FieldErrors errors, OdmFormData form)
        {
            var code = form.FormOid is { Length: > 2 } oid && oid.StartsWith("F.", StringComparison.Ordinal) ? oid[2..] : null;
            if (code is null || !InstrumentCatalog.TryGet(code, out var definition))
            {
                errors.Add("FormOID", $"FormOID must be F.<instrument> ({string.Join(", ", InstrumentCatalog.All.Select(i => "F." + i.Code))}); got '{form.FormOid}'.");
                return null;
            }
            if (form.ItemGroupOids.Any(g => g != OdmOids.ItemGroup(code)))
                errors.Add("ItemGroupOID", $"The item group of {form.FormOid} is {OdmOids.ItemGroup(code)}; got '{form.ItemGroupOids.First(g => g != OdmOids.ItemGroup(code))}'.");
            return definition;
        }

        /// <summary>
        /// The form's items in item order as the API's JSON body gives them: a number as written, null for IsNull="Yes" or an item
        /// the form leaves out, text that is not a number as a JSON string (which the use case refuses, naming the item).
        /// </summary>
        private static JsonElement[]? Items(FieldErrors errors, InstrumentDefinition instrument, OdmFormData form)
        {
            var items = Enumerable.Repeat(JsonSerializer.SerializeToElement<object?>(null), instrument.ItemCount).ToArray();
            var prefix = $"I.{instrument.Code}.";
            var given = new HashSet<int>();
            foreach (var item in form.Items)
            {
                if (item.ItemOid is not { } oid || !oid.StartsWith(prefix, StringComparison.Ordinal)
                    || !int.TryParse(oid[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > instrument.ItemCount)
                {
                    errors.Add("ItemOID", $"ItemOID must be {OdmOids.Item(instrument.Code, 1)} to {OdmOids.Item(instrument.Code, instrument.ItemCount)}; got '{item.ItemOid}'.");
                    continue;
                }
                // A second value of one item (repeated ItemData, or item groups repeated in one form) is not chosen between.
                if (!given.Add(number))
                {
                    errors.Add("ItemOID", $"{oid} is given more than once in {form.FormOid}; each item has one value.");
                    continue;
                }
                if (item.Value is null) continue;
                items[number - 1] = decimal.TryParse(item.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                    ? JsonSerializer.SerializeToElement(value)
                    : JsonSerializer.SerializeToElement(item.Value);
            }
            return errors.Any ? null : items;
        }

        private static string Attribute(string name) => $"{OdmExtension.Prefix}:{name}";

        private static int? Integer(FieldErrors errors, IReadOnlyDictionary<string, string> e, string name)
        {
            if (!e.TryGetValue(name, out var text)) return null;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
            errors.Add(Attribute(name), $"{Attribute(name)} must be a whole number; got '{text}'.");
            return null;
        }

        private static decimal? Number(FieldErrors errors, IReadOnlyDictionary<string, string> e, string name)
        {
            if (!e.TryGetValue(name, out var text)) return null;
            if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return value;
            errors.Add(Attribute(name), $"{Attribute(name)} must be a number; got '{text}'.");
            return null;
        }

        private static bool? YesNo(FieldErrors errors, IReadOnlyDictionary<string, string> e, string name)
        {
            if (!e.TryGetValue(name, out var text)) return null;
            if (text is "Yes" or "No") return text == "Yes";
            errors.Add(Attribute(name), $"{Attribute(name)} must be Yes or No; got '{text}'.");
            return null;
        }

        private static DateOnly? Date(FieldErrors errors, IReadOnlyDictionary<string, string> e, string name)
        {
            if (!e.TryGetValue(name, out var text)) return null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)) return value;
            errors.Add(Attribute(name), $"{Attribute(name)} must be a date (yyyy-MM-dd); got '{text}'.");
            return null;
        }

        /// <summary>An instant with its offset (the export writes UTC with Z); one without is refused, as the API refuses it.</summary>
        private static DateTime? Instant(FieldErrors errors, IReadOnlyDictionary<string, string> e, string name)
        {
            var text = e[name];
            if ((text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
            {
                return value.UtcDateTime;
            }
            errors.Add(Attribute(name), $"{Attribute(name)} must be an instant with its time zone (2026-03-01T09:30:00Z); got '{text}'.");
            return null;
        }

        private async Task WriteResultAsync(RecordResult r)
        {
            if (_writer is null)
            {
                _buffer = new FileBufferingWriteStream();
                http.Response.RegisterForDisposeAsync(_buffer);
                _writer = new Utf8JsonWriter(_buffer);
                _writer.WriteStartArray();
            }
            var writer = _writer;
            writer.WriteStartObject();
            writer.WriteNumber("row", r.Row);
            writer.WriteString("rowKey", r.RowKey);
            writer.WriteString("kind", r.Kind);
            writer.WriteString("subjectKey", r.SubjectKey);
            writer.WriteString("studyEventOid", r.StudyEventOid);
            writer.WriteString("formOid", r.FormOid);
            writer.WriteString("formRepeatKey", r.FormRepeatKey);
            writer.WriteNumber("line", r.Line);
            writer.WriteString("status", r.Status switch { Status.Accepted => "accepted", Status.AlreadyPresent => "already-present", _ => "refused" });
            if (r.Id is { } id) writer.WriteString("id", id);
            else writer.WriteNull("id");
            writer.WritePropertyName("problem");
            // The problem+json the API answers for the same data, made by the same code.
            if (r.Refusal is null) writer.WriteNullValue();
            else writer.WriteRawValue((await CapturedResponse.CaptureAsync(r.Refusal.ToResult(), http)).Body!, skipInputValidation: true);
            writer.WriteEndObject();
            _ = r.Status switch
            {
                Status.Accepted => ++_accepted,
                Status.AlreadyPresent => ++_alreadyPresent,
                _ => ++_refused,
            };
            if (writer.BytesPending > 16 * 1024) await writer.FlushAsync();
        }

        /// <summary>The answer: the counts, then the results as they were buffered, then where the import stopped if it did.</summary>
        public async Task<IResult> AnswerAsync()
        {
            string? stopped = null;
            if (Stopped is not null)
            {
                var problem = Microsoft.AspNetCore.Http.Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The import stopped.", detail: Stopped,
                    extensions: new Dictionary<string, object?> { ["field"] = "body" });
                stopped = (await CapturedResponse.CaptureAsync(problem, http)).Body;
            }
            if (_writer is not null)
            {
                _writer.WriteEndArray();
                await _writer.FlushAsync();
                await _writer.DisposeAsync();
            }
            return new Answer(_buffer, _accepted, _alreadyPresent, _refused, stopped);
        }
    }

    private sealed class Answer(FileBufferingWriteStream? results, int accepted, int alreadyPresent, int refused, string? stopped) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/json; charset=utf-8";
            var body = http.Response.Body;
            await body.WriteAsync(Encoding.UTF8.GetBytes($"{{\"accepted\":{accepted},\"alreadyPresent\":{alreadyPresent},\"refused\":{refused},\"results\":"));
            if (results is null) await body.WriteAsync("[]"u8.ToArray());
            else await results.DrainBufferAsync(body);
            if (stopped is not null) await body.WriteAsync(Encoding.UTF8.GetBytes($",\"stopped\":{stopped}"));
            await body.WriteAsync("}"u8.ToArray());
        }
    }
}
