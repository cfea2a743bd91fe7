using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Recur.Cli;

/// <summary>
/// The values a numeric option allows: from <see cref="Min"/> to <see cref="Max"/>, each end included unless
/// <see cref="AboveMin"/> or <see cref="BelowMax"/> says otherwise, whole numbers only when <see cref="Whole"/>.
/// <see cref="OptionLimits"/> declares every option's; <see cref="Attach{T}"/> checks a value at parse time, before any
/// data are read, and shows the range in <c>--help</c>.
/// </summary>
internal sealed record OptionRange(decimal Min, decimal Max, bool AboveMin = false, bool BelowMax = false, bool Whole = false)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Whole numbers from <paramref name="min"/> to <paramref name="max"/>, both included.</summary>
    public static OptionRange Integers(decimal min, decimal max) => new(min, max, Whole: true);

    /// <summary>Numbers from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static OptionRange Numbers(decimal min, decimal max, bool aboveMin = false, bool belowMax = false) => new(min, max, aboveMin, belowMax);

    /// <summary>What the option takes, for messages and help: "a whole number from 1 to 8,192", "a number above 0 and at most 100".</summary>
    public string Text
    {
        get
        {
            if (Whole)
            {
                return $"a whole number from {Show(Min)} to {Show(Max)}";
            }

            if (Min == decimal.MinValue && Max == decimal.MaxValue)
            {
                return "a number";
            }

            return $"a number {(AboveMin ? "above" : "at least")} {Show(Min)} and {(BelowMax ? "below" : "at most")} {Show(Max)}";
        }
    }

    /// <summary>Whether <paramref name="value"/> is allowed.</summary>
    public bool Contains(decimal value) =>
        (AboveMin ? value > Min : value >= Min) && (BelowMax ? value < Max : value <= Max) && (!Whole || value == decimal.Truncate(value));

    /// <summary>Whether <paramref name="value"/> is allowed (NaN and infinities never are, unless the range is every number).</summary>
    public bool Contains(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 7.9e28 ? Contains((decimal)value) : Min == decimal.MinValue && Max == decimal.MaxValue && !double.IsNaN(value);

    /// <summary>Null when <paramref name="value"/> is allowed, else the one-line problem: <c>--hidden 0: out of range; give a whole number from 1 to 8,192.</c></summary>
    public string? Problem(string option, double value) =>
        Contains(value) ? null : Message(option, value.ToString(Inv), "out of range");

    /// <summary>The one-line problem of <paramref name="token"/> given to <paramref name="option"/>, <paramref name="what"/> being "out of range" or "not a number".</summary>
    public string Message(string option, string token, string what) => $"{option} {token}: {what}; give {Text}.";

    /// <summary>
    /// Makes <paramref name="option"/> accept only this range: its value is parsed with the invariant culture (so
    /// <c>1e3</c> is a thousand) and checked when the command line is parsed, and the range is added to its description.
    /// </summary>
    /// <typeparam name="T">int, long, ulong, float or double, or one of them nullable.</typeparam>
    public Option<T> Attach<T>(Option<T> option)
    {
        Type type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        option.Description = $"{option.Description} Allowed: {Text}.";
        option.CustomParser = result => Parse<T>(result, option.Name, type);
        return option;
    }

    private T? Parse<T>(ArgumentResult result, string name, Type type)
    {
        if (result.Tokens.Count == 0)
        {
            return default;
        }

        string token = result.Tokens[^1].Value;
        const NumberStyles Style = NumberStyles.Float; // no thousands separators: "0,001" is not 1
        bool isDecimal = decimal.TryParse(token, Style, Inv, out decimal value);
        double number = 0;
        if (!isDecimal && (!double.TryParse(token, Style, Inv, out number) || double.IsNaN(number)))
        {
            result.AddError(Message(name, token, "not a number"));
            return default;
        }

        // A number beyond decimal's range (1e30, Infinity, NaN) is in range only when every number is.
        if (isDecimal ? Contains(value) : Contains(number))
        {
            return (T)Convert.ChangeType(isDecimal ? value : number, type, Inv);
        }

        result.AddError(Message(name, token, "out of range"));
        return default;
    }

    private static string Show(decimal value) => value == decimal.Truncate(value) ? value.ToString("#,0", Inv) : value.ToString("#,0.##########", Inv);
}
