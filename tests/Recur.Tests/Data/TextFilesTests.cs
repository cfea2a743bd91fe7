using System.Text;
using Recur.Data;

namespace Recur.Tests.Data;

/// <summary>The vocabulary and the label&lt;TAB&gt;text reader.</summary>
public sealed class TextFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string text, string name = "texts.txt", Encoding? encoding = null)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void IdsFollowDescendingCountsThenOrdinalOrder()
    {
        Vocabulary v = Vocabulary.Build(["abca", "cb", "é"], TokenKind.Characters);
        Assert.Equal(["a", "b", "c", "é"], v.Tokens); // a, b, c twice each (ties by ordinal order), é once
        Assert.Equal((6, 2, 4, 5), (v.Count, v.IdOf("a"), v.IdOf("c"), v.IdOf("é")));
        Assert.Equal(Vocabulary.UnknownId, v.IdOf("z"));
        Assert.Equal(("<pad>", "<unk>", "b"), (v.TokenOf(0), v.TokenOf(1), v.TokenOf(3)));

        Vocabulary words = Vocabulary.Build(["the cat", "the  dog\tthe", "a cat"], TokenKind.Words, maxSize: 4);
        Assert.Equal(["the", "cat"], words.Tokens); // 3, 2; then a, dog once — cut by maxSize (pad, unk, 2 tokens)
        Assert.Equal(["cat", "the"], Vocabulary.Build(["the cat", "the cat", "dog"], TokenKind.Words, minCount: 2).Tokens.Order(StringComparer.Ordinal));
        Assert.Equal(4, Vocabulary.Build(["😀x"], TokenKind.Characters).Count); // one code point, not two UTF-16 units
    }

    [Fact]
    public void BatchesArePaddedAtTheEndWithLengths()
    {
        Vocabulary v = new(TokenKind.Characters, ["a", "b"]);
        var (ids, lengths) = v.EncodeBatch(["ab", "bzab", "a"]);
        Assert.True(ids.HasShape(3, 4));
        Assert.Equal([2f, 3, 0, 0, 3, 1, 2, 3, 2, 0, 0, 0], ids.Data);
        Assert.Equal([2, 4, 1], lengths);
        var (cut, cutLengths) = v.EncodeBatch(["ab", "bzab"], maxLength: 3);
        Assert.Equal([2f, 3, 0, 3, 1, 2], cut.Data);
        Assert.Equal([2, 3], cutLengths);
        Assert.Contains("text 1 ('') has no character", Assert.Throws<ArgumentException>(() => v.EncodeBatch(["a", ""])).Message);
    }

    [Fact]
    public void TheVocabularyRoundTripsThroughJson()
    {
        Vocabulary v = Vocabulary.Build(["Grüße", "größe"], TokenKind.Characters);
        string path = _dir.File("sub/vocabulary.json");
        v.Save(path);
        Vocabulary back = Vocabulary.Load(path);
        Assert.Equal(v.Kind, back.Kind);
        Assert.Equal(v.Tokens, back.Tokens);
        Assert.Contains("\"format\": \"recur.vocabulary\"", File.ReadAllText(path));

        string broken = Write("{\"format\": \"recur.vocabulary\", \"version\": 1, \"kind\": \"words\", \"tokens\": [\"a\", \"a\"]}", "broken.json");
        DataFileAssert.Bad(() => Vocabulary.Load(broken), broken, "token \"a\" is given twice", "Save the vocabulary again");
        string other = Write("{\"format\": \"something\"}", "other.json");
        DataFileAssert.Bad(() => Vocabulary.Load(other), other, "is not a Recur vocabulary");
        string notJson = Write("tokens: a b", "not.json");
        DataFileAssert.Bad(() => Vocabulary.Load(notJson), notJson, "is not JSON");
        Assert.Throws<FileNotFoundException>(() => Vocabulary.Load(_dir.File("missing.json")));
    }

    [Fact]
    public void TextLinesBecomeIdsLengthsAndSortedClasses()
    {
        string path = Write("sv\tå\n\nen\tthe\tcat\r\nde\tdie\n", encoding: new UTF8Encoding(true));
        TextData data = TextFiles.Read(path);
        Assert.Equal(["de", "en", "sv"], data.ClassNames);
        Assert.Equal([2, 1, 0], data.Labels);
        Assert.Equal([1, 7, 3], data.Lengths); // the second tab belongs to the text
        Assert.True(data.Ids.HasShape(3, 7));
        Assert.Equal((1, 7), (data.Sequences.Features, data.Sequences.Steps));
        Assert.Equal(data.Vocabulary.IdOf("å"), (int)data.Ids[0, 0]);
        Assert.Equal(0f, data.Ids[0, 1]);

        // A test file read with the training file's vocabulary and classes.
        string test = Write("en\tzå\n", "test.txt");
        TextData t = TextFiles.Read(test, new TextFileOptions { Vocabulary = data.Vocabulary, ClassNames = data.ClassNames, MaxLength = 1 });
        Assert.Equal([1], t.Labels);
        Assert.Equal([(float)Vocabulary.UnknownId], t.Ids.Data);
        Assert.Equal(3, t.Sequences.Classes);

        TextData words = TextFiles.Read(path, new TextFileOptions { Tokens = TokenKind.Words });
        Assert.Equal([1, 2, 1], words.Lengths);
    }

    [Theory]
    [InlineData("en\tok\nen the cat\n", "line 2 has no tab", "label<TAB>text")]
    [InlineData("\ten\n", "line 1 has an empty label")]
    [InlineData("en\t\n", "line 1: the text after the tab has no character")]
    [InlineData("\n \n", "holds no texts")]
    public void BadTextFilesNameTheLine(string text, params string[] fragments)
    {
        string path = Write(text);
        DataFileAssert.Bad(() => TextFiles.Read(path), path, fragments);
    }

    [Fact]
    public void UnknownLabelsAndBadBytesAreRefused()
    {
        string path = Write("en\ta\nfr\tb\n");
        DataFileAssert.Bad(() => TextFiles.Read(path, new TextFileOptions { ClassNames = ["en", "de"] }), path, "line 2: label 'fr' is not one of the 2 classes (en, de)");
        string latin1 = Write("sv\tå\n", "latin1.txt", Encoding.Latin1);
        DataFileAssert.Bad(() => TextFiles.Read(latin1), latin1, "line 1 is not UTF-8");
    }

    [Fact]
    public void WrittenLinesReadBack()
    {
        string path = _dir.File("out.txt");
        TextFiles.Write(path, [("b", "x y"), ("a", "z")]);
        Assert.Equal("b\tx y\na\tz\n", File.ReadAllText(path));
        Assert.Equal(["a", "b"], TextFiles.Read(path).ClassNames);
        Assert.Throws<ArgumentException>(() => TextFiles.Write(path, [("a\tb", "x")]));
        Assert.Throws<ArgumentException>(() => TextFiles.Write(path, [("a", "x\ny")]));
    }
}
