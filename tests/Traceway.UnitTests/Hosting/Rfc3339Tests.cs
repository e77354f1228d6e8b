using System.Globalization;
using System.Text.RegularExpressions;
using Traceway.Hosting;

namespace Traceway.Tests.Hosting;

public sealed partial class Rfc3339Tests
{
    [Theory]
    [InlineData("2026-11-20T10:00:00Z", "2026-11-20T10:00:00.0000000Z")]
    [InlineData("2026-11-20t10:00:00z", "2026-11-20T10:00:00.0000000Z")]
    [InlineData("2026-11-20 10:00:00Z", "2026-11-20T10:00:00.0000000Z")]
    [InlineData("2026-11-20T11:30:00+01:30", "2026-11-20T10:00:00.0000000Z")]
    [InlineData("2026-11-20T05:00:00-05:00", "2026-11-20T10:00:00.0000000Z")]
    [InlineData("2026-11-20T10:00:00-00:00", "2026-11-20T10:00:00.0000000Z")]
    [InlineData("2026-11-21T09:59:00+23:59", "2026-11-20T10:00:00.0000000Z")]
    [InlineData("2026-11-20T10:00:00.5Z", "2026-11-20T10:00:00.5000000Z")]
    [InlineData("2026-11-20T10:00:00.1234567Z", "2026-11-20T10:00:00.1234567Z")]
    [InlineData("2026-11-20T10:00:00.123456789Z", "2026-11-20T10:00:00.1234567Z")]
    [InlineData("2024-02-29T23:59:59.999999999+00:00", "2024-02-29T23:59:59.9999999Z")]
    public void A_time_with_a_zone_is_read_as_that_instant_in_UTC_with_digits_past_the_seventh_dropped(string text, string utc)
    {
        Assert.True(Rfc3339.TryParse(text, out var time));

        Assert.Equal((utc, TimeSpan.Zero), (UtcTimestampConverter.ToText(time), time.Offset));
    }

    [Theory]
    [InlineData("2026-11-20T10:00:00")]
    [InlineData("2026-11-20T10:00Z")]
    [InlineData("2026-11-20")]
    [InlineData("2026-11-20T10:00:00.Z")]
    [InlineData("2026-11-20T10:00:00+0100")]
    [InlineData("2026-11-20T10:00:00+01")]
    [InlineData("2026-11-20T10:00:00+24:00")]
    [InlineData("2026-11-20T10:00:00+01:60")]
    [InlineData("2026-11-20T10:00:00Z ")]
    [InlineData("2026-11-20X10:00:00Z")]
    [InlineData("2026-13-20T10:00:00Z")]
    [InlineData("2026-02-29T10:00:00Z")]
    [InlineData("2026-11-00T10:00:00Z")]
    [InlineData("2026-11-20T24:00:00Z")]
    [InlineData("2026-11-20T10:60:00Z")]
    [InlineData("2016-12-31T23:59:60Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+00:01")]
    [InlineData("9999-12-31T23:59:59-00:01")]
    [InlineData("+2026-11-20T10:00:00Z")]
    [InlineData("20 Nov 2026 10:00:00 +01:00")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void A_time_without_a_zone_seconds_or_a_valid_calendar_date_is_refused(string text)
    {
        Assert.False(Rfc3339.TryParse(text, out _));
    }

    /// <summary>Ingestion's former rule (a pattern, then DateTimeOffset.TryParse on at most 7 fractional digits) as an independent oracle.</summary>
    [Theory]
    [InlineData("2026-11-20T10:00:00Z")]
    [InlineData("2026-11-20t23:59:59.9z")]
    [InlineData("2026-01-01T00:00:00.123456789+14:00")]
    [InlineData("2026-06-30T12:34:56.000001-09:30")]
    [InlineData("1999-12-31T23:59:59.12345678-00:00")]
    public void Every_time_the_former_ingestion_rule_accepted_parses_to_the_same_instant(string text)
    {
        var match = IngestionPattern().Match(text);
        var fraction = match.Groups["fraction"];
        Assert.True(match.Success);
        Assert.True(DateTimeOffset.TryParse(
            fraction.Length > 8 ? text.Remove(fraction.Index + 8, fraction.Length - 8) : text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var ingested));

        Assert.True(Rfc3339.TryParse(text, out var time));
        Assert.Equal(ingested.UtcTicks, time.UtcTicks);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?<fraction>\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex IngestionPattern();
}
