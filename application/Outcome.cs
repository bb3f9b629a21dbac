namespace Trial.Application;

/// <summary>What a use case gives back: its result, or the refusal that left everything as it was.</summary>
public readonly record struct Outcome<T>
{
    private Outcome(T? value, Refusal? refusal) => (Value, Refusal) = (value, refusal);

    /// <summary>The result; meaningful only when not <see cref="IsRefused"/>.</summary>
    public T? Value { get; }

    public Refusal? Refusal { get; }

    public bool IsRefused => Refusal is not null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal ?? throw new ArgumentNullException(nameof(refusal)));

    /// <summary>The result passed on through <paramref name="next"/>, or the refusal as it is.</summary>
    public Outcome<TNext> Then<TNext>(Func<T, TNext> next) => IsRefused ? Refusal! : next(Value!);
}
