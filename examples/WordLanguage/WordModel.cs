using System.Diagnostics;
using Recur.Data;
using Recur.Initializers;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace WordLanguageExample;

/// <summary>
/// The model of the example, in Keras's words:
/// <c>Sequential([Embedding(V, E, mask_zero=True), Bidirectional(LSTM(H)), Dense(C)])</c> compiled with
/// <c>sparse_categorical_crossentropy</c> (from logits) and Adam. The mask made from the padding ids lets each word
/// run only over its own characters, and the backward direction start at each word's last character.
/// </summary>
public static class WordModel
{
    /// <summary>The model for <paramref name="vocabularySize"/> character ids (0 the padding) and <paramref name="classes"/> languages, compiled.</summary>
    public static Sequential Build(int vocabularySize, int classes, WordModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool torch = options.Init switch
        {
            "keras" => false,
            "torch" => true,
            _ => throw new ArgumentException($"WordModel: init '{options.Init}' is not one of keras, torch; give --init keras or --init torch.", nameof(options)),
        };
        RecurrentLayerConfig recurrent = options.Cell switch
        {
            "lstm" => new LstmLayer(options.Units) { UnitForgetBias = !torch },
            "gru" => new GruLayer(options.Units),
            _ => throw new ArgumentException($"WordModel: cell '{options.Cell}' is not one of lstm, gru; give --cell lstm or --cell gru.", nameof(options)),
        };
        if (torch)
        {
            var uniform = new TorchUniform(options.Units);
            recurrent = recurrent with { KernelInitializer = uniform, RecurrentInitializer = uniform, BiasInitializer = uniform };
        }

        var model = new Sequential(options.Seed, "word_language")
        {
            // Embedding(V, E, mask_zero=True): id 0 is padding (nn.Embedding's padding_idx=0 too), and the mask starts here.
            // Initialised N(0, 1) as nn.Embedding is, not Keras's uniform ±0.05: with 60 characters the larger start learns
            // much sooner (validation 0.73 against 0.64 after three epochs of 2,000 words a language).
            new EmbeddingLayer(vocabularySize, options.EmbeddingDim, MaskZero: true, PaddingIdx: Vocabulary.PaddingId)
            {
                InputShape = [-1],
                EmbeddingsInitializer = new RandomNormal(0f, 1f),
            },
            options.Bidirectional ? new BidirectionalLayer(recurrent) : recurrent,
            torch ? new DenseLayer(classes) { KernelInitializer = new TorchUniform(), BiasInitializer = new TorchUniform() } : new DenseLayer(classes), // logits
        };
        model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Adam(options.LearningRate), ["accuracy"]);
        return model;
    }

    /// <summary>Class ids as the float targets <c>[N]</c> that <c>sparse_categorical_crossentropy</c> takes.</summary>
    public static Tensor Targets(TextData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Tensor.FromArray(data.Labels.Select(l => (float)l).ToArray(), data.Count);
    }

    /// <summary>
    /// Builds the model and trains it on <paramref name="train"/> for the epochs the options give, validating on
    /// <paramref name="validation"/> after each. Ids <c>[N, T]</c> go in as they are: the Embedding's mask stands for the lengths.
    /// </summary>
    /// <returns>The trained model, its history (loss, accuracy, val_loss, val_accuracy per epoch) and the training wall time.</returns>
    public static (Sequential Model, History History, TimeSpan Elapsed) Train(TextData train, TextData validation, WordModelOptions options, int verbose = 2)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        Sequential model = Build(train.Vocabulary.Count, train.ClassNames.Count, options);
        var clock = Stopwatch.StartNew();
        History history = model.Fit(train.Ids, Targets(train), batchSize: options.BatchSize, epochs: options.Epochs, verbose: verbose,
            validationData: (validation.Ids, Targets(validation)));
        return (model, history, clock.Elapsed);
    }

    /// <summary>The predicted class of each text of <paramref name="data"/> <c>[N]</c>.</summary>
    public static int[] Classify(Sequential model, TextData data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return Predictions.ArgMax(model.Predict(data.Ids));
    }
}
