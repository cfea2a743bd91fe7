using System.Globalization;
using System.Text;

namespace Recur.Data;

/// <summary>
/// Parses the small subset of Python literal syntax that a <c>.npy</c> header uses (what
/// <c>ast.literal_eval</c> reads there): dicts, tuples, lists, strings in single or double quotes
/// with backslash escapes, integers (an old Python 2 <c>L</c> suffix allowed), <c>True</c>,
/// <c>False</c> and <c>None</c>. A dict becomes a <see cref="Dictionary{TKey, TValue}"/> with string
/// keys, a tuple or a list a <see cref="List{T}"/> of its items, an integer a <see cref="long"/>, a string a <see cref="string"/>, a boolean a
/// <see cref="bool"/> and <c>None</c> null.
/// </summary>
internal sealed class PythonLiteral
{
    private readonly string _text;
    private int _at;

    private PythonLiteral(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/>, which must hold exactly one literal (surrounding white space allowed).</summary>
    /// <exception cref="FormatException">The text is not such a literal; the message says where and what was found.</exception>
    public static object? Parse(string text)
    {
        var parser = new PythonLiteral(text);
        object? value = parser.Value();
        parser.SkipSpace();
        if (parser._at < text.Length)
        {
            throw parser.Error("the end of the header");
        }

        return value;
    }

    private object? Value()
    {
        SkipSpace();
        if (_at >= _text.Length)
        {
            throw Error("a value");
        }

        char c = _text[_at];
        switch (c)
        {
            case '{':
                return Dict();
            case '(':
            {
                var (items, trailingComma) = Sequence(')');
                return items.Count == 1 && !trailingComma ? items[0] : items; // (x) is x; (x,) is a tuple
            }

            case '[':
                return Sequence(']').Items;
            case '\'' or '"':
                return String();
        }

        if (c is '-' or '+' || char.IsAsciiDigit(c))
        {
            return Integer();
        }

        if (char.IsAsciiLetter(c))
        {
            int start = _at;
            while (_at < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at]) || _text[_at] == '_'))
            {
                _at++;
            }

            return _text[start.._at] switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                string word => throw Error("a value", $"the name '{word}'", start),
            };
        }

        throw Error("a value");
    }

    private Dictionary<string, object?> Dict()
    {
        _at++; // {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (Peek() == '}')
            {
                _at++;
                return dict;
            }

            int keyAt = _at;
            if (Value() is not string key)
            {
                throw Error("a string key", at: keyAt);
            }

            SkipSpace();
            Expect(':');
            dict[key] = Value();
            SkipSpace();
            if (Peek() == ',')
            {
                _at++;
            }
            else if (Peek() != '}')
            {
                throw Error("',' or '}'");
            }
        }
    }

    private (List<object?> Items, bool TrailingComma) Sequence(char close)
    {
        _at++; // ( or [
        var items = new List<object?>();
        bool comma = false;
        while (true)
        {
            SkipSpace();
            if (Peek() == close)
            {
                _at++;
                return (items, comma);
            }

            items.Add(Value());
            SkipSpace();
            comma = Peek() == ',';
            if (comma)
            {
                _at++;
            }
            else if (Peek() != close)
            {
                throw Error($"',' or '{close}'");
            }
        }
    }

    private string String()
    {
        char quote = _text[_at++];
        var s = new StringBuilder();
        while (true)
        {
            if (_at >= _text.Length)
            {
                throw Error($"the closing {quote}");
            }

            char c = _text[_at++];
            if (c == quote)
            {
                return s.ToString();
            }

            if (c != '\\')
            {
                s.Append(c);
                continue;
            }

            if (_at >= _text.Length)
            {
                throw Error("an escaped character");
            }

            char e = _text[_at++];
            switch (e)
            {
                case 'n': s.Append('\n'); break;
                case 't': s.Append('\t'); break;
                case 'r': s.Append('\r'); break;
                case '0': s.Append('\0'); break;
                case 'x': s.Append(Hex(2)); break;
                case 'u': s.Append(Hex(4)); break;
                default: s.Append(e); break; // \\ \' \" and anything else stand for themselves
            }
        }
    }

    private char Hex(int digits)
    {
        if (_at + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
        {
            throw Error($"{digits} hexadecimal digits");
        }

        _at += digits;
        return (char)code;
    }

    private long Integer()
    {
        int start = _at;
        if (_text[_at] is '-' or '+')
        {
            _at++;
        }

        while (_at < _text.Length && char.IsAsciiDigit(_text[_at]))
        {
            _at++;
        }

        if (!long.TryParse(_text.AsSpan(start, _at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw Error("an integer", $"'{_text[start.._at]}'", start);
        }

        if (_at < _text.Length && _text[_at] is 'L' or 'l')
        {
            _at++; // Python 2 long
        }

        return value;
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"'{c}'");
        }

        _at++;
    }

    private char Peek() => _at < _text.Length ? _text[_at] : '\0';

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }

    private FormatException Error(string expected, string? found = null, int? at = null)
    {
        int where = at ?? _at;
        found ??= where < _text.Length ? $"'{_text[where]}'" : "the end";
        return new FormatException($"expected {expected} at character {where + 1}, found {found}");
    }
}
