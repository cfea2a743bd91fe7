namespace Recur.Cli;

/// <summary>What <c>recur train</c> learns (<c>--task</c>): the model's head, loss and metrics follow from it.</summary>
internal enum TrainTask
{
    /// <summary>One class per sequence: recurrent layers → Dense(classes), softmax cross-entropy, accuracy.</summary>
    Classify,

    /// <summary>One float (or vector) per sequence: recurrent layers → Dense(1 or F), mse, with mae and rmse.</summary>
    Regress,

    /// <summary>One class per step: recurrent layers returning sequences → a per-step Dense(classes), per-step sparse cross-entropy, masked by the lengths.</summary>
    Label,
}

/// <summary>The names of <see cref="TrainTask"/> on the command line and in a model's metadata.</summary>
internal static class TrainTasks
{
    /// <summary>The values of <c>--task</c>.</summary>
    public static readonly string[] Names = ["classify", "regress", "label"];

    /// <summary>The task's name.</summary>
    public static string Name(this TrainTask task) => Names[(int)task];

    /// <summary>The task named <paramref name="name"/>; classify for null or an unknown name (a model saved before tasks existed).</summary>
    public static TrainTask Parse(string? name) => Array.IndexOf(Names, name) is int i and >= 0 ? (TrainTask)i : TrainTask.Classify;

    /// <summary>The metric a run monitors, reports and keeps its best checkpoint by: accuracy, or rmse for regression.</summary>
    public static string Monitored(this TrainTask task) => task == TrainTask.Regress ? "rmse" : "accuracy";
}
