using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Training;

/// <summary>
/// Twenty optimizer steps on a small LSTM → Dense classifier, against the same run in PyTorch
/// (tools/make_fixtures.py: torch.nn.LSTM with bias_hh frozen at zero, torch.nn.Linear, cross_entropy).
/// </summary>
public class TrainingFixtureTests(ITestOutputHelper output)
{
    /// <summary>The fixture's model: Lstm(3 → 4, forgetBias 0) on [4, 5, 3], last step → Dense(4 → 3).</summary>
    private static LstmClassifier Model(Fixture f)
    {
        var model = new LstmClassifier(new Lstm(3, 4, forgetBias: 0f), new Dense(4, 3));
        model.Lstm.WeightIh.Value.CopyFrom(f["lstm_weight_ih"]);
        model.Lstm.WeightHh.Value.CopyFrom(f["lstm_weight_hh"]);
        model.Lstm.Bias.Value.CopyFrom(f["lstm_bias"]);
        model.Dense.Weight.Value.CopyFrom(f["dense_weight"]);
        model.Dense.Bias!.Value.CopyFrom(f["dense_bias"]);
        return model;
    }

    public static TheoryData<string> Files => ["optim_sgd.json", "optim_momentum.json", "optim_adam.json", "optim_rmsprop.json", "optim_adam_clip.json"];

    private static Optimizer Make(Fixture f)
    {
        double lr = f.Config("lr");
        return f.ConfigString("optimizer") switch
        {
            "sgd" => new Sgd(lr),
            "momentum" => new Momentum(lr, momentum: f.Config("momentum")),
            "adam" => new Adam(lr, f.Config("beta1"), f.Config("beta2"), f.Config("eps")),
            "rmsprop" => new RmsProp(lr, alpha: f.Config("alpha"), epsilon: f.Config("eps")),
            string other => throw new InvalidOperationException($"unknown optimizer {other}"),
        };
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TwentyStepsMatchPyTorch(string file)
    {
        var f = Fixture.Load(file);
        LstmClassifier model = Model(f);
        Optimizer optimizer = Make(f);
        float? maxNorm = f.HasConfig("max_norm") ? (float)f.Config("max_norm") : null;
        Tensor x = f["x"];
        int[] labels = f.Classes("labels");
        int steps = (int)f.Config("steps");
        var losses = new Tensor(steps);
        var norms = new Tensor(steps);
        for (int s = 0; s < steps; s++)
        {
            losses.Data[s] = model.TrainStep(x, labels, optimizer, maxNorm, out norms.Data[s]);
        }

        f.AssertClose("losses", losses, 1e-5, output);
        if (maxNorm is not null)
        {
            f.AssertClose("grad_norms", norms, 1e-5, output);
        }

        f.AssertClose("final_lstm_weight_ih", model.Lstm.WeightIh.Value, 1e-4, output);
        f.AssertClose("final_lstm_weight_hh", model.Lstm.WeightHh.Value, 1e-4, output);
        f.AssertClose("final_lstm_bias", model.Lstm.Bias.Value, 1e-4, output);
        f.AssertClose("final_dense_weight", model.Dense.Weight.Value, 1e-4, output);
        f.AssertClose("final_dense_bias", model.Dense.Bias!.Value, 1e-4, output);
    }

    [Fact]
    public void TrainingStepAllocatesNothingAfterWarmUp()
    {
        // LSTM forward + backward, Dense, loss, clipping and an Adam step, on tutorial-like shapes.
        var rng = new Rng(1);
        var model = new LstmClassifier(new Lstm(28, 32, rng: rng), new Dense(32, 10, rng: rng));
        var adam = new Adam(0.001);
        Tensor x = GradCheck.Values(1, 1f, 16, 28, 28);
        int[] labels = new int[16];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 10;
        }

        long allocated = SingleThread.AllocatedAfterWarmUp(() => model.TrainStep(x, labels, adam, clipNorm: 5f));
        output.WriteLine($"allocated after warm-up: {allocated} bytes");
        Assert.Equal(0, allocated);
    }
}
