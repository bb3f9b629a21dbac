using System.Globalization;
using System.Xml.Linq;

namespace Trial.Tests;

/// <summary>
/// Checks an ODM 1.3.2 document against the rules of the specification the export relies on, written here because the
/// CDISC XSD is not shipped with the project (its licence is CDISC's): the order of the children of each element the
/// export writes, the attributes each requires, every OID reference resolving to its definition (and clinical data to
/// the forms, item groups and items its definitions allow there), repeat keys only where a definition repeats, and
/// every value of the clinical data of its item's data type, within its range checks and in its code list.
/// Returns what is wrong, one line each; none for a sound document.
/// </summary>
internal static class OdmStructure
{
    public static readonly XNamespace Odm = "http://www.cdisc.org/ns/odm/v1.3";

    // Each element's children in the order ODM 1.3.2 allows them (only the ones the export may write).
    private static readonly Dictionary<string, string[]> ChildOrder = new()
    {
        ["ODM"] = ["Study", "AdminData", "ReferenceData", "ClinicalData"],
        ["Study"] = ["GlobalVariables", "BasicDefinitions", "MetaDataVersion"],
        ["GlobalVariables"] = ["StudyName", "StudyDescription", "ProtocolName"],
        ["MetaDataVersion"] = ["Include", "Protocol", "StudyEventDef", "FormDef", "ItemGroupDef", "ItemDef", "CodeList"],
        ["Protocol"] = ["Description", "StudyEventRef"],
        ["StudyEventDef"] = ["Description", "FormRef"],
        ["FormDef"] = ["Description", "ItemGroupRef"],
        ["ItemGroupDef"] = ["Description", "ItemRef"],
        ["ItemDef"] = ["Description", "Question", "ExternalQuestion", "MeasurementUnitRef", "RangeCheck", "CodeListRef"],
        ["Question"] = ["TranslatedText"],
        ["RangeCheck"] = ["CheckValue", "FormalExpression", "MeasurementUnitRef", "ErrorMessage"],
        ["CodeList"] = ["Description", "CodeListItem", "EnumeratedItem"],
        ["CodeListItem"] = ["Decode"],
        ["Decode"] = ["TranslatedText"],
        ["AdminData"] = ["User", "Location"],
        ["User"] = ["LoginName", "DisplayName"],
        ["Location"] = ["MetaDataVersionRef"],
        ["ClinicalData"] = ["SubjectData"],
        ["SubjectData"] = ["AuditRecord", "SiteRef", "StudyEventData"],
        ["StudyEventData"] = ["AuditRecord", "FormData"],
        ["FormData"] = ["AuditRecord", "ItemGroupData"],
        ["ItemGroupData"] = ["AuditRecord", "ItemData"],
        ["ItemData"] = ["AuditRecord"],
        ["AuditRecord"] = ["UserRef", "LocationRef", "DateTimeStamp", "ReasonForChange"],
    };

    private static readonly Dictionary<string, string[]> RequiredAttributes = new()
    {
        ["ODM"] = ["FileType", "FileOID", "CreationDateTime", "ODMVersion"],
        ["Study"] = ["OID"],
        ["MetaDataVersion"] = ["OID", "Name"],
        ["StudyEventRef"] = ["StudyEventOID", "Mandatory"],
        ["StudyEventDef"] = ["OID", "Name", "Repeating", "Type"],
        ["FormRef"] = ["FormOID", "Mandatory"],
        ["FormDef"] = ["OID", "Name", "Repeating"],
        ["ItemGroupRef"] = ["ItemGroupOID", "Mandatory"],
        ["ItemGroupDef"] = ["OID", "Name", "Repeating"],
        ["ItemRef"] = ["ItemOID", "Mandatory"],
        ["ItemDef"] = ["OID", "Name", "DataType"],
        ["RangeCheck"] = ["Comparator", "SoftHard"],
        ["CodeListRef"] = ["CodeListOID"],
        ["CodeList"] = ["OID", "Name", "DataType"],
        ["CodeListItem"] = ["CodedValue"],
        ["EnumeratedItem"] = ["CodedValue"],
        ["User"] = ["OID"],
        ["Location"] = ["OID", "Name"],
        ["MetaDataVersionRef"] = ["StudyOID", "MetaDataVersionOID", "EffectiveDate"],
        ["ClinicalData"] = ["StudyOID", "MetaDataVersionOID"],
        ["SubjectData"] = ["SubjectKey"],
        ["SiteRef"] = ["LocationOID"],
        ["StudyEventData"] = ["StudyEventOID"],
        ["FormData"] = ["FormOID"],
        ["ItemGroupData"] = ["ItemGroupOID"],
        ["ItemData"] = ["ItemOID"],
        ["UserRef"] = ["UserOID"],
        ["LocationRef"] = ["LocationOID"],
    };

