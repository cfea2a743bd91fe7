namespace Recur.Tensors;

/// <summary>
/// The micro-kernel family <see cref="Gemm"/> runs: one per vector width. The widest one the machine
/// accelerates is chosen once at start-up (<see cref="Gemm.DefaultPath"/>); tests force the narrower ones.
/// </summary>
internal enum GemmPath
{
    /// <summary>Plain float arithmetic, 4 × 4 register block; runs anywhere.</summary>
    Scalar,

    /// <summary><see cref="System.Runtime.Intrinsics.Vector128{T}"/> (SSE / AdvSimd), 6 × 8 register block.</summary>
    Vector128,

    /// <summary><see cref="System.Runtime.Intrinsics.Vector256{T}"/> (AVX2 + FMA), 6 × 16 register block.</summary>
    Vector256,

    /// <summary><see cref="System.Runtime.Intrinsics.Vector512{T}"/> (AVX-512F), 8 × 32 register block.</summary>
    Vector512,
}
