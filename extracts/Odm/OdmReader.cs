using System.Runtime.CompilerServices;
using System.Xml;

namespace Trial.Extracts.Odm;

/// <summary>What a document says it is: its ODM version and, from its ClinicalData, the study and metadata version its data is for.</summary>
public sealed record OdmHeader(string? OdmVersion, string? StudyOid, string? MetaDataVersionOid);

/// <summary>One ItemData: its item, and its value as written (null with IsNull="Yes", or when absent).</summary>
public sealed record OdmItemValue(string? ItemOid, string? Value);

/// <summary>One FormData with the ItemData of its item groups, and Trial's extension attributes (<see cref="OdmExtension"/>).</summary>
public sealed record OdmFormData(string? FormOid, string? RepeatKey, IReadOnlyList<string?> ItemGroupOids, IReadOnlyList<OdmItemValue> Items,
    IReadOnlyDictionary<string, string> Extension, int Line);

/// <summary>One StudyEventData with its forms and Trial's extension attributes.</summary>
public sealed record OdmStudyEventData(string? StudyEventOid, IReadOnlyList<OdmFormData> Forms, IReadOnlyDictionary<string, string> Extension, int Line);

/// <summary>One SubjectData: its key, its site (SiteRef's LocationOID), its visits and Trial's extension attributes.</summary>
public sealed record OdmSubjectData(string? SubjectKey, string? LocationOid, IReadOnlyList<OdmStudyEventData> Events, IReadOnlyDictionary<string, string> Extension,
    int Line);

/// <summary>
/// Reads the clinical data of an ODM 1.3 document as it arrives, with an <see cref="XmlReader"/>: the metadata and
/// administrative data are skipped (the import takes the study's definitions from its own protocol, not from the file), and
/// one SubjectData at a time is held, never the document. A document that is not well-formed XML throws
/// <see cref="XmlException"/> (with its line and position) where the fault is met. No DTD is read and no external entity resolved.
/// </summary>
public sealed class OdmReader : IDisposable
{
    private readonly XmlReader _xml;

    public OdmReader(Stream input)
    {
        _xml = XmlReader.Create(input, new XmlReaderSettings
        {
            Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true,
            IgnoreProcessingInstructions = true, CloseInput = false,
        });
    }

    private int Line => _xml is IXmlLineInfo info ? info.LineNumber : 0;

    /// <summary>
    /// Reads the root: its ODMVersion, or null when the root is not ODM in the ODM 1.3 namespace. Each ClinicalData's study is
    /// checked as <see cref="SubjectsAsync"/> reaches it.
    /// </summary>
    public async Task<OdmHeader?> ReadRootAsync()
    {
        await _xml.MoveToContentAsync();
        if (_xml.NodeType != XmlNodeType.Element || _xml.LocalName != "ODM" || _xml.NamespaceURI != OdmWriter.Namespace) return null;
        return new OdmHeader(_xml.GetAttribute("ODMVersion"), null, null);
    }

