using Trial.Application.Randomisation;
using Trial.Core.Protocol;
using Trial.Extracts.Datasets;
using Trial.Extracts.Reading;

namespace Trial.Extracts;

/// <summary>The datasets of the extract, in bundle order, and the protocol facts their queries need.</summary>
public sealed class ExtractCatalog
{
    /// <param name="protocol">The protocol served.</param>
    /// <param name="sequence">The allocation sequences generated from the study's secret, for the unblinded randomisation list
    /// of a protocol randomised by permuted blocks (<see cref="ConcealedSequence.None"/> when the host has no secret).</param>
    public ExtractCatalog(ProtocolDefinition protocol, ConcealedSequence sequence)
    {
        Protocol = protocol;
        Anchors = AnchorsOf(protocol);
        var datasets = new List<IExtractDataset>
        {
            new ParticipantsDataset(),
            new SubjectsDataset(protocol),
            new ScreeningDataset(),
            new VisitsDataset(),
            new AssessmentsDataset(),
            new ItemsDataset(),
            new EfficacyDataset(protocol),
            new AdverseEventsDataset(),
            new DispositionDataset(protocol),
            new ExposureDataset(protocol),
            new VitalSignsDataset(protocol),
            new BlindingGuessesDataset(),
            new ConcomitantMedicationsDataset(protocol),
            new SafetyAlertsDataset(),
            new RandomisationListDataset(protocol, sequence),
        };
        // The dictionary describes every dataset, itself included.
        datasets.Add(new DictionaryDataset(() => datasets));
        Datasets = datasets;
    }

    public ProtocolDefinition Protocol { get; }
    public ExportAnchors Anchors { get; }
    public IReadOnlyList<IExtractDataset> Datasets { get; }

    public IExtractDataset? Find(string name) => Datasets.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));

    /// <summary>The datasets the audience receives, in bundle order: all but the randomisation list for a blinded audience.</summary>
    public IEnumerable<IExtractDataset> DatasetsFor(ExtractAudience audience) => Datasets.Where(d => d.IsFor(audience));

    public IEnumerable<string> Names => Datasets.Select(d => d.Name);

    /// <summary>Study days count from the first infusion (the protocol's unanchored infusion visit, INF1: day 1).</summary>
    private static ExportAnchors AnchorsOf(ProtocolDefinition protocol)
    {
        var dayZero = protocol.InfusionVisits.FirstOrDefault(v => v.Anchor is null)?.Code
            ?? throw new InvalidOperationException("The protocol has no unanchored infusion visit to count study days from.");
        return new ExportAnchors(dayZero);
    }
}
