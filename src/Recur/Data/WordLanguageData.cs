using System.Globalization;

namespace Recur.Data;

/// <summary>
/// "The language of a word": words of several languages' dictionary lists (<see cref="WordLists"/>), each labelled
/// with its language, split into train, validation and test.
/// </summary>
/// <remarks>
/// <para>
/// From each list: every word is lower-cased (invariant culture; the lists disagree on capitals — the Spanish and French
/// lists have none, the German one capitalises nouns — which would tell the language apart by case alone);
/// possessives (ending in <c>'s</c>) and words holding anything but letters, hyphens and apostrophes (digits, spaces,
/// dots) are dropped, and so are repeats. A word in the lists of two or more languages (<c>"a"</c>, <c>"radio"</c>) is
/// dropped from all of them as ambiguous: every word has exactly one right answer.
/// </para>
/// <para>
/// Each language's remaining words are sorted, shuffled from the seed, and the first n taken — n the same for every
/// language (<see cref="WordLanguageOptions.PerLanguage"/>, or the smallest language's count if lower), so the classes
/// are balanced and chance is 1/C. Each language's n words are cut into test (⌊n · test fraction⌋), validation
/// (⌊n · validation fraction⌋) and train (the rest); each split is then shuffled from the seed. Class ids follow the
/// order of the language names given (<see cref="WordLists.Languages"/>: ordinal order).
/// </para>
/// </remarks>
public sealed class WordLanguageData
{
    private WordLanguageData(
        IReadOnlyList<string> classNames, int perLanguage, int[] available, int ambiguous,
        (string Word, int Label)[] train, (string Word, int Label)[] validation, (string Word, int Label)[] test)
    {
        ClassNames = classNames;
        PerLanguage = perLanguage;
        Available = available;
        Ambiguous = ambiguous;
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>The languages, by class id.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>n, the words taken from each language.</summary>
    public int PerLanguage { get; }

    /// <summary>Each language's usable words (after the filters and the ambiguous words are dropped), by class id.</summary>
    public IReadOnlyList<int> Available { get; }

    /// <summary>The number of distinct words dropped because they are in two or more languages' lists.</summary>
    public int Ambiguous { get; }

    /// <summary>The training words and their language ids.</summary>
    public IReadOnlyList<(string Word, int Label)> Train { get; }

    /// <summary>The validation words and their language ids.</summary>
    public IReadOnlyList<(string Word, int Label)> Validation { get; }

    /// <summary>The test words and their language ids.</summary>
    public IReadOnlyList<(string Word, int Label)> Test { get; }

    /// <summary>Reads every language of <see cref="WordLists.Languages"/> through <paramref name="lists"/> (found or fetched, verified) and builds the data set.</summary>
    /// <exception cref="DataFileException">A list is not the expected file.</exception>
    /// <exception cref="DataUnavailableException">A list is nowhere and could not be fetched.</exception>
    public static WordLanguageData Load(WordLists lists, WordLanguageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lists);
        return Build(WordLists.Languages.Select(l => l.Name).ToArray(), WordLists.Languages.Select(lists.ReadWords).ToArray(), options);
    }

    /// <summary>Builds the data set from the words of each language (see the remarks); <paramref name="names"/>[i] names <paramref name="words"/>[i].</summary>
    /// <exception cref="ArgumentException">Fewer than two languages, counts that differ, or fractions outside [0, 1) that leave no training words.</exception>
    public static WordLanguageData Build(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyList<string>> words, WordLanguageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(words);
        options ??= new WordLanguageOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PerLanguage, nameof(options));
        if (names.Count < 2 || names.Count != words.Count)
        {
            throw new ArgumentException($"WordLanguageData: {names.Count} language names for {words.Count} word lists; give at least two languages, one name per list.", nameof(names));
        }

        if (!(options.ValidationFraction >= 0 && options.TestFraction >= 0 && options.ValidationFraction + options.TestFraction < 1))
        {
            throw new ArgumentException(
                $"WordLanguageData: validation {options.ValidationFraction} and test {options.TestFraction} fractions must be ≥ 0 and leave some words for training (sum below 1).", nameof(options));
        }

