using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// MNIST and Fashion-MNIST as TensorFlow's <c>input_data.read_data_sets(one_hot=True)</c> gives them:
/// images <c>[N, 784]</c> with pixels scaled to [0, 1], one-hot labels, the first 5,000 training images
/// held out for validation.
/// </summary>
public static class Mnist
{
    /// <summary>The number of classes of both variants.</summary>
    public const int Classes = 10;

    /// <summary>Image rows and columns of both variants.</summary>
    public const int ImageSize = 28;

    /// <summary>
    /// Finds (or fetches) and verifies the four files as <see cref="MnistFiles"/> describes, and splits them:
    /// validation = the first <see cref="MnistOptions.ValidationSize"/> training images, train = the rest, test = all 10,000.
    /// </summary>
    /// <exception cref="DataUnavailableException">The files are nowhere and could not be fetched.</exception>
    /// <exception cref="DataFileException">A file is damaged or is not the expected one.</exception>
    public static MnistDataSets ReadDataSets(MnistOptions? options = null)
    {
        options ??= new MnistOptions();
        var files = new MnistFiles(options);
        files.Ensure();
        IdxImages trainImages = files.ReadImages(MnistFiles.TrainImages);
        byte[] trainLabels = files.ReadLabels(MnistFiles.TrainLabels);
        IdxImages testImages = files.ReadImages(MnistFiles.TestImages);
        byte[] testLabels = files.ReadLabels(MnistFiles.TestLabels);
        return CreateDataSets(trainImages, trainLabels, testImages, testLabels, options.ValidationSize, options.Seed);
    }

    /// <summary>
    /// Splits already-read IDX data the way <see cref="ReadDataSets"/> does (for slices and other IDX data):
    /// pixels divided by 255, validation = the first <paramref name="validationSize"/> training images.
    /// </summary>
    /// <param name="trainImages">Training images, N × rows × columns.</param>
    /// <param name="trainLabels">Training labels, N, each below <see cref="Classes"/>.</param>
    /// <param name="testImages">Test images, M × rows × columns (the same size as the training images).</param>
    /// <param name="testLabels">Test labels, M.</param>
    /// <param name="validationSize">Training images held out for validation, in [0, N].</param>
    /// <param name="seed">Shuffling seed: train uses it, validation seed + 1, test seed + 2.</param>
    /// <exception cref="ArgumentException">Counts or image sizes disagree, or a label is out of range.</exception>
    public static MnistDataSets CreateDataSets(
        IdxImages trainImages,
        ReadOnlySpan<byte> trainLabels,
        IdxImages testImages,
        ReadOnlySpan<byte> testLabels,
        int validationSize = 5000,
        ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(trainImages);
        ArgumentNullException.ThrowIfNull(testImages);
        if (trainImages.Count != trainLabels.Length || testImages.Count != testLabels.Length)
        {
            throw new ArgumentException(
                $"Mnist: {trainImages.Count} training images with {trainLabels.Length} labels and {testImages.Count} test images " +
                $"with {testLabels.Length} labels; each image needs one label.", nameof(trainLabels));
        }

        if (trainImages.Rows != testImages.Rows || trainImages.Columns != testImages.Columns)
        {
            throw new ArgumentException(
                $"Mnist: training images are {trainImages.Rows}×{trainImages.Columns} but test images are {testImages.Rows}×{testImages.Columns}.",
                nameof(testImages));
        }

        if (validationSize < 0 || validationSize > trainImages.Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(validationSize), validationSize,
                $"Mnist: the validation size must be in [0, {trainImages.Count}] (the training images); received {validationSize}.");
        }

        int train = trainImages.Count - validationSize;
        return new MnistDataSets(
            Train: Make(trainImages, trainLabels, validationSize, train, seed),
            Validation: Make(trainImages, trainLabels, 0, validationSize, unchecked(seed + 1)),
            Test: Make(testImages, testLabels, 0, testImages.Count, unchecked(seed + 2)));
    }

    private static DataSet Make(IdxImages images, ReadOnlySpan<byte> labels, int start, int count, ulong seed)
    {
        int f = images.PixelsPerImage;
        var pixels = new float[count * f];
        TensorPrimitives.ConvertChecked<byte, float>(images.Pixels.AsSpan(start * f, count * f), pixels);
        TensorPrimitives.Divide(pixels, 255f, pixels);
        var classes = new int[count];
        for (int i = 0; i < count; i++)
        {
            classes[i] = labels[start + i];
        }

        return new DataSet(new Tensor(pixels, count, f), classes, Classes, seed);
    }
}