    public static IReadOnlyList<string> Problems(XDocument document)
    {
        var problems = new List<string>();
        var root = document.Root!;
        if (root.Name != Odm + "ODM") return [$"the root is {root.Name}, not ODM in {Odm}"];
        if ((string?)root.Attribute("ODMVersion") != "1.3.2") problems.Add($"ODMVersion is {(string?)root.Attribute("ODMVersion")}, not 1.3.2");
        if ((string?)root.Attribute("FileType") is not ("Snapshot" or "Transactional")) problems.Add("FileType is neither Snapshot nor Transactional");

        foreach (var element in root.DescendantsAndSelf())
        {
            var name = element.Name.LocalName;
            if (element.Name.Namespace != Odm) problems.Add($"{element.Name} is outside the ODM namespace");
            if (RequiredAttributes.TryGetValue(name, out var required))
                problems.AddRange(required.Where(a => element.Attribute(a) is null).Select(a => $"{Path(element)} has no {a}"));
            if (ChildOrder.TryGetValue(name, out var order))
            {
                var last = -1;
                foreach (var child in element.Elements())
                {
                    var rank = Array.IndexOf(order, child.Name.LocalName);
                    if (rank < 0) problems.Add($"{Path(element)} may not hold {child.Name.LocalName}");
                    else if (rank < last) problems.Add($"{Path(element)}: {child.Name.LocalName} comes after {order[last]}");
                    last = Math.Max(last, rank);
                }
            }
        }

        var studies = Defs(root, "Study");
        var versions = Defs(root, "MetaDataVersion");
        var events = Defs(root, "StudyEventDef");
        var forms = Defs(root, "FormDef");
        var groups = Defs(root, "ItemGroupDef");
        var items = Defs(root, "ItemDef");
        var codeLists = Defs(root, "CodeList");
        var users = Defs(root, "User");
        var locations = Defs(root, "Location");
        foreach (var kind in new[] { "StudyEventDef", "FormDef", "ItemGroupDef", "ItemDef", "CodeList", "User", "Location" })
        {
            problems.AddRange(root.Descendants(Odm + kind).GroupBy(e => (string?)e.Attribute("OID")).Where(g => g.Count() > 1)
                .Select(g => $"{kind} OID {g.Key} is defined {g.Count()} times"));
        }

        // A code list gives its values one way: with decodes (CodeListItem) or without (EnumeratedItem), not both.
        problems.AddRange(codeLists.Values.Where(c => c.Elements(Odm + "CodeListItem").Any() && c.Elements(Odm + "EnumeratedItem").Any())
            .Select(c => $"CodeList {(string?)c.Attribute("OID")} mixes CodeListItem and EnumeratedItem"));

        Resolve(root, "StudyEventRef", "StudyEventOID", events, problems);
        Resolve(root, "FormRef", "FormOID", forms, problems);
        Resolve(root, "ItemGroupRef", "ItemGroupOID", groups, problems);
        Resolve(root, "ItemRef", "ItemOID", items, problems);
        Resolve(root, "CodeListRef", "CodeListOID", codeLists, problems);
        Resolve(root, "UserRef", "UserOID", users, problems);
        Resolve(root, "LocationRef", "LocationOID", locations, problems);
        Resolve(root, "SiteRef", "LocationOID", locations, problems);
        Resolve(root, "ClinicalData", "StudyOID", studies, problems);
        Resolve(root, "ClinicalData", "MetaDataVersionOID", versions, problems);
        Resolve(root, "MetaDataVersionRef", "StudyOID", studies, problems);
        Resolve(root, "MetaDataVersionRef", "MetaDataVersionOID", versions, problems);

        foreach (var subject in root.Descendants(Odm + "SubjectData"))
        {
            var key = (string?)subject.Attribute("SubjectKey");
            foreach (var visit in subject.Elements(Odm + "StudyEventData"))
            {
                var eventOid = (string?)visit.Attribute("StudyEventOID");
                if (!events.TryGetValue(eventOid ?? "", out var eventDef))
                {
                    problems.Add($"subject {key}: StudyEventData {eventOid} has no StudyEventDef");
                    continue;
                }
                if ((string?)eventDef.Attribute("Repeating") == "No" && subject.Elements(Odm + "StudyEventData").Count(v => (string?)v.Attribute("StudyEventOID") == eventOid) > 1)
                    problems.Add($"subject {key}: the non-repeating {eventOid} occurs more than once");
                var formsHere = Refs(eventDef, "FormRef", "FormOID");
                foreach (var form in visit.Elements(Odm + "FormData"))
                {
                    var formOid = (string?)form.Attribute("FormOID") ?? "";
                    var where = $"subject {key} {eventOid} {formOid}";
                    if (!formsHere.Contains(formOid) || !forms.TryGetValue(formOid, out var formDef))
                    {
                        problems.Add($"{where}: not a form of {eventOid}");
                        continue;
                    }
                    var repeatKey = (string?)form.Attribute("FormRepeatKey");
                    if (repeatKey is not null && (string?)formDef.Attribute("Repeating") != "Yes") problems.Add($"{where}: FormRepeatKey on a non-repeating form");
                    if (visit.Elements(Odm + "FormData").Count(f => (string?)f.Attribute("FormOID") == formOid && (string?)f.Attribute("FormRepeatKey") == repeatKey) > 1)
                        problems.Add($"{where}: FormData repeated with the same FormRepeatKey {repeatKey}");
                    var groupsHere = Refs(formDef, "ItemGroupRef", "ItemGroupOID");
                    foreach (var group in form.Elements(Odm + "ItemGroupData"))
                    {
                        var groupOid = (string?)group.Attribute("ItemGroupOID") ?? "";
                        if (!groupsHere.Contains(groupOid) || !groups.TryGetValue(groupOid, out var groupDef))
                        {
                            problems.Add($"{where}: {groupOid} is not an item group of {formOid}");
                            continue;
                        }
                        var itemsHere = Refs(groupDef, "ItemRef", "ItemOID");
                        foreach (var data in group.Elements(Odm + "ItemData"))
                        {
                            var itemOid = (string?)data.Attribute("ItemOID") ?? "";
                            if (!itemsHere.Contains(itemOid) || !items.TryGetValue(itemOid, out var itemDef))
                                problems.Add($"{where}: {itemOid} is not an item of {groupOid}");
                            else problems.AddRange(ValueProblems(data, itemDef, codeLists).Select(p => $"{where} {itemOid}: {p}"));
                        }
                    }
                }
            }
        }
        return problems;
    }