    /// <summary>
    /// Each SubjectData of the document, in order. <paramref name="clinicalData"/> is called at the start of each ClinicalData
    /// with its StudyOID and MetaDataVersionOID; when it returns false, reading stops there.
    /// </summary>
    public async IAsyncEnumerable<OdmSubjectData> SubjectsAsync(Func<OdmHeader, bool> clinicalData, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (_xml.IsEmptyElement) yield break;
        await _xml.ReadAsync(); // into the root
        while (!_xml.EOF && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == 0))
        {
            ct.ThrowIfCancellationRequested();
            if (_xml.NodeType != XmlNodeType.Element)
            {
                await _xml.ReadAsync();
                continue;
            }
            if (!IsOdm("ClinicalData"))
            {
                await _xml.SkipAsync(); // Study, AdminData, ReferenceData and anything else: the import does not take them
                continue;
            }
            if (!clinicalData(new OdmHeader(null, _xml.GetAttribute("StudyOID"), _xml.GetAttribute("MetaDataVersionOID")))) yield break;
            if (_xml.IsEmptyElement)
            {
                await _xml.ReadAsync();
                continue;
            }
            var depth = _xml.Depth;
            await _xml.ReadAsync();
            while (!(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
            {
                if (_xml.EOF) throw new XmlException("The document ends inside ClinicalData.");
                if (_xml.NodeType == XmlNodeType.Element && IsOdm("SubjectData"))
                {
                    yield return await ReadSubjectAsync();
                    // Past its end only once it is used: a fault in what follows must not lose a subject read whole.
                    await _xml.ReadAsync();
                }
                else if (_xml.NodeType == XmlNodeType.Element)
                {
                    await _xml.SkipAsync();
                }
                else
                {
                    await _xml.ReadAsync();
                }
            }
            await _xml.ReadAsync(); // past </ClinicalData>
        }
    }

    private bool IsOdm(string name) => _xml.LocalName == name && _xml.NamespaceURI == OdmWriter.Namespace;

    /// <summary>Trial's extension attributes of the current element, by local name.</summary>
    private Dictionary<string, string> ExtensionAttributes()
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!_xml.MoveToFirstAttribute()) return found;
        do
        {
            if (_xml.NamespaceURI == OdmExtension.Namespace) found[_xml.LocalName] = _xml.Value;
        } while (_xml.MoveToNextAttribute());
        _xml.MoveToElement();
        return found;
    }

    /// <summary>Reads the children of the current element, calling <paramref name="child"/> on each element (which must consume it).</summary>
    private async Task ChildrenAsync(Func<Task> child)
    {
        if (_xml.IsEmptyElement)
        {
            await _xml.ReadAsync();
            return;
        }
        var depth = _xml.Depth;
        await _xml.ReadAsync();
        while (!(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
        {
            if (_xml.EOF) throw new XmlException($"The document ends inside an element opened at depth {depth}.");
            if (_xml.NodeType == XmlNodeType.Element) await child();
            else await _xml.ReadAsync();
        }
        await _xml.ReadAsync();
    }

    private async Task<OdmSubjectData> ReadSubjectAsync()
    {
        var (line, key, extension) = (Line, _xml.GetAttribute("SubjectKey"), ExtensionAttributes());
        string? location = null;
        var events = new List<OdmStudyEventData>();
        if (!_xml.IsEmptyElement)
        {
            // Left on </SubjectData> (see SubjectsAsync).
            var depth = _xml.Depth;
            await _xml.ReadAsync();
            while (!(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
            {
                if (_xml.EOF) throw new XmlException("The document ends inside SubjectData.");
                if (_xml.NodeType != XmlNodeType.Element)
                {
                    await _xml.ReadAsync();
                }
                else if (IsOdm("SiteRef"))
                {
                    location = _xml.GetAttribute("LocationOID");
                    await _xml.SkipAsync();
                }
                else if (IsOdm("StudyEventData"))
                {
                    events.Add(await ReadEventAsync());
                }
                else
                {
                    await _xml.SkipAsync(); // AuditRecord, Signature, Annotation: the import writes its own
                }
            }
        }
        return new OdmSubjectData(key, location, events, extension, line);
    }

    private async Task<OdmStudyEventData> ReadEventAsync()
    {
        var (line, oid, extension) = (Line, _xml.GetAttribute("StudyEventOID"), ExtensionAttributes());
        var forms = new List<OdmFormData>();
        await ChildrenAsync(async () =>
        {
            if (IsOdm("FormData")) forms.Add(await ReadFormAsync());
            else await _xml.SkipAsync();
        });
        return new OdmStudyEventData(oid, forms, extension, line);
    }

    private async Task<OdmFormData> ReadFormAsync()
    {
        var (line, oid, repeatKey, extension) = (Line, _xml.GetAttribute("FormOID"), _xml.GetAttribute("FormRepeatKey"), ExtensionAttributes());
        var groups = new List<string?>();
        var items = new List<OdmItemValue>();
        await ChildrenAsync(async () =>
        {
            if (!IsOdm("ItemGroupData"))
            {
                await _xml.SkipAsync();
                return;
            }
            groups.Add(_xml.GetAttribute("ItemGroupOID"));
            await ChildrenAsync(async () =>
            {
                if (IsOdm("ItemData"))
                {
                    var isNull = _xml.GetAttribute("IsNull") == "Yes";
                    items.Add(new OdmItemValue(_xml.GetAttribute("ItemOID"), isNull ? null : _xml.GetAttribute("Value")));
                }
                await _xml.SkipAsync();
            });
        });
        return new OdmFormData(oid, repeatKey, groups, items, extension, line);
    }

    public void Dispose() => _xml.Dispose();
}
