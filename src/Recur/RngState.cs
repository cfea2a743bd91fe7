namespace Recur;

/// <summary>
/// The complete state of an <see cref="Rng"/>: the four xoshiro256** words and the second value of the last
/// Marsaglia pair, if <see cref="Rng.NextGaussian"/> has not handed it out yet. Read it with
/// <see cref="Rng.State"/> and write it back to continue the sequence bit for bit (a checkpoint, a resumed run).
/// </summary>
/// <remarks>
/// Every field is an exact value: store the words as unsigned 64-bit integers and <see cref="SpareGaussian"/> as
/// its bits (<see cref="BitConverter.DoubleToUInt64Bits"/>) or in a round-trip format, and the restored generator
/// draws what the saved one would have drawn. <see cref="SpareGaussian"/> keeps its last value after it was used
/// (then <see cref="HasSpareGaussian"/> is false); it is part of the state only while HasSpareGaussian is true.
/// </remarks>
/// <param name="S0">xoshiro256** state word 0.</param>
/// <param name="S1">xoshiro256** state word 1.</param>
/// <param name="S2">xoshiro256** state word 2.</param>
/// <param name="S3">xoshiro256** state word 3.</param>
/// <param name="HasSpareGaussian">Whether the next <see cref="Rng.NextGaussian"/> returns <see cref="SpareGaussian"/> without drawing.</param>
/// <param name="SpareGaussian">The kept second normal value of the last pair.</param>
public readonly record struct RngState(ulong S0, ulong S1, ulong S2, ulong S3, bool HasSpareGaussian, double SpareGaussian);
