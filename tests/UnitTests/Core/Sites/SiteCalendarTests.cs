using NUnit.Framework;
using Trial.Core.Sites;

namespace Trial.Tests.Core.Sites;

[TestFixture]
public class SiteCalendarTests
{
    private static readonly TimeZoneInfo Warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTime Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    // Warsaw is UTC+1 until the last Sunday of March (2026-03-29), then UTC+2.
    [TestCase(3, 9, 22, 59, 3, 9, Description = "23:59 local")]
    [TestCase(3, 9, 23, 0, 3, 10, Description = "00:00 local")]
    [TestCase(3, 9, 23, 30, 3, 10, Description = "00:30 local: the site's new day while UTC is still on the previous one")]
    [TestCase(7, 1, 21, 59, 7, 1, Description = "23:59 local in summer time")]
    [TestCase(7, 1, 22, 0, 7, 2, Description = "00:00 local in summer time")]
    public void Today_Warsaw_IsTheLocalDateEitherSideOfLocalMidnight(int month, int day, int hour, int minute, int localMonth, int localDay)
    {
        Assert.That(SiteCalendar.Today(Utc(month, day, hour, minute), Warsaw), Is.EqualTo(new DateOnly(2026, localMonth, localDay)));
    }

    // New York is UTC-5 until the second Sunday of March (2026-03-08), then UTC-4.
    [TestCase(3, 11, 0, 0, 3, 10, Description = "20:00 local: UTC is already on the next day")]
    [TestCase(3, 11, 3, 59, 3, 10, Description = "23:59 local")]
    [TestCase(3, 11, 4, 0, 3, 11, Description = "00:00 local")]
    [TestCase(3, 3, 4, 59, 3, 2, Description = "23:59 local in standard time")]
    [TestCase(3, 3, 5, 0, 3, 3, Description = "00:00 local in standard time")]
    public void Today_NewYork_IsTheLocalDateEitherSideOfLocalMidnight(int month, int day, int hour, int minute, int localMonth, int localDay)
    {
        Assert.That(SiteCalendar.Today(Utc(month, day, hour, minute), NewYork), Is.EqualTo(new DateOnly(2026, localMonth, localDay)));
    }

    [Test]
    public void Today_UtcZone_IsTheUtcDate()
    {
        Assert.That(SiteCalendar.Today(Utc(3, 9, 23, 59), TimeZoneInfo.Utc), Is.EqualTo(new DateOnly(2026, 3, 9)));
    }

    [Test]
    public void LocalDate_InstantOfLocalKind_Throws()
    {
        var local = new DateTime(2026, 3, 9, 23, 30, 0, DateTimeKind.Local);

        Assert.That(() => SiteCalendar.LocalDate(local, Warsaw), Throws.ArgumentException);
    }

    [Test]
    public void LocalDate_UnspecifiedKind_ReadAsUtc()
    {
        var unspecified = new DateTime(2026, 3, 9, 23, 30, 0, DateTimeKind.Unspecified);

        Assert.That(SiteCalendar.LocalDate(unspecified, Warsaw), Is.EqualTo(new DateOnly(2026, 3, 10)));
    }

    [TestCase("Europe/Warsaw", "2026-03-03", "2026-03-02T23:00:00Z")]
    [TestCase("Europe/Warsaw", "2026-07-01", "2026-06-30T22:00:00Z")]
    [TestCase("Europe/Warsaw", "2026-03-29", "2026-03-28T23:00:00Z", Description = "summer time starts at 02:00 that day")]
    [TestCase("America/New_York", "2026-03-03", "2026-03-03T05:00:00Z")]
    [TestCase("America/New_York", "2026-03-10", "2026-03-10T04:00:00Z")]
    [TestCase("UTC", "2026-03-03", "2026-03-03T00:00:00Z")]
    [TestCase("America/Santiago", "2026-09-06", "2026-09-06T04:00:00Z", Description = "clocks jump from 00:00 to 01:00: the day starts at 01:00 local")]
    [TestCase("America/Havana", "2026-11-01", "2026-11-01T04:00:00Z", Description = "00:00 happens twice: the day starts at the first")]
    public void StartOfDayUtc_Zone_IsTheFirstInstantOfTheLocalDate(string zone, string date, string expectedUtc)
    {
        var start = SiteCalendar.StartOfDayUtc(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(start, Is.EqualTo(DateTime.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal)));
            Assert.That(start.Kind, Is.EqualTo(DateTimeKind.Utc));
        }
    }
}
