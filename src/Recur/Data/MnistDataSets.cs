namespace Recur.Data;

/// <summary>The three splits of MNIST or Fashion-MNIST, as TensorFlow's <c>read_data_sets</c> returns them.</summary>
/// <param name="Train">The training images after the validation ones (55,000 by default).</param>
/// <param name="Validation">The first training images (5,000 by default).</param>
/// <param name="Test">The test images (10,000).</param>
public sealed record MnistDataSets(DataSet Train, DataSet Validation, DataSet Test);
