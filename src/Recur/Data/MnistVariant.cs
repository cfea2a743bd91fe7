namespace Recur.Data;

/// <summary>Which of the two 28×28, 10-class IDX data sets to use.</summary>
public enum MnistVariant
{
    /// <summary>LeCun, Cortes and Burges's handwritten digits.</summary>
    Mnist,

    /// <summary>Zalando's Fashion-MNIST: clothing images in the same format and sizes.</summary>
    FashionMnist,
}
