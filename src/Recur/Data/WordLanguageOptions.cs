namespace Recur.Data;

/// <summary>How <see cref="WordLanguageData"/> draws and splits its words.</summary>
public sealed record WordLanguageOptions
{
    /// <summary>The most words per language (default 20,000); every language gets the same number, the smallest list's if lower.</summary>
    public int PerLanguage { get; init; } = 20_000;

    /// <summary>The share of each language's words held out for validation (default 0.1).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>The share of each language's words held out for testing (default 0.1).</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>Seeds the draw and the order of the words (the same seed and lists, the same split).</summary>
    public ulong Seed { get; init; }
}