    /// <summary>What is wrong with an ItemData's value: a value or IsNull="Yes" (not both), of the item's type, in its ranges and code list.</summary>
    private static IEnumerable<string> ValueProblems(XElement data, XElement itemDef, IReadOnlyDictionary<string, XElement> codeLists)
    {
        var text = (string?)data.Attribute("Value");
        var isNull = (string?)data.Attribute("IsNull");
        if (text is null)
        {
            if (isNull != "Yes") yield return "neither Value nor IsNull=\"Yes\"";
            yield break;
        }
        if (isNull is not null) yield return "both Value and IsNull";
        var type = (string?)itemDef.Attribute("DataType");
        var parsed = type switch
        {
            "integer" => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : (decimal?)null,
            "float" => decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) ? d : null,
            _ => null,
        };
        if (parsed is not { } value)
        {
            yield return $"'{text}' is not a value of type {type}";
            yield break;
        }
        foreach (var check in itemDef.Elements(Odm + "RangeCheck"))
        {
            var limit = decimal.Parse((string)check.Element(Odm + "CheckValue")!, CultureInfo.InvariantCulture);
            var comparator = (string?)check.Attribute("Comparator");
            var holds = comparator switch
            {
                "GE" => value >= limit,
                "GT" => value > limit,
                "LE" => value <= limit,
                "LT" => value < limit,
                "EQ" => value == limit,
                "NE" => value != limit,
                _ => false,
            };
            if (!holds) yield return $"{text} fails the range check {comparator} {limit}";
        }
        if (itemDef.Element(Odm + "CodeListRef") is { } codeListRef
            && codeLists.TryGetValue((string?)codeListRef.Attribute("CodeListOID") ?? "", out var codeList)
            && !codeList.Elements(Odm + "CodeListItem").Concat(codeList.Elements(Odm + "EnumeratedItem")).Any(c => (string?)c.Attribute("CodedValue") == text))
        {
            yield return $"{text} is not in code list {(string?)codeList.Attribute("OID")}";
        }
    }

    private static Dictionary<string, XElement> Defs(XElement root, string kind) =>
        root.Descendants(Odm + kind).GroupBy(e => (string?)e.Attribute("OID") ?? "").ToDictionary(g => g.Key, g => g.First());

    private static HashSet<string> Refs(XElement def, string kind, string attribute) =>
        def.Elements(Odm + kind).Select(e => (string?)e.Attribute(attribute) ?? "").ToHashSet();

    private static void Resolve(XElement root, string kind, string attribute, IReadOnlyDictionary<string, XElement> defs, List<string> problems) =>
        problems.AddRange(root.Descendants(Odm + kind).Select(e => (string?)e.Attribute(attribute))
            .Where(oid => oid is not null && !defs.ContainsKey(oid)).Distinct().Select(oid => $"{kind} {attribute}={oid} resolves to nothing"));

    private static string Path(XElement element) =>
        element.Attribute("OID") is { } oid ? $"{element.Name.LocalName} {oid.Value}" : element.Name.LocalName;
}
