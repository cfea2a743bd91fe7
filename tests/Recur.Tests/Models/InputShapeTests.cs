using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Tests.Models;

/// <summary>
/// A wrong input shape is reported with the array's shape and name as the caller gave them (issue 16), not with the
/// shape of the batch the array was cut into.
/// </summary>
public sealed class InputShapeTests
{
    private static Sequential FromRecords()
    {
        var model = new Sequential(5) { new LstmLayer(6) { InputShape = [4, 3] }, new DenseLayer(2) };
        model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Adam(0.01));
        return model;
    }

    private static Sequential FromLayers()
    {
        var rng = new Rng(7);
        var model = new Sequential { new Lstm(3, 6, rng: rng), new Dense(6, 2, rng: rng) };
        model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Adam(0.01));
        return model;
    }

    public static TheoryData<string> Models() => ["records", "layers"];

    [Theory]
    [MemberData(nameof(Models))]
    public void FitEvaluateAndPredictQuoteTheArraysShape(string kind)
    {
        Sequential model = kind == "records" ? FromRecords() : FromLayers();
        var x = new Tensor(100, 4, 5); // 5 features where the model reads 3
        var y = new Tensor(100);

        var fit = Assert.Throws<ArgumentException>(() => model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0));
        Assert.StartsWith("Sequential.Fit: x has shape [100, 4, 5]", fit.Message);

        var evaluate = Assert.Throws<ArgumentException>(() => model.Evaluate(x, y, 32));
        Assert.StartsWith("Sequential.Evaluate: x has shape [100, 4, 5]", evaluate.Message);

        var predict = Assert.Throws<ArgumentException>(() => model.Predict(x, 32));
        Assert.StartsWith("Sequential.Predict: x has shape [100, 4, 5]", predict.Message);
        Assert.DoesNotContain("[32,", predict.Message);
    }

    [Fact]
    public void AValidationArrayIsNamedAsSuch()
    {
        Sequential model = FromRecords();
        var x = new Tensor(40, 4, 3);
        var y = new Tensor(40);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, validationData: (new Tensor(10, 4, 2), new Tensor(10))));
        Assert.StartsWith("Sequential.Fit: validationData.X has shape [10, 4, 2]", e.Message);
    }
}
