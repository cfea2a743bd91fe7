namespace Recur.Export;

/// <summary>How the value flowing between two exported layers is laid out.</summary>
internal enum OnnxLayout
{
    /// <summary><c>[batch, features]</c>: a recurrent layer's last output, or a <c>Dense</c> on it.</summary>
    Features,

    /// <summary><c>[batch, steps, features]</c>: Recur's and the graph input's layout.</summary>
    BatchMajor,

    /// <summary><c>[steps, batch, features]</c>: what ONNX's recurrent operators read and write; kept between consecutive recurrent layers.</summary>
    TimeMajor,

    /// <summary><c>[batch, steps]</c>: token ids held as floats, for an <c>Embedding</c>.</summary>
    Ids,
}
