namespace WordLanguageExample;

/// <summary>
/// The baseline: a multinomial naive Bayes classifier over each word's character n-grams (bigrams, trigrams), the
/// word framed as <c>^word$</c> so first and last letters count, with add-one smoothing. Counting, no training loop.
/// </summary>
public sealed class NGramNaiveBayes
{
    private readonly Dictionary<string, int>[] _counts;
    private readonly int[] _totals;
    private readonly double[] _logPriors;
    private readonly int _vocabulary;
    private readonly int _order;

    private NGramNaiveBayes(Dictionary<string, int>[] counts, int[] totals, double[] logPriors, int vocabulary, int order)
    {
        _counts = counts;
        _totals = totals;
        _logPriors = logPriors;
        _vocabulary = vocabulary;
        _order = order;
    }

    /// <summary>Counts the n-grams of order <paramref name="order"/> (2: bigrams) of each class's words.</summary>
    public static NGramNaiveBayes Fit(IReadOnlyList<(string Word, int Label)> words, int classes, int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentNullException.ThrowIfNull(words);
        var counts = Enumerable.Range(0, classes).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        var totals = new int[classes];
        var perClass = new int[classes];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (word, label) in words)
        {
            perClass[label]++;
            foreach (string gram in Grams(word, order))
            {
                counts[label][gram] = counts[label].GetValueOrDefault(gram) + 1;
                totals[label]++;
                seen.Add(gram);
            }
        }

        double[] priors = perClass.Select(n => Math.Log((n + 1.0) / (words.Count + classes))).ToArray();
        return new NGramNaiveBayes(counts, totals, priors, seen.Count + 1, order);
    }

    /// <summary>The most probable class of <paramref name="word"/>.</summary>
    public int Predict(string word)
    {
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < _counts.Length; c++)
        {
            double score = _logPriors[c], denominator = Math.Log(_totals[c] + (double)_vocabulary);
            foreach (string gram in Grams(word, _order))
            {
                score += Math.Log(_counts[c].GetValueOrDefault(gram) + 1.0) - denominator;
            }

            if (score > bestScore)
            {
                (best, bestScore) = (c, score);
            }
        }

        return best;
    }

    private static IEnumerable<string> Grams(string word, int order)
    {
        string framed = "^" + word + "$";
        for (int i = 0; i + order <= framed.Length; i++)
        {
            yield return framed.Substring(i, order);
        }
    }
}
