using System.Globalization;
using System.Text;
using System.Xml;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Extracts.Writing;

namespace Trial.Extracts.Odm;

/// <summary>A user an audit record names: by id and role only (no name, no token).</summary>
public sealed record OdmUser(Guid Id, string? Role);

/// <summary>Who last set an item's value, when, and why when it was a correction (null reason for the first entry).</summary>
public sealed record OdmAudit(Guid User, DateTime AtUtc, string? Reason);

/// <summary>What a participant was enrolled with: the date, sex, birth year, weight and the answers to the eligibility criteria.</summary>
public sealed record OdmEnrolment(DateOnly EnrolledDate, string Sex, int BirthYear, decimal WeightKg, int FailedAntidepressantTrials,
    bool PsychotherapyWithoutResponse, bool BpdDiagnosis, bool PsychoticPersonalityOrganisation, bool HighSuicideRisk);

/// <summary>When an assessment was administered, and whether the protocol does not schedule it where it was given.</summary>
public sealed record OdmForm(DateTime AdministeredUtc, bool Unscheduled);

/// <summary>
/// One row of the clinical data, in participant, visit and assessment order: an item's value (null for an unanswered item) with
/// its audit record; or a recorded visit without assessments (<see cref="Instrument"/> null); or a participant without recorded
/// visits (<see cref="Visit"/> null). Each row repeats its participant's <see cref="Enrolment"/>, its visit's date
/// (<see cref="VisitDate"/>, null for a visit not recorded) and its assessment's <see cref="Form"/>, so the writer needs no lookup.
/// </summary>
public sealed record OdmItem(string Subject, string Site, string? Visit, string? Instrument, string? Timepoint, int Item, decimal? Value, OdmAudit? Audit,
    OdmEnrolment? Enrolment = null, DateOnly? VisitDate = null, OdmForm? Form = null);

/// <summary>What the document says about itself and what its metadata and administrative data hold.</summary>
public sealed record OdmFile(
    string FileOid, DateTime CreatedUtc, ProtocolDefinition Protocol, IReadOnlyList<InstrumentDefinition> Instruments, IReadOnlyList<OdmUser> Users,
    IReadOnlyList<string> Sites);

/// <summary>How much clinical data a document carried: participants and item values (unanswered ones included).</summary>
public sealed record OdmCounts(long Subjects, long Items);

/// <summary>The OIDs of the document: stable, readable, derived from the protocol's and the instruments' own codes.</summary>
public static class OdmOids
{
    public static string Study(ProtocolDefinition protocol) => protocol.ProtocolId;
    public static string MetaDataVersion(ProtocolDefinition protocol) => "MDV." + protocol.Version;
    public static string StudyEvent(string visit) => "SE." + visit;
    public static string Form(string instrument) => "F." + instrument;
    public static string ItemGroup(string instrument) => "IG." + instrument;
    public static string Item(string instrument, int item) => string.Create(CultureInfo.InvariantCulture, $"I.{instrument}.{item:00}");
    public static string CodeList(string instrument) => "CL." + instrument;
    public static string Location(string site) => "LOC." + site;
    public static string User(Guid id) => "USR." + id.ToString("D");
}

/// <summary>
/// Trial's extension of ODM 1.3.2: what the standard has no place for but an import into another study needs to enter the
/// same data through the API's use cases, as attributes in a namespace of Trial's own (ODM allows vendor extensions in
/// their own namespace; a reader that does not know them skips them). No element is added, so the document keeps the
/// ODM structure. On SubjectData: the enrolment (date, sex, birth year, weight and the eligibility answers); on
/// StudyEventData: the date the visit happened; on FormData: when the assessment was administered, and whether it was
/// unscheduled.
/// </summary>
public static class OdmExtension
{
    public const string Namespace = "urn:trial:odm:extension:1";
    public const string Prefix = "trial";
    public const string EnrolledDate = "EnrolledDate", Sex = "Sex", BirthYear = "BirthYear", WeightKg = "WeightKg";
    public const string FailedAntidepressantTrials = "FailedAntidepressantTrials", PsychotherapyWithoutResponse = "PsychotherapyWithoutResponse";
    public const string BpdDiagnosis = "BpdDiagnosis", PsychoticPersonalityOrganisation = "PsychoticPersonalityOrganisation", HighSuicideRisk = "HighSuicideRisk";
    public const string ActualDate = "ActualDate";
    public const string AdministeredDateTime = "AdministeredDateTime", Unscheduled = "Unscheduled";
}

