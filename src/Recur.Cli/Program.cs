namespace Recur.Cli;

/// <summary>The <c>recur</c> command. Training commands arrive with the CLI work; for now it explains itself.</summary>
public static class Program
{
    /// <summary>Entry point: prints usage; unknown arguments exit with code 2.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            Console.WriteLine("""
                recur — train recurrent neural networks (LSTM, GRU, simple RNN) on the CPU.

                Usage: recur [--help]

                The library (Recur) is usable today: Tensor, Gemm, Dense, Lstm, SoftmaxCrossEntropy,
                Sgd, Momentum, Adam, RmsProp. The train, evaluate, predict and bench commands are
                not built yet.
                """);
            return 0;
        }

        Console.Error.WriteLine($"recur: unknown command '{args[0]}'. Run 'recur --help'.");
        return 2;
    }
}
