using Microsoft.Extensions.Configuration;
using Traceway.Hosting;

namespace Traceway.Tests.Hosting;

public sealed class FunctionsHostTests
{
    [Fact]
    public void Under_the_Functions_host_the_port_comes_from_FUNCTIONS_CUSTOMHANDLER_PORT()
    {
        var configuration = Configuration(("FUNCTIONS_CUSTOMHANDLER_PORT", "40123"), ("Traceway:Port", "5000"));

        Assert.True(FunctionsHost.IsActive(configuration));
        Assert.Equal(40123, FunctionsHost.ResolvePort(configuration));
    }

    [Fact]
    public void Standalone_the_port_is_configurable_and_defaults_to_7071()
    {
        Assert.False(FunctionsHost.IsActive(Configuration()));
        Assert.Equal(7071, FunctionsHost.ResolvePort(Configuration()));
        Assert.Equal(5000, FunctionsHost.ResolvePort(Configuration(("Traceway:Port", "5000"))));
    }

    [Theory]
    [InlineData("FUNCTIONS_CUSTOMHANDLER_PORT", "http")]
    [InlineData("Traceway:Port", "70000")]
    [InlineData("Traceway:Port", "-1")]
    public void A_port_that_is_not_a_port_number_fails_naming_the_setting(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionsHost.ResolvePort(Configuration((key, value))));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}

public sealed class RollupFunctionMappingTests
{
    [Fact]
    public async Task Standalone_the_host_invocation_endpoint_is_not_mapped()
    {
        await using var app = new Traceway.Tests.Infrastructure.TracewayApp();
        await app.InitializeAsync();
        using var client = app.CreateClient();

        using var response = await client.PostAsync(new Uri("/SessionRollup", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