        var sets = words.Select(list => new HashSet<string>(list.Select(Clean).OfType<string>(), StringComparer.Ordinal)).ToArray();
        var languagesOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (HashSet<string> set in sets)
        {
            foreach (string word in set)
            {
                languagesOf[word] = languagesOf.GetValueOrDefault(word) + 1;
            }
        }

        string[][] unique = sets.Select(set => set.Where(w => languagesOf[w] == 1).Order(StringComparer.Ordinal).ToArray()).ToArray();
        int n = Math.Min(options.PerLanguage, unique.Min(u => u.Length));
        if (n == 0)
        {
            throw new ArgumentException(
                $"WordLanguageData: language '{names[Array.FindIndex(unique, u => u.Length == 0)]}' has no word left after the filters; check its list.", nameof(words));
        }

        int testCount = (int)Math.Floor((decimal)options.TestFraction * n), validationCount = (int)Math.Floor((decimal)options.ValidationFraction * n);
        var rng = new Rng(options.Seed);
        List<(string, int)> train = [], validation = [], test = [];
        for (int c = 0; c < unique.Length; c++)
        {
            string[] pool = unique[c];
            rng.Shuffle(pool.AsSpan());
            for (int i = 0; i < n; i++)
            {
                (i < testCount ? test : i < testCount + validationCount ? validation : train).Add((pool[i], c));
            }
        }

        var splits = new[] { train.ToArray(), validation.ToArray(), test.ToArray() };
        foreach (var split in splits)
        {
            rng.Shuffle(split.AsSpan());
        }

        int ambiguous = languagesOf.Count(pair => pair.Value > 1);
        return new WordLanguageData(names.ToArray(), n, unique.Select(u => u.Length).ToArray(), ambiguous, splits[0], splits[1], splits[2]);
    }

    /// <summary>The word as it enters the data set (lower-cased), or null when it is dropped (see the remarks).</summary>
    public static string? Clean(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        string w = word.Trim().ToLower(CultureInfo.InvariantCulture);
        if (w.Length == 0 || w.EndsWith("'s", StringComparison.Ordinal) || w.EndsWith("’s", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (char c in w)
        {
            if (!char.IsLetter(c) && c != '-' && c != '\'')
            {
                return null;
            }
        }

        return w;
    }

    /// <summary>A character vocabulary of the training words (ids by descending count, as <see cref="Vocabulary.Build"/>).</summary>
    public Vocabulary BuildVocabulary() => Vocabulary.Build(Train.Select(p => p.Word), TokenKind.Characters);

    /// <summary>
    /// The three splits as token ids <c>[N, Tmax]</c> (each split padded to its own longest word), lengths and labels, encoded
    /// with <paramref name="vocabulary"/> (null: <see cref="BuildVocabulary"/>). Characters unseen in training become
    /// <see cref="Vocabulary.UnknownId"/>. The data sets are seeded with <paramref name="seed"/>, + 1 and + 2.
    /// </summary>
    public (TextData Train, TextData Validation, TextData Test) Encode(Vocabulary? vocabulary = null, ulong seed = 0)
    {
        vocabulary ??= BuildVocabulary();
        TextData Part(IReadOnlyList<(string Word, int Label)> split, ulong s) =>
            TextData.Encode(split.Select(p => p.Word).ToArray(), split.Select(p => p.Label).ToArray(), ClassNames, vocabulary, null, s);
        return (Part(Train, seed), Part(Validation, unchecked(seed + 1)), Part(Test, unchecked(seed + 2)));
    }

    /// <summary>
    /// Writes the splits as <c>label&lt;TAB&gt;word</c> lines (<see cref="TextFiles"/>' format, the language name as label)
    /// to <c>train.txt</c>, <c>validation.txt</c> and <c>test.txt</c> in <paramref name="directory"/>, so another program
    /// (a PyTorch peer) reads exactly these words; <see cref="TextFiles.Read"/> gives back the same class ids, since the
    /// names are in ordinal order.
    /// </summary>
    /// <returns>The three paths, train first.</returns>
    public IReadOnlyList<string> WriteText(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var paths = new List<string>();
        foreach (var (name, split) in new[] { ("train", Train), ("validation", Validation), ("test", Test) })
        {
            string path = Path.Combine(directory, name + ".txt");
            TextFiles.Write(path, split.Select(p => (ClassNames[p.Label], p.Word)));
            paths.Add(path);
        }

        return paths;
    }
}
