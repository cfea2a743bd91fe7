using Recur.Data;
using WordLanguageExample;
using Xunit.Abstractions;

namespace Recur.Tests.Examples;

/// <summary>examples/WordLanguage's model and baseline, trained on the 300-word slices in fixtures/words: both learn well above chance (1/9).</summary>
public sealed class WordLanguageExampleTests(ITestOutputHelper output)
{
    private static WordLanguageData Slices()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "fixtures", "words");
        var hashes = File.ReadAllLines(Path.Combine(dir, "SHA256SUMS")).Select(line => line.Split("  ")).ToDictionary(p => p[1], p => p[0]);
        var lists = new WordLists(new WordListOptions { DataDir = dir, RecurDataDir = null, SystemDirectory = null, UseApt = false, ExpectedSha256 = hashes });
        return WordLanguageData.Load(lists, new WordLanguageOptions { PerLanguage = 300, ValidationFraction = 0.15, TestFraction = 0.15 });
    }

    [Fact]
    public void TheMaskedBidirectionalModelLearnsTheLanguageOfAWord()
    {
        WordLanguageData words = Slices();
        var (train, validation, _) = words.Encode();
        var options = new WordModelOptions { EmbeddingDim = 8, Units = 16, Epochs = 6, BatchSize = 32, LearningRate = 5e-3 };
        var (model, history, _) = WordModel.Train(train, validation, options, verbose: 0);
        int[] predicted = WordModel.Classify(model, validation);
        double accuracy = predicted.Zip(validation.Labels).Count(p => p.First == p.Second) / (double)validation.Count;
        output.WriteLine($"{train.Count} training words; val_accuracy by epoch {string.Join(" ", history["val_accuracy"].Select(a => a.ToString("F3")))}; accuracy {accuracy:F3} (chance 0.111)");
        Assert.Equal(history["val_accuracy"][^1], accuracy, 4); // Classify agrees with Fit's metric
        Assert.True(accuracy > 0.3, $"validation accuracy {accuracy:F3} is not above chance (0.111) by a margin");
    }

    [Fact]
    public void TheNaiveBayesBaselinesLearnAboveChance()
    {
        WordLanguageData words = Slices();
        foreach (int order in new[] { 2, 3 })
        {
            var bayes = NGramNaiveBayes.Fit(words.Train, words.ClassNames.Count, order);
            double accuracy = words.Validation.Count(w => bayes.Predict(w.Word) == w.Label) / (double)words.Validation.Count;
            output.WriteLine($"order {order}: validation accuracy {accuracy:F3}");
            Assert.True(accuracy > 0.3, $"{order}-gram naive Bayes: validation accuracy {accuracy:F3} is not above chance (0.111) by a margin");
        }

        Assert.Equal(1, NGramNaiveBayes.Fit([("ab", 0), ("ba", 1)], 2, 2).Predict("ba")); // "^b", "ba", "a$" are class 1's bigrams
    }
}
