using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Tests;

public sealed class ArgumentTests
{
    [Theory]
    [InlineData(null, typeof(ArgumentNullException))]
    [InlineData("", typeof(ArgumentException))]
    [InlineData(" \t", typeof(ArgumentException))]
    [InlineData("tab\there", typeof(ArgumentException))]
    [InlineData("nul\0", typeof(ArgumentException))]
    public void Invalid_names_throw_naming_the_parameter(string? name, Type expected)
    {
        var error = Assert.Throws(expected, () => Argument.Name(name, "streamName"));

        Assert.Equal("streamName", ((ArgumentException)error).ParamName);
    }

    [Fact]
    public void Names_are_limited_to_256_characters()
    {
        Assert.Equal(256, Argument.Name(new string('a', 256), "n").Length);
        Assert.Throws<ArgumentException>(() => Argument.Name(new string('a', 257), "n"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    [InlineData(-1)]
    public void Page_sizes_outside_1_to_10000_are_rejected(int value) =>
        Assert.Equal("maxCount", Assert.Throws<ArgumentOutOfRangeException>(() => Argument.MaxCount(value, "maxCount")).ParamName);

    [Fact]
    public void Unicode_names_are_accepted() => Assert.Equal("commandes-é-😀", Argument.Name("commandes-é-😀", "n"));
}
