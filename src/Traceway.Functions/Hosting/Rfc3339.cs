namespace Traceway.Hosting;

/// <summary>
/// The one RFC 3339 time parser of the app (query parameters and ingested times). Accepts
/// <c>full-date "T" full-time</c>: <c>T</c>, <c>t</c> or a space between date and time (RFC 3339 §5.6 note),
/// seconds required, any number of fractional digits (beyond the 7 that .NET keeps they are dropped, as SDKs
/// send nanoseconds), and <c>Z</c>, <c>z</c> or a <c>±hh:mm</c> offset up to 23:59. Leap seconds (<c>:60</c>)
/// are refused: .NET cannot represent them. The result is in UTC.
/// </summary>
internal static class Rfc3339
{
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        // yyyy-MM-ddTHH:mm:ss is 19 characters; the shortest valid text adds "Z".
        if (text.Length < 20
            || !Number(text, 0, 4, out var year) || text[4] != '-' || !Number(text, 5, 2, out var month) || text[7] != '-' || !Number(text, 8, 2, out var day)
            || text[10] is not ('T' or 't' or ' ')
            || !Number(text, 11, 2, out var hour) || text[13] != ':' || !Number(text, 14, 2, out var minute) || text[16] != ':' || !Number(text, 17, 2, out var second))
        {
            return false;
        }

        var position = 19;
        long fractionTicks = 0;
        if (text[position] == '.')
        {
            var digits = 0;
            for (position++; position < text.Length && char.IsAsciiDigit(text[position]); position++, digits++)
            {
                fractionTicks = digits < 7 ? (fractionTicks * 10) + (text[position] - '0') : fractionTicks;
            }

            if (digits == 0)
            {
                return false;
            }

            for (; digits < 7; digits++)
            {
                fractionTicks *= 10;
            }
        }

        if (!Offset(text[position..], out var offsetMinutes)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks - (offsetMinutes * TimeSpan.TicksPerMinute);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        time = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    /// <summary><c>Z</c> or <c>±hh:mm</c>, as minutes east of UTC.</summary>
    private static bool Offset(ReadOnlySpan<char> text, out int minutes)
    {
        minutes = 0;
        if (text is ['Z' or 'z'])
        {
            return true;
        }

        if (text.Length != 6 || text[0] is not ('+' or '-') || !Number(text, 1, 2, out var hours) || text[3] != ':' || !Number(text, 4, 2, out var mins) || hours > 23 || mins > 59)
        {
            return false;
        }

        minutes = (text[0] == '-' ? -1 : 1) * ((hours * 60) + mins);
        return true;
    }

    private static bool Number(ReadOnlySpan<char> text, int start, int length, out int value)
    {
        value = 0;
        foreach (var c in text.Slice(start, length))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
