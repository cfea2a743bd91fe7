using Recur.Losses;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Losses;

/// <summary>Recur's losses against PyTorch (tools/make_loss_fixtures.py), every one with reduction "mean".</summary>
public class LossFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Regression => new()
    {
        { "mse", "mse" },
        { "mae", "mae" },
        { "huber", "huber" },
        { "huber_half", "huber" },
    };

    [Theory]
    [MemberData(nameof(Regression))]
    public void RegressionLossesMatchTorch(string fixture, string name)
    {
        var f = Fixture.Load("loss_regression.json");
        ILoss loss = fixture == "huber_half" ? new Huber(0.5f) : Loss.FromName(name);
        Check(f, fixture, loss.Forward(f["pred"], f["target"]), loss.Gradient);
    }

    [Fact]
    public void MaskedPerStepMseMatchesTorchOnTheValidSteps()
    {
        var f = Fixture.Load("loss_regression.json");
        var loss = new MeanSquaredError();
        Check(f, "mse_masked", loss.Forward(f["pred"], f["target"], MaskOf(f)), loss.Gradient);
    }

    [Fact]
    public void BinaryCrossentropyFromLogitsMatchesBceWithLogits()
    {
        // The logits hold +100 and −120: a form that computes e^z or log σ(z) directly overflows.
        var f = Fixture.Load("loss_binary.json");
        var loss = new BinaryCrossentropy(fromLogits: true);
        Check(f, "bce_logits", loss.Forward(f["logits"], f["target"]), loss.Gradient);
    }

    [Fact]
    public void BinaryCrossentropyFromProbabilitiesMatchesBceLoss()
    {
        var f = Fixture.Load("loss_binary.json");
        var loss = new BinaryCrossentropy();
        Check(f, "bce_probs", loss.Forward(f["probs"], f["target"]), loss.Gradient);
    }

    [Fact]
    public void PerStepCrossEntropyMatchesTorchOverEveryStep()
    {
        var f = Fixture.Load("loss_ce_steps.json");
        var sparse = new SparseCategoricalCrossentropy(fromLogits: true);
        Check(f, "ce", sparse.Forward(f["logits"], f["labels"]), sparse.Gradient);
        var onehot = new CategoricalCrossentropy(fromLogits: true);
        Check(f, "ce", onehot.Forward(f["logits"], f["onehot"]), onehot.Gradient);
    }

    [Fact]
    public void MaskedPerStepCrossEntropyMatchesTorchIgnoreIndex()
    {
        var f = Fixture.Load("loss_ce_steps.json");
        SequenceMask mask = MaskOf(f);
        Tensor labels = f["labels"];
        for (int i = 0; i < labels.Length; i++)
        {
            if (mask.Valid[i] == 0)
            {
                labels.Data[i] = -1f; // padding: a masked step's target is never read
            }
        }

        var sparse = new SparseCategoricalCrossentropy(fromLogits: true);
        Check(f, "ce_masked", sparse.Forward(f["logits"], labels, mask), sparse.Gradient);
        var onehot = new CategoricalCrossentropy(fromLogits: true);
        Check(f, "ce_masked", onehot.Forward(f["logits"], f["onehot"], mask), onehot.Gradient);
        var probs = new CategoricalCrossentropy();
        Check(f, "ce_probs_masked", probs.Forward(f["probs"], f["onehot"], mask), probs.Gradient);
        var sparseProbs = new SparseCategoricalCrossentropy();
        Check(f, "ce_probs_masked", sparseProbs.Forward(f["probs"], labels, mask), sparseProbs.Gradient);
    }

    internal static SequenceMask MaskOf(Fixture f)
    {
        Tensor valid = f["valid"];
        return SequenceMask.FromValid(valid.Data.Select(v => (byte)v).ToArray(), valid.Dim(0), valid.Dim(1));
    }

    private void Check(Fixture f, string name, float value, Tensor gradient)
    {
        float expected = f[name].Data[0];
        Fixture.AssertClose(name, f[name], Tensor.FromArray([value], 1), 1e-6 * Math.Max(1, Math.Abs(expected)), output, f.Name);
        f.AssertClose("d" + name, gradient, 1e-6 * Math.Max(1, f["d" + name].Data.Max(Math.Abs)), output);
    }
}
