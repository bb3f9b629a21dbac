namespace Trial.Core.Randomisation;

/// <summary>
/// The guesses of one group cross-tabulated: for each arm received, how many guesses named each arm and how many said
/// "don't know" (<see cref="BlindingGuesses.DontKnow"/>).
/// </summary>
public sealed class GuessTable
{
    private readonly Dictionary<(string Received, string Guess), int> _counts = [];

    public GuessTable(IEnumerable<string> arms)
    {
        Arms = [.. arms];
        if (Arms.Count == 0 || Arms.Distinct().Count() != Arms.Count) throw new ArgumentException("A guess table needs distinct arms.", nameof(arms));
        if (Arms.Contains(BlindingGuesses.DontKnow)) throw new ArgumentException($"'{BlindingGuesses.DontKnow}' is the answer \"don't know\", not an arm.", nameof(arms));
    }

    public IReadOnlyList<string> Arms { get; }

    /// <summary>Counts <paramref name="count"/> guesses of <paramref name="guess"/> (an arm or "unknown") about participants who received <paramref name="received"/>.</summary>
    public GuessTable Add(string received, string guess, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!Arms.Contains(received)) throw new ArgumentException($"'{received}' is not an arm of this table.", nameof(received));
        if (guess != BlindingGuesses.DontKnow && !Arms.Contains(guess)) throw new ArgumentException($"'{guess}' is neither an arm nor \"don't know\".", nameof(guess));
        _counts[(received, guess)] = Count(received, guess) + count;
        return this;
    }

    public int Count(string received, string guess) => _counts.GetValueOrDefault((received, guess));

    public int Total => _counts.Values.Sum();
}
