// The language of a word: characters → Embedding(mask_zero=True) → Bidirectional(LSTM) → one of nine languages,
// on the word lists of Debian's dictionary packages (fetched with apt-get download when not installed, verified, cached).
//
// Usage: dotnet run -c Release --project examples/WordLanguage -- [options]
//   --per-language N   words per language (default 20000; 2000 for a quick run)
//   --cell lstm|gru    the recurrent cell (default lstm)      --unidirectional   one direction only
//   --embed E          embedding size (default 64)            --units H          units per direction (default 128)
//   --epochs N         (default 6)    --batch B (default 128) --lr X             Adam's learning rate (default 0.002)
//   --init keras|torch how the weights start: Keras's (default) or PyTorch's uniform, as the peer's
//   --seed S           weights and batch order (default 1)    --threads N        Recur's threads (default: all cores)
//   --write-text DIR   also write the split as DIR/{train,validation,test}.txt (label<TAB>word) for bench/peers/pytorch_wordlang.py
//   --sweep            train each size of a small grid and report validation accuracy only (no test)
//
// In Keras this is
//   model = Sequential([Embedding(V, 64, mask_zero=True), Bidirectional(LSTM(128)), Dense(9)])
//   model.compile(loss=SparseCategoricalCrossentropy(from_logits=True), optimizer=Adam(0.002), metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=128, epochs=6, validation_data=(x_val, y_val))
using System.Globalization;
using Recur;
using Recur.Data;
using Recur.Models;
using WordLanguageExample;

var inv = CultureInfo.InvariantCulture;
var options = new WordModelOptions();
int perLanguage = 20_000;
string? textDir = null;
bool sweep = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; see the usage at the top of Program.cs.");
    switch (args[i])
    {
        case "--per-language": perLanguage = int.Parse(Next(), inv); break;
        case "--cell": options = options with { Cell = Next() }; break;
        case "--unidirectional": options = options with { Bidirectional = false }; break;
        case "--embed": options = options with { EmbeddingDim = int.Parse(Next(), inv) }; break;
        case "--units": options = options with { Units = int.Parse(Next(), inv) }; break;
        case "--epochs": options = options with { Epochs = int.Parse(Next(), inv) }; break;
        case "--batch": options = options with { BatchSize = int.Parse(Next(), inv) }; break;
        case "--lr": options = options with { LearningRate = double.Parse(Next(), inv) }; break;
        case "--init": options = options with { Init = Next() }; break;
        case "--seed": options = options with { Seed = ulong.Parse(Next(), inv) }; break;
        case "--threads": Threading.MaxThreads = int.Parse(Next(), inv); break;
        case "--write-text": textDir = Next(); break;
        case "--sweep": sweep = true; break;
        default: throw new ArgumentException($"Unknown option '{args[i]}'; see the usage at the top of Program.cs.");
    }
}

// The data: every list lower-cased, words in two languages' lists dropped, the same number per language, 80/10/10.
WordLanguageData words = WordLanguageData.Load(new WordLists(new WordListOptions { Log = Console.WriteLine }), new WordLanguageOptions { PerLanguage = perLanguage });
var (train, validation, test) = words.Encode();
Console.WriteLine($"{words.ClassNames.Count} languages ({string.Join(", ", words.ClassNames)}), {words.PerLanguage} words each " +
    $"({words.Ambiguous} words in two or more lists dropped): train {train.Count}, validation {validation.Count}, test {test.Count}; " +
    $"{train.Vocabulary.Count} character ids (0 padding, 1 unknown); longest word {train.Ids.Dim(1)} characters, mean {train.Lengths.Average():F1}.");
if (textDir is not null)
{
    Directory.CreateDirectory(textDir);
    Console.WriteLine($"Wrote {string.Join(", ", words.WriteText(textDir))}");
}

if (sweep)
{
    // Choosing the size: each candidate trains with the same data and epochs; only validation accuracy is read.
    Console.WriteLine("Sweep (validation accuracy only; the test split is not touched):");
    foreach (var (embed, units) in new[] { (16, 32), (32, 64), (32, 128), (64, 128) })
    {
        var candidate = options with { EmbeddingDim = embed, Units = units };
        var (_, h, took) = WordModel.Train(train, validation, candidate, verbose: 0);
        IReadOnlyList<double> va = h["val_accuracy"];
        int best = Enumerable.Range(0, va.Count).MaxBy(e => va[e]);
        Console.WriteLine($"  embedding {embed,3}, units {units,4}: best val_accuracy {va[best]:F4} after epoch {best + 1} " +
            $"(by epoch: {string.Join(" ", va.Select(a => a.ToString("F3", inv)))}), {took.TotalSeconds:F0} s");
    }

    return;
}

Console.WriteLine($"Settings: {options}, threads {Threading.MaxThreads}");
var (model, history, elapsed) = WordModel.Train(train, validation, options);
Console.Write(model.Summary());

// The test split, once.
int[] predicted = WordModel.Classify(model, test);
int[] truth = test.Labels;
double accuracy = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)test.Count;
Console.WriteLine($"Training: {options.Epochs} epochs in {elapsed.TotalSeconds:F1} s ({elapsed.TotalSeconds / options.Epochs:F1} s per epoch); " +
    $"best val_accuracy {history["val_accuracy"].Max():F4}, last {history["val_accuracy"][^1]:F4}.");
Console.WriteLine($"Test accuracy: {accuracy:F4} ({test.Count} words)");

// Per language: accuracy and the language it is most often taken for.
int classes = words.ClassNames.Count;
var confusion = new int[classes, classes];
foreach (var (p, t) in predicted.Zip(truth))
{
    confusion[t, p]++;
}

Console.WriteLine("Per language (rows: the true language):");
for (int c = 0; c < classes; c++)
{
    int total = Enumerable.Range(0, classes).Sum(p => confusion[c, p]);
    int other = Enumerable.Range(0, classes).Where(p => p != c).MaxBy(p => confusion[c, p]);
    Console.WriteLine($"  {words.ClassNames[c],-11} {confusion[c, c] / (double)total:F3}   most often taken for {words.ClassNames[other]} ({confusion[c, other]} of {total})");
}

// Baselines on the same split: the majority class, and character n-gram naive Bayes fitted on the training words.
int majority = Enumerable.Range(0, classes).MaxBy(c => words.Train.Count(w => w.Label == c));
Console.WriteLine($"Baseline, majority class ({words.ClassNames[majority]}): {words.Test.Count(w => w.Label == majority) / (double)test.Count:F4}");
foreach (int order in new[] { 2, 3 })
{
    var bayes = NGramNaiveBayes.Fit(words.Train, classes, order);
    double hits = words.Test.Count(w => bayes.Predict(w.Word) == w.Label) / (double)test.Count;
    Console.WriteLine($"Baseline, character {(order == 2 ? "bigram" : "trigram")} naive Bayes: {hits:F4}");
}

Console.WriteLine("Some test words:");
for (int i = 0; i < 12; i++)
{
    Console.WriteLine($"  {words.Test[i].Word,-20} {words.ClassNames[predicted[i]],-11} {(predicted[i] == truth[i] ? "right" : $"wrong: {words.ClassNames[truth[i]]}")}");
}

Console.WriteLine(string.Create(inv, $"RESULT recur test_accuracy={accuracy:F4} train_seconds={elapsed.TotalSeconds:F1} epochs={options.Epochs}"));
