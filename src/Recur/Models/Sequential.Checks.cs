using System.Globalization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Losses;
using Recur.Tensors;

namespace Recur.Models;

public sealed partial class Sequential
{
    /// <summary>
    /// When true, <see cref="Predict(Tensor, int, int[])"/> checks its output and throws
    /// <see cref="DivergenceException"/> naming the first NaN or infinite prediction (row and column) instead of
    /// returning it. Off by default: finite inputs and weights give finite outputs unless the weights are extreme.
    /// The check is one vectorised scan of the output per call.
    /// </summary>
    public bool CheckFinitePredictions { get; set; }

    /// <summary>
    /// Checks the data handed to <c>Fit</c> or <c>Evaluate</c> once, before any step: it has rows, its inputs are finite,
    /// and — for class indices <c>[N]</c> or <c>[N, 1]</c> under <see cref="SparseCategoricalCrossentropy"/> — every
    /// target is a class of the model's output, named by its index in <paramref name="y"/>.
    /// </summary>
    private void CheckData(Tensor x, Tensor y, string caller, string xName = "x", string yName = "y")
    {
        if (x.Dim(0) == 0)
        {
            throw new ArgumentException($"{caller}: {xName} has no rows (shape {Tensor.FormatShape(x.Shape)}); give at least one example.", xName);
        }

        CheckInputShape(x, caller, xName);
        CheckFinite(x, caller, xName, "inputs must be finite: replace missing values first (e.g. np.nan_to_num, or drop the rows)");
        CheckFinite(y, caller, yName, "targets must be finite: drop or fix the rows whose target is missing");
        if (Loss is not SparseCategoricalCrossentropy || OutputShape is not { Count: > 0 } output || output[^1] <= 0 || y.Length != y.Dim(0))
        {
            return; // per-step targets may hold padding at masked steps; the loss checks those batch by batch
        }

        int classes = output[^1];
        ReadOnlySpan<float> t = y.Span;
        for (int i = 0; i < t.Length; i++)
        {
            if (!(t[i] >= 0f && t[i] < classes) || t[i] != MathF.Floor(t[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{caller}: {yName}[{i}] = {t[i]} is not a class index in [0, {classes}) for a model with {classes} outputs; check the labels or the last layer's units."), yName);
            }
        }
    }

    /// <summary>Throws naming the first NaN or infinite element of <paramref name="values"/> by its index, as the caller knows the array.</summary>
    internal static void CheckFinite(Tensor values, string caller, string name, string fix)
    {
        int bad = FirstNonFinite(values.Span);
        if (bad >= 0)
        {
            throw new ArgumentException(NotFinite(values, bad, caller, name, fix), name);
        }
    }

    /// <summary>"caller: name[i, j] is NaN; fix."</summary>
    internal static string NotFinite(Tensor values, int bad, string caller, string name, string fix) =>
        string.Create(CultureInfo.InvariantCulture, $"{caller}: {name}{FormatIndex(values.Shape, bad)} is {values.Span[bad]}; {fix}.");

    /// <summary>
    /// The index of the first NaN or infinite element of <paramref name="values"/>, or −1: one vectorised scan, and a
    /// search for the element only when there is one.
    /// </summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty || TensorPrimitives.IsFiniteAll(values))
        {
            return -1;
        }

        int bad = 0;
        while (float.IsFinite(values[bad]))
        {
            bad++;
        }

        return bad;
    }

    /// <summary>The multi-index of flat element <paramref name="flat"/> of an array of <paramref name="shape"/>: <c>[3, 7, 0]</c>.</summary>
    internal static string FormatIndex(ReadOnlySpan<int> shape, int flat)
    {
        var index = new int[shape.Length];
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            int d = Math.Max(shape[axis], 1);
            index[axis] = flat % d;
            flat /= d;
        }

        return $"[{string.Join(", ", index)}]";
    }
}