/// <summary>
/// Writes a CDISC ODM 1.3.2 snapshot document: the protocol's visits and the instruments as metadata, the users and sites the
/// audit records name as administrative data, then one SubjectData per participant, written as its rows arrive, so memory
/// holds one participant's XML at a time. The response body allows only asynchronous writes: the XmlWriter writes into a
/// <see cref="SyncWriteBuffer"/> that is sent after each participant.
/// The element order and the attributes written follow the ODM 1.3.2 specification; the XSD is not shipped (its licence is
/// CDISC's), so the tests check the structure this writer relies on instead (docs/extracts.md, "ODM").
/// An infusion visit gives an instrument at several timepoints: each is a FormData of the visit with the timepoint as its
/// FormRepeatKey (pre, t40, t120, t240), so the instruments given at timepoints have repeating FormDefs.
/// No arm, stratum, drug or dose is ever written, whoever asks (nor the protocol file's description, which names the drugs).
/// </summary>
public static class OdmWriter
{
    public const string Namespace = "http://www.cdisc.org/ns/odm/v1.3";
    public const string Version = "1.3.2";
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public static async Task<OdmCounts> WriteAsync(Stream output, OdmFile file, IAsyncEnumerable<OdmItem> items, CancellationToken ct)
    {
        var buffer = new SyncWriteBuffer(output);
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, CloseOutput = false };
        long subjects = 0, values = 0;
        using (var w = XmlWriter.Create(buffer, settings))
        {
            var protocol = file.Protocol;
            w.WriteStartDocument();
            w.WriteStartElement("ODM", Namespace);
            w.WriteAttributeString("FileType", "Snapshot");
            w.WriteAttributeString("FileOID", file.FileOid);
            w.WriteAttributeString("CreationDateTime", Instant(file.CreatedUtc));
            w.WriteAttributeString("ODMVersion", Version);
            w.WriteAttributeString("Originator", "Trial");
            w.WriteAttributeString("xmlns", OdmExtension.Prefix, null, OdmExtension.Namespace);
            WriteStudy(w, file);
            WriteAdminData(w, file);

            w.WriteStartElement("ClinicalData");
            w.WriteAttributeString("StudyOID", OdmOids.Study(protocol));
            w.WriteAttributeString("MetaDataVersionOID", OdmOids.MetaDataVersion(protocol));
            var open = new OpenElements();
            await foreach (var row in items.WithCancellation(ct))
            {
                if (row.Subject != open.Subject)
                {
                    if (open.Subject is not null)
                    {
                        open.CloseSubject(w);
                        w.Flush();
                        await buffer.DrainAsync(ct);
                    }
                    subjects++;
                    open.Subject = row.Subject;
                    w.WriteStartElement("SubjectData");
                    w.WriteAttributeString("SubjectKey", row.Subject);
                    if (row.Enrolment is { } enrolment) WriteEnrolment(w, enrolment);
                    w.WriteStartElement("SiteRef");
                    w.WriteAttributeString("LocationOID", OdmOids.Location(row.Site));
                    w.WriteEndElement();
                }
                if (row.Visit is null) continue;
                if (row.Visit != open.Visit)
                {
                    open.CloseVisit(w);
                    open.Visit = row.Visit;
                    w.WriteStartElement("StudyEventData");
                    w.WriteAttributeString("StudyEventOID", OdmOids.StudyEvent(row.Visit));
                    if (row.VisitDate is { } date) Extension(w, OdmExtension.ActualDate, ExtractText.Date(date));
                }
                if (row.Instrument is null) continue;
                if (row.Instrument != open.Instrument || row.Timepoint != open.Timepoint)
                {
                    open.CloseForm(w);
                    (open.Instrument, open.Timepoint) = (row.Instrument, row.Timepoint);
                    w.WriteStartElement("FormData");
                    w.WriteAttributeString("FormOID", OdmOids.Form(row.Instrument));
                    if (row.Timepoint is not null) w.WriteAttributeString("FormRepeatKey", row.Timepoint);
                    if (row.Form is { } form)
                    {
                        Extension(w, OdmExtension.AdministeredDateTime, Instant(form.AdministeredUtc));
                        if (form.Unscheduled) Extension(w, OdmExtension.Unscheduled, "Yes");
                    }
                    w.WriteStartElement("ItemGroupData");
                    w.WriteAttributeString("ItemGroupOID", OdmOids.ItemGroup(row.Instrument));
                }
                values++;
                WriteItemData(w, row);
            }
            if (open.Subject is not null) open.CloseSubject(w);
            w.WriteEndElement(); // ClinicalData
            w.WriteEndElement(); // ODM
            w.WriteEndDocument();
        }
        await buffer.DrainAsync(ct);
        return new OdmCounts(subjects, values);
    }

    private static void WriteEnrolment(XmlWriter w, OdmEnrolment e)
    {
        Extension(w, OdmExtension.EnrolledDate, ExtractText.Date(e.EnrolledDate));
        Extension(w, OdmExtension.Sex, e.Sex);
        Extension(w, OdmExtension.BirthYear, e.BirthYear.ToString(CultureInfo.InvariantCulture));
        Extension(w, OdmExtension.WeightKg, ExtractText.Number(e.WeightKg));
        Extension(w, OdmExtension.FailedAntidepressantTrials, e.FailedAntidepressantTrials.ToString(CultureInfo.InvariantCulture));
        Extension(w, OdmExtension.PsychotherapyWithoutResponse, YesNo(e.PsychotherapyWithoutResponse));
        Extension(w, OdmExtension.BpdDiagnosis, YesNo(e.BpdDiagnosis));
        Extension(w, OdmExtension.PsychoticPersonalityOrganisation, YesNo(e.PsychoticPersonalityOrganisation));
        Extension(w, OdmExtension.HighSuicideRisk, YesNo(e.HighSuicideRisk));
    }

    private static string YesNo(bool value) => value ? "Yes" : "No";

    private static void Extension(XmlWriter w, string name, string? value) => w.WriteAttributeString(OdmExtension.Prefix, name, OdmExtension.Namespace, value);

    /// <summary>The SubjectData, StudyEventData and FormData (with its one ItemGroupData) being written.</summary>
    private sealed class OpenElements
    {
        public string? Subject, Visit, Instrument, Timepoint;

        public void CloseForm(XmlWriter w)
        {
            if (Instrument is null) return;
            w.WriteEndElement(); // ItemGroupData
            w.WriteEndElement(); // FormData
            (Instrument, Timepoint) = (null, null);
        }

        public void CloseVisit(XmlWriter w)
        {
            CloseForm(w);
            if (Visit is null) return;
            w.WriteEndElement(); // StudyEventData
            Visit = null;
        }

        public void CloseSubject(XmlWriter w)
        {
            CloseVisit(w);
            w.WriteEndElement(); // SubjectData
            Subject = null;
        }
    }

    private static void WriteItemData(XmlWriter w, OdmItem row)
    {
        w.WriteStartElement("ItemData");
        w.WriteAttributeString("ItemOID", OdmOids.Item(row.Instrument!, row.Item));
        if (row.Value is { } value) w.WriteAttributeString("Value", ExtractText.Number(value));
        else w.WriteAttributeString("IsNull", "Yes");
        if (row.Audit is { } audit)
        {
            w.WriteStartElement("AuditRecord");
            w.WriteStartElement("UserRef");
            w.WriteAttributeString("UserOID", OdmOids.User(audit.User));
            w.WriteEndElement();
            w.WriteStartElement("LocationRef");
            w.WriteAttributeString("LocationOID", OdmOids.Location(row.Site));
            w.WriteEndElement();
            w.WriteElementString("DateTimeStamp", Instant(audit.AtUtc));
            if (audit.Reason is not null) w.WriteElementString("ReasonForChange", audit.Reason);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void WriteStudy(XmlWriter w, OdmFile file)
    {
        var protocol = file.Protocol;
        w.WriteStartElement("Study");
        w.WriteAttributeString("OID", OdmOids.Study(protocol));
        w.WriteStartElement("GlobalVariables");
        w.WriteElementString("StudyName", protocol.ProtocolId);
        // Not the protocol file's description: it names the arms' drugs, and the document goes to blinded readers.
        w.WriteElementString("StudyDescription", $"{protocol.ProtocolId}, protocol version {protocol.Version}");
        w.WriteElementString("ProtocolName", protocol.ProtocolId);
        w.WriteEndElement();

        w.WriteStartElement("MetaDataVersion");
        w.WriteAttributeString("OID", OdmOids.MetaDataVersion(protocol));
        w.WriteAttributeString("Name", $"{protocol.ProtocolId} protocol version {protocol.Version}");
        w.WriteStartElement("Protocol");
        foreach (var (visit, order) in protocol.Visits.Select((v, i) => (v, i + 1)))
        {
            w.WriteStartElement("StudyEventRef");
            w.WriteAttributeString("StudyEventOID", OdmOids.StudyEvent(visit.Code));
            w.WriteAttributeString("OrderNumber", order.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("Mandatory", "Yes");
            w.WriteEndElement();
        }
        w.WriteEndElement(); // Protocol

        foreach (var visit in protocol.Visits)
        {
            w.WriteStartElement("StudyEventDef");
            w.WriteAttributeString("OID", OdmOids.StudyEvent(visit.Code));
            w.WriteAttributeString("Name", visit.Name);
            w.WriteAttributeString("Repeating", "No");
            w.WriteAttributeString("Type", "Scheduled");
            // The visit's battery first, as required forms; then every other instrument, as optional, because an
            // unscheduled assessment may be entered at any visit and its FormData must still name a form of the visit.
            var scheduled = visit.Battery.SelectMany(b => b.Instruments).Distinct().ToList();
            var order = 0;
            foreach (var instrument in scheduled.Concat(file.Instruments.Select(i => i.Code).Except(scheduled)))
            {
                w.WriteStartElement("FormRef");
                w.WriteAttributeString("FormOID", OdmOids.Form(instrument));
                w.WriteAttributeString("OrderNumber", (++order).ToString(CultureInfo.InvariantCulture));
                w.WriteAttributeString("Mandatory", scheduled.Contains(instrument) ? "Yes" : "No");
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }

        foreach (var instrument in file.Instruments)
        {
            w.WriteStartElement("FormDef");
            w.WriteAttributeString("OID", OdmOids.Form(instrument.Code));
            w.WriteAttributeString("Name", instrument.Name);
            w.WriteAttributeString("Repeating", IsGivenAtTimepoints(protocol, instrument.Code) ? "Yes" : "No");
            w.WriteStartElement("ItemGroupRef");
            w.WriteAttributeString("ItemGroupOID", OdmOids.ItemGroup(instrument.Code));
            w.WriteAttributeString("Mandatory", "Yes");
            w.WriteEndElement();
            w.WriteEndElement();
        }

        foreach (var instrument in file.Instruments)
        {
            w.WriteStartElement("ItemGroupDef");
            w.WriteAttributeString("OID", OdmOids.ItemGroup(instrument.Code));
            w.WriteAttributeString("Name", instrument.Abbreviation);
            w.WriteAttributeString("Repeating", "No");
            for (var item = 1; item <= instrument.ItemCount; item++)
            {
                w.WriteStartElement("ItemRef");
                w.WriteAttributeString("ItemOID", OdmOids.Item(instrument.Code, item));
                w.WriteAttributeString("OrderNumber", item.ToString(CultureInfo.InvariantCulture));
                w.WriteAttributeString("Mandatory", "No"); // an item may be left unanswered
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }

        foreach (var instrument in file.Instruments)
        {
            for (var item = 1; item <= instrument.ItemCount; item++)
            {
                w.WriteStartElement("ItemDef");
                w.WriteAttributeString("OID", OdmOids.Item(instrument.Code, item));
                w.WriteAttributeString("Name", $"{instrument.Code}{item:00}");
                w.WriteAttributeString("DataType", instrument.MaxDecimals == 0 ? "integer" : "float");
                w.WriteStartElement("Question");
                w.WriteStartElement("TranslatedText");
                w.WriteAttributeString("xml", "lang", null, "en");
                w.WriteString(instrument.ItemLabels[item - 1]);
                w.WriteEndElement();
                w.WriteEndElement();
                WriteRangeCheck(w, "GE", instrument.MinValue);
                WriteRangeCheck(w, "LE", instrument.MaxValue);
                if (HasCodeList(instrument))
                {
                    w.WriteStartElement("CodeListRef");
                    w.WriteAttributeString("CodeListOID", OdmOids.CodeList(instrument.Code));
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
        }
        // A whole-number scale's values, one list per instrument (its items share the scale). No definition labels single
        // values, so they are EnumeratedItems (values without a decode). 5D-ASC's 0 to 100 in tenths has its range only.
        foreach (var instrument in file.Instruments.Where(HasCodeList))
        {
            w.WriteStartElement("CodeList");
            w.WriteAttributeString("OID", OdmOids.CodeList(instrument.Code));
            w.WriteAttributeString("Name", $"{instrument.Abbreviation} item values");
            w.WriteAttributeString("DataType", "integer");
            for (var value = instrument.MinValue; value <= instrument.MaxValue; value++)
            {
                w.WriteStartElement("EnumeratedItem");
                w.WriteAttributeString("CodedValue", ExtractText.Number(value));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement(); // MetaDataVersion
        w.WriteEndElement(); // Study
    }

    private static void WriteRangeCheck(XmlWriter w, string comparator, decimal value)
    {
        w.WriteStartElement("RangeCheck");
        w.WriteAttributeString("Comparator", comparator);
        w.WriteAttributeString("SoftHard", "Hard");
        w.WriteElementString("CheckValue", ExtractText.Number(value));
        w.WriteEndElement();
    }

    private static void WriteAdminData(XmlWriter w, OdmFile file)
    {
        w.WriteStartElement("AdminData");
        w.WriteAttributeString("StudyOID", OdmOids.Study(file.Protocol));
        foreach (var user in file.Users)
        {
            w.WriteStartElement("User");
            w.WriteAttributeString("OID", OdmOids.User(user.Id));
            w.WriteAttributeString("UserType", user.Role == "investigator" ? "Investigator" : "Other");
            w.WriteElementString("LoginName", user.Id.ToString("D"));
            // The role, not the person's name: who did what is traced by id in the audit trail, which the file does not replace.
            if (user.Role is not null) w.WriteElementString("DisplayName", user.Role);
            w.WriteEndElement();
        }
        foreach (var site in file.Sites)
        {
            w.WriteStartElement("Location");
            w.WriteAttributeString("OID", OdmOids.Location(site));
            w.WriteAttributeString("Name", site);
            w.WriteAttributeString("LocationType", "Site");
            w.WriteStartElement("MetaDataVersionRef");
            w.WriteAttributeString("StudyOID", OdmOids.Study(file.Protocol));
            w.WriteAttributeString("MetaDataVersionOID", OdmOids.MetaDataVersion(file.Protocol));
            w.WriteAttributeString("EffectiveDate", ExtractText.Date(DateOnly.FromDateTime(file.CreatedUtc)));
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    /// <summary>An instrument whose items take whole numbers: its values are few enough to list.</summary>
    private static bool HasCodeList(InstrumentDefinition instrument) => instrument.MaxDecimals == 0;

    private static bool IsGivenAtTimepoints(ProtocolDefinition protocol, string instrument) =>
        protocol.Visits.Any(v => v.Battery.Any(b => b.Timepoint is not null && b.Instruments.Contains(instrument)));

    private static string Instant(DateTime utc) =>
        (utc.Kind == DateTimeKind.Unspecified ? utc : utc.ToUniversalTime()).ToString(DateTimeFormat, CultureInfo.InvariantCulture);
}
