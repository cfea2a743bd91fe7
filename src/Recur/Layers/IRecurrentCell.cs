namespace Recur.Layers;

/// <summary>
/// The part of a recurrent layer that <see cref="RecurrentLoop"/> does not know: its weights' layout and its
/// cell. The loop calls <see cref="Forward"/> and <see cref="Backward"/> once per step and shard of the batch,
/// from several threads at once on disjoint rows. <see cref="RecurrentLayer"/> implements it for every layer, by
/// the layer's own <c>FillWeights</c>, <c>CellForward</c> and <c>CellBackward</c>.
/// </summary>
internal interface IRecurrentCell
{
    /// <summary>Writes the weights <c>[G, Width]</c> laid out as the layer's <see cref="RecurrentLayout"/> says.</summary>
    void FillWeights(Span<float> weights);

    /// <summary>
    /// The step's cell: from the pre-activations in <see cref="RecurrentStep.Gates"/> and <see cref="RecurrentStep.HPrev"/>,
    /// writes <see cref="RecurrentStep.HNext"/>, keeping in the gates what <see cref="Backward"/> needs.
    /// </summary>
    void Forward(in RecurrentStep step);

    /// <summary>
    /// The step's cell backward: from what <see cref="Forward"/> kept and the gradient <see cref="RecurrentStep.Dh"/>,
    /// writes the gradients of the pre-activations over the gates. When the layout accumulates
    /// (<see cref="RecurrentLayout.RecurrentAccumulates"/>), it also leaves in Dh the part of the gradient of <c>h_{t−1}</c>
    /// that does not go through the weights (a GRU's <c>dh'·z</c>); otherwise Dh is overwritten after it.
    /// </summary>
    void Backward(in RecurrentStep step);
}
