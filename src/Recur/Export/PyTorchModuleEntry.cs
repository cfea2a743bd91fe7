using Recur.Layers;

namespace Recur.Export;

/// <summary>
/// One Recur layer's place in a PyTorch state dict: the torch module it belongs to and, for a recurrent direction,
/// the suffix of its keys inside that module.
/// </summary>
/// <param name="Layer">A <see cref="RecurrentLayer"/> (one direction) or a layer whose parameters keep their own names.</param>
/// <param name="Module">The torch module's name, the keys' prefix (<c>rnn</c> in <c>rnn.weight_ih_l0</c>).</param>
/// <param name="Suffix">For a recurrent direction <c>_l{k}</c> or <c>_l{k}_reverse</c>; null for the other layers.</param>
/// <param name="Owner">The Recur layer of the model it comes from (the <c>Bidirectional</c> for a direction), for messages.</param>
internal sealed record PyTorchModuleEntry(ILayer Layer, string Module, string? Suffix, ILayer Owner)
{
    /// <summary><c>{module}.{name}{suffix}</c>.</summary>
    public string Key(string name) => $"{Module}.{name}{Suffix}";
}
