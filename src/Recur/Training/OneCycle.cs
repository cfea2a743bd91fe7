namespace Recur.Training;

/// <summary>
/// The one-cycle learning rate (Smith and Topin 2017), as PyTorch's <c>OneCycleLR</c> with <c>anneal_strategy='cos'</c>,
/// <c>three_phase=False</c> and <c>cycle_momentum=False</c>: from <c>peak / divFactor</c> up to <paramref name="Peak"/>
/// along a half cosine over the first <c>warmUpShare · steps</c> steps, then down along a half cosine to
/// <c>peak / divFactor / finalDivFactor</c> at the last step. With PyTorch's step number n = step − 1 and the phase ends
/// e₁ = warmUpShare · steps − 1 and e₂ = steps − 1 (doubles, as PyTorch computes them):
/// <code>
/// n ≤ e₁:  anneal(initial, peak, n / e₁)
/// n &gt; e₁:  anneal(peak, final, (n − e₁) / (e₂ − e₁))
/// anneal(a, b, p) = b + (a − b) / 2 · (cos(π p) + 1)
/// </code>
/// Steps after the last keep the final rate (PyTorch raises an error there).
/// </summary>
/// <remarks>
/// PyTorch's default also cycles Adam's β1 (or SGD's momentum) inversely between 0.85 and 0.95; this schedule sets the
/// learning rate only, like <c>cycle_momentum=False</c>. Keras has no one-cycle schedule of its own.
/// </remarks>
/// <param name="Peak">The largest rate (PyTorch's <c>max_lr</c>), reached at the end of the warm-up; positive.</param>
/// <param name="Steps">The length of the cycle (<c>total_steps</c>), usually the run's step count; at least 2.</param>
/// <param name="WarmUpShare">The share of the steps spent rising (<c>pct_start</c>), in (0, 1); 0.3 as PyTorch.</param>
/// <param name="DivFactor">The first rate is <c>peak / divFactor</c> (<c>div_factor</c>); at least 1; 25 as PyTorch.</param>
/// <param name="FinalDivFactor">The last rate is the first divided by this (<c>final_div_factor</c>); at least 1; 1e4 as PyTorch.</param>
public sealed record OneCycle(double Peak, int Steps, double WarmUpShare = 0.3, double DivFactor = 25, double FinalDivFactor = 1e4) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Rate(int step)
    {
        CheckRate(Peak, nameof(Peak), nameof(OneCycle));
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 2, nameof(Steps));
        if (!(WarmUpShare > 0 && WarmUpShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(WarmUpShare), WarmUpShare, $"OneCycle: WarmUpShare must be in (0, 1), e.g. 0.3; received {WarmUpShare}.");
        }

        if (!(DivFactor >= 1 && double.IsFinite(DivFactor)) || !(FinalDivFactor >= 1 && double.IsFinite(FinalDivFactor)))
        {
            throw new ArgumentOutOfRangeException(nameof(DivFactor), (DivFactor, FinalDivFactor), $"OneCycle: DivFactor and FinalDivFactor must be finite and at least 1, e.g. 25 and 1e4; received {DivFactor} and {FinalDivFactor}.");
        }

        double initial = Peak / DivFactor, final = initial / FinalDivFactor;
        double n = Math.Clamp(step, 1, Steps) - 1;
        double warmEnd = WarmUpShare * Steps - 1, lastStep = Steps - 1;
        return n <= warmEnd
            ? Anneal(initial, Peak, warmEnd > 0 ? n / warmEnd : 1) // a one-step warm-up (PyTorch divides by zero there)
            : Anneal(Peak, final, (n - warmEnd) / (lastStep - warmEnd));
    }

    /// <summary>PyTorch's <c>_annealing_cos</c>: from <paramref name="start"/> at 0 to <paramref name="end"/> at 1 along a half cosine.</summary>
    private static double Anneal(double start, double end, double share) => end + (start - end) / 2.0 * (Math.Cos(Math.PI * share) + 1);
}
