using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Recur.Tests;

/// <summary>
/// Which of an assembly's namespaces use which, read from its compiled metadata rather than from its <c>using</c>
/// lines: a type uses every type of the assembly named by its base type, interfaces, generic constraints, field,
/// property, event and method signatures, attribute constructors, and its method bodies (locals, caught exception
/// types, and every type, method and field token of the IL). Nested and compiler-made types (lambdas, iterators)
/// count as their outermost declaring type. Doc comments and attribute arguments such as <c>typeof</c> inside an
/// attribute are not metadata references, and are not seen.
/// </summary>
internal sealed class NamespaceGraph
{
    /// <summary>Every IL opcode's operand type, from <see cref="OpCodes"/>.</summary>
    private static readonly Dictionary<ushort, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => (ushort)op.Value, op => op.OperandType);

    private readonly MetadataReader _md;
    private readonly PEReader _pe;
    private readonly TypeCollector _types;

    private NamespaceGraph(PEReader pe)
    {
        _pe = pe;
        _md = pe.GetMetadataReader();
        _types = new TypeCollector(_md);
    }

    /// <summary>
    /// For each namespace of <paramref name="assemblyPath"/> under <paramref name="root"/> (<c>"Recur"</c> itself,
    /// <c>"Recur.Layers"</c>, …), the other such namespaces its types use. Namespaces outside the root (the source
    /// generators' helpers) are left out on both sides.
    /// </summary>
    public static SortedDictionary<string, SortedSet<string>> Read(string assemblyPath, string root)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var graph = new NamespaceGraph(pe);
        var edges = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (TypeDefinitionHandle type in graph._md.TypeDefinitions)
        {
            string from = graph.NamespaceOf(type);
            if (!InRoot(from, root))
            {
                continue;
            }

            SortedSet<string> uses = edges.TryGetValue(from, out var set) ? set : edges[from] = new(StringComparer.Ordinal);
            foreach (TypeDefinitionHandle used in graph.TypesUsedBy(type))
            {
                string to = graph.NamespaceOf(used);
                if (to != from && InRoot(to, root))
                {
                    uses.Add(to);
                }
            }
        }

        return edges;
    }

    /// <summary>A cycle of <paramref name="edges"/> as the list of its namespaces, the first repeated at the end; null when there is none.</summary>
    public static List<string>? FindCycle(IReadOnlyDictionary<string, SortedSet<string>> edges)
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path; true: done
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = false;
            path.Add(node);
            foreach (string next in edges.TryGetValue(node, out var to) ? to : [])
            {
                if (!state.TryGetValue(next, out bool done))
                {
                    if (Visit(next) is { } cycle)
                    {
                        return cycle;
                    }
                }
                else if (!done)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = true;
            return null;
        }

        foreach (string node in edges.Keys)
        {
            if (!state.ContainsKey(node) && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static bool InRoot(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    private string NamespaceOf(TypeDefinitionHandle handle)
    {
        TypeDefinition type = _md.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = _md.GetTypeDefinition(outer);
        }

        return _md.GetString(type.Namespace);
    }

    private HashSet<TypeDefinitionHandle> TypesUsedBy(TypeDefinitionHandle handle)
    {
        _types.Found.Clear();
        TypeDefinition type = _md.GetTypeDefinition(handle);
        Entity(type.BaseType);
        foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations())
        {
            Entity(_md.GetInterfaceImplementation(i).Interface);
        }

        Generic(type.GetGenericParameters());
        Attributes(type.GetCustomAttributes());
        foreach (FieldDefinitionHandle f in type.GetFields())
        {
            FieldDefinition field = _md.GetFieldDefinition(f);
            field.DecodeSignature(_types, null);
            Attributes(field.GetCustomAttributes());
        }

        foreach (PropertyDefinitionHandle p in type.GetProperties())
        {
            PropertyDefinition property = _md.GetPropertyDefinition(p);
            property.DecodeSignature(_types, null);
            Attributes(property.GetCustomAttributes());
        }

        foreach (EventDefinitionHandle e in type.GetEvents())
        {
            Entity(_md.GetEventDefinition(e).Type);
        }

        foreach (MethodDefinitionHandle m in type.GetMethods())
        {
            Method(_md.GetMethodDefinition(m));
        }

        return [.. _types.Found];
    }

    private void Method(MethodDefinition method)
    {
        method.DecodeSignature(_types, null);
        Generic(method.GetGenericParameters());
        Attributes(method.GetCustomAttributes());
        foreach (ParameterHandle p in method.GetParameters())
        {
            Attributes(_md.GetParameter(p).GetCustomAttributes());
        }

        if (method.RelativeVirtualAddress == 0)
        {
            return; // abstract, extern or an interface member without a body
        }

        MethodBodyBlock body = _pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_types, null);
        }

        foreach (ExceptionRegion region in body.ExceptionRegions)
        {
            Entity(region.CatchType);
        }

        BlobReader il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            ushort code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (ushort)(0xFE00 | il.ReadByte());
            }

            switch (Operands[code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSwitch:
                    int targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                default: // InlineBrTarget, InlineI, ShortInlineR, InlineString
                    il.Offset += 4;
                    break;
            }
        }
    }

    private void Generic(GenericParameterHandleCollection parameters)
    {
        foreach (GenericParameterHandle g in parameters)
        {
            foreach (GenericParameterConstraintHandle c in _md.GetGenericParameter(g).GetConstraints())
            {
                Entity(_md.GetGenericParameterConstraint(c).Type);
            }
        }
    }

    private void Attributes(CustomAttributeHandleCollection attributes)
    {
        foreach (CustomAttributeHandle a in attributes)
        {
            Entity(_md.GetCustomAttribute(a).Constructor);
        }
    }

    /// <summary>Adds the types a token names: a type, or a member's declaring type and signature.</summary>
    private void Entity(EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                _types.Found.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                _md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_types, null);
                break;
            case HandleKind.MethodDefinition:
                _types.Found.Add(_md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                _types.Found.Add(_md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                MemberReference member = _md.GetMemberReference((MemberReferenceHandle)handle);
                Entity(member.Parent);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(_types, null);
                }
                else
                {
                    member.DecodeFieldSignature(_types, null);
                }

                break;
            case HandleKind.MethodSpecification:
                MethodSpecification spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                Entity(spec.Method);
                spec.DecodeSignature(_types, null);
                break;
            case HandleKind.StandaloneSignature:
                StandaloneSignature signature = _md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.Method)
                {
                    signature.DecodeMethodSignature(_types, null);
                }

                break;
        }
    }

    /// <summary>Decodes signatures only to note every type definition of the assembly they name.</summary>
    private sealed class TypeCollector(MetadataReader md) : ISignatureTypeProvider<bool, object?>
    {
        public HashSet<TypeDefinitionHandle> Found { get; } = [];

        public bool GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => Found.Add(handle);

        public bool GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            md.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public bool GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => false;

        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;

        public bool GetSZArrayType(bool elementType) => false;

        public bool GetArrayType(bool elementType, ArrayShape shape) => false;

        public bool GetByReferenceType(bool elementType) => false;

        public bool GetPointerType(bool elementType) => false;

        public bool GetPinnedType(bool elementType) => false;

        public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => false;

        public bool GetGenericMethodParameter(object? genericContext, int index) => false;

        public bool GetGenericTypeParameter(object? genericContext, int index) => false;

        public bool GetFunctionPointerType(MethodSignature<bool> signature) => false;

        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;
    }
}
