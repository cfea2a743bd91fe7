using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recur.Models;

/// <summary>
/// The kinds of one family (layers, initializers, losses, optimizers) that <c>config.json</c> can name, each under
/// a class name, and their JSON: Keras's <c>{"class_name": "LSTM", "config": {"units": 128, …}}</c>. The stock
/// kinds are registered by <see cref="Registries"/>; register a kind of your own once, before saving or loading a
/// model that uses it.
/// </summary>
/// <typeparam name="T">The family's base type.</typeparam>
/// <remarks>Registering is thread-safe; a class name and a type each belong to one kind.</remarks>
public sealed class Registry<T>
    where T : class
{
    private readonly Dictionary<string, Kind> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, Kind> _byType = [];
    private readonly Lock _lock = new();
    private readonly string _family;
    private readonly string _owner;

    internal Registry(string family, string owner)
    {
        _family = family;
        _owner = owner;
    }

    /// <summary>The registered class names, in ordinal order.</summary>
    public IReadOnlyList<string> ClassNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _byName.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>
    /// Registers <typeparamref name="TKind"/> as <paramref name="className"/>, its <c>config</c> being its public
    /// properties in snake_case (a record's arguments) and read back through its constructor and init accessors.
    /// Registering the same type under the same name again does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, or the name or the type is already registered otherwise.</exception>
    public void Register<TKind>(string className)
        where TKind : T =>
        Add(new Kind(className, typeof(TKind), v => JsonSerializer.SerializeToNode(v, v.GetType(), Registries.Json)!.AsObject(),
            c => (T)(c.Deserialize(typeof(TKind), Registries.Json) ?? throw new JsonException($"the config of a {className} is null")), null));

    /// <summary>
    /// Registers <typeparamref name="TKind"/> as <paramref name="className"/> with its own <c>config</c> writer and
    /// reader (for classes that are not records, such as an optimizer).
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, or the name or the type is already registered otherwise.</exception>
    public void Register<TKind>(string className, Func<TKind, JsonObject> toConfig, Func<JsonObject, TKind> fromConfig)
        where TKind : T
    {
        ArgumentNullException.ThrowIfNull(toConfig);
        ArgumentNullException.ThrowIfNull(fromConfig);
        Add(new Kind(className, typeof(TKind), v => toConfig((TKind)v), c => fromConfig(c), null));
    }

    /// <summary>
    /// Registers a stock kind whose files from before the <c>config</c> object (its arguments flattened next to
    /// <c>class_name</c>) meant other defaults: <paramref name="legacyDefaults"/> fills what such an entry leaves out.
    /// </summary>
    internal void Register<TKind>(string className, JsonObject legacyDefaults)
        where TKind : T
    {
        Register<TKind>(className);
        lock (_lock)
        {
            _byName[className] = _byName[className] with { LegacyDefaults = legacyDefaults };
            _byType[typeof(TKind)] = _byName[className];
        }
    }

    /// <summary>The class name <paramref name="type"/> is registered under, or null.</summary>
    public string? ClassNameOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (_lock)
        {
            return _byType.TryGetValue(type, out Kind? kind) ? kind.ClassName : null;
        }
    }

    /// <summary><c>{"class_name": …, "config": {…}}</c> for <paramref name="value"/>.</summary>
    /// <exception cref="NotSupportedException">The value's type is not registered.</exception>
    public JsonObject ToJson(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Kind kind = Find(value.GetType()) ?? throw new NotSupportedException(
            $"{value.GetType().Name} is not a registered {_family} kind, so config.json cannot name it; call {_owner}.Register<{value.GetType().Name}>(\"ClassName\") once before saving or loading a model that uses it.");
        return new JsonObject { ["class_name"] = kind.ClassName, ["config"] = kind.ToConfig(value) };
    }

    /// <summary>
    /// The value that <paramref name="node"/> (<c>{"class_name": …, "config": {…}}</c>, or an older entry with the
    /// arguments beside <c>class_name</c>) describes.
    /// </summary>
    /// <exception cref="InvalidDataException">The entry is not an object with a class name, or names a kind not registered.</exception>
    /// <exception cref="JsonException">The config does not fit the kind (an unknown argument, a wrong type).</exception>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public T FromJson(JsonNode? node)
    {
        if (node is not JsonObject entry || entry["class_name"] is not JsonValue nameValue || !nameValue.TryGetValue(out string? className))
        {
            throw new InvalidDataException($"a {_family} entry is not an object with a \"class_name\" (e.g. {{\"class_name\": \"{Example}\", \"config\": {{…}}}}).");
        }

        Kind kind;
        lock (_lock)
        {
            kind = _byName.GetValueOrDefault(className) ?? throw new InvalidDataException(
                $"unknown {_family} '{className}' (known: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}); a kind of your own must be registered with {_owner}.Register before loading.");
        }

        JsonObject config;
        if (entry["config"] is JsonObject nested)
        {
            config = nested.DeepClone().AsObject();
        }
        else
        {
            // Written before the config object: the arguments sit beside class_name.
            config = entry.DeepClone().AsObject();
            config.Remove("class_name");
            foreach (var (key, value) in kind.LegacyDefaults ?? [])
            {
                config.TryAdd(key, value?.DeepClone());
            }
        }

        return kind.FromConfig(config);
    }

    private string Example
    {
        get
        {
            lock (_lock)
            {
                return _byName.Keys.Order(StringComparer.Ordinal).FirstOrDefault() ?? "Name";
            }
        }
    }

    private Kind? Find(Type type)
    {
        lock (_lock)
        {
            return _byType.GetValueOrDefault(type);
        }
    }

    private void Add(Kind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind.ClassName, "className");
        lock (_lock)
        {
            Kind? byName = _byName.GetValueOrDefault(kind.ClassName), byType = _byType.GetValueOrDefault(kind.Type);
            if (byName is not null && byName.Type == kind.Type)
            {
                return;
            }

            if (byName is not null)
            {
                throw new ArgumentException($"{_owner}: '{kind.ClassName}' is already the class name of {byName.Type.Name}; register {kind.Type.Name} under another name.", "className");
            }

            if (byType is not null)
            {
                throw new ArgumentException($"{_owner}: {kind.Type.Name} is already registered as '{byType.ClassName}'; a type has one class name.", "className");
            }

            _byName.Add(kind.ClassName, kind);
            _byType.Add(kind.Type, kind);
        }
    }

    /// <summary>One registered kind: its class name, type, config writer and reader, and the defaults of its flattened older entries.</summary>
    private sealed record Kind(string ClassName, Type Type, Func<T, JsonObject> ToConfig, Func<JsonObject, T> FromConfig, JsonObject? LegacyDefaults);
}
