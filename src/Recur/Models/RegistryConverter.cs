using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Recur.Models;

/// <summary>
/// Writes and reads a property typed as a family's base (a <see cref="BidirectionalLayer"/>'s wrapped layer, a
/// record's initializer) as the registry's <c>{"class_name": …, "config": {…}}</c>.
/// </summary>
internal sealed class RegistryConverter<T>(Registry<T> registry) : JsonConverter<T>
    where T : class
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        registry.FromJson(JsonNode.Parse(ref reader));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        registry.ToJson(value).WriteTo(writer, options);
}
