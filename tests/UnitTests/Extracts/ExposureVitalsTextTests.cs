using System.Globalization;
using NUnit.Framework;
using Trial.Extracts;
using Trial.Extracts.Datasets;

namespace Trial.Tests.Extracts;

/// <summary>
/// Instants in the SDTM datasets as the site's local date-time with its UTC offset: the date part is the site's calendar
/// date (the one --DY counts), the offset keeps the instant exact, summer time included.
/// </summary>
public class LocalDateTimeTests
{
    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static DateTime Utc(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    [TestCase("2026-03-02T08:10:00Z", "Europe/Warsaw", "2026-03-02T09:10:00+01:00", TestName = "LocalDateTime_Winter_OneHourAhead")]
    [TestCase("2026-07-02T08:10:00Z", "Europe/Warsaw", "2026-07-02T10:10:00+02:00", TestName = "LocalDateTime_Summer_TwoHoursAhead")]
    [TestCase("2026-03-01T23:30:00Z", "Europe/Warsaw", "2026-03-02T00:30:00+01:00", TestName = "LocalDateTime_JustAfterLocalMidnight_BeforeUtcMidnight_IsTheNextDay")]
    [TestCase("2026-03-02T03:30:00Z", "America/New_York", "2026-03-01T22:30:00-05:00", TestName = "LocalDateTime_WestOfUtc_IsTheDayBefore")]
    [TestCase("2026-03-02T08:10:00Z", "UTC", "2026-03-02T08:10:00+00:00", TestName = "LocalDateTime_UtcSite_ZeroOffset")]
    public void LocalDateTime_WrittenWithTheSitesOffset(string utc, string zone, string expected)
    {
        var local = ExtractText.LocalDateTime(Utc(utc), Zone(zone));
        Assert.That(ExtractText.LocalDateTime(local), Is.EqualTo(expected));
        Assert.That(local.UtcDateTime, Is.EqualTo(Utc(utc)), "the same instant");
        Assert.That(ExtractText.LocalDate(local), Is.EqualTo(DateOnly.ParseExact(expected[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture)), "the date part");
    }

    [Test]
    public void LocalDateTime_AnInstantReadBackWithoutKind_IsTakenAsUtc()
    {
        var unspecified = new DateTime(2026, 3, 1, 23, 30, 0, DateTimeKind.Unspecified);
        Assert.That(ExtractText.LocalDateTime(ExtractText.LocalDateTime(unspecified, Zone("Europe/Warsaw"))), Is.EqualTo("2026-03-02T00:30:00+01:00"));
    }

    [Test]
    public void LocalDateTime_Missing_IsEmpty()
    {
        Assert.That(ExtractText.LocalDateTime((DateTimeOffset?)null), Is.Null);
        Assert.That(ExtractText.LocalDate(null), Is.Null);
    }

    [Test]
    public void LocalDate_IsWhatTheSiteCalendarSays_AroundTheClockChange()
    {
        var warsaw = Zone("Europe/Warsaw");
        // 29 March 2026: clocks go from 02:00 to 03:00 in Warsaw; every instant of that day and the days beside it.
        for (var instant = Utc("2026-03-28T00:00:00Z"); instant < Utc("2026-03-31T00:00:00Z"); instant = instant.AddMinutes(15))
            Assert.That(ExtractText.LocalDate(ExtractText.LocalDateTime(instant, warsaw)), Is.EqualTo(Trial.Core.Sites.SiteCalendar.LocalDate(instant, warsaw)), $"{instant:O}");
    }
}

/// <summary>The vital-signs timepoints as planned times after the infusion's start.</summary>
public class VitalSignsTimingTests
{
    [TestCase("t40", "PT40M")]
    [TestCase("t120", "PT120M")]
    [TestCase("t240", "PT240M")]
    [TestCase("pre", null)]
    [TestCase("", null)]
    public void PlannedElapsed_MinutesAfterTheStart(string timepoint, string? expected) =>
        Assert.That(VitalSignsDataset.PlannedElapsed(timepoint), Is.EqualTo(expected));

    [Test]
    public void Tests_EveryStoredMeasurement_OnceWithItsUnit()
    {
        Assert.That(VitalSignsDataset.Tests.Select(t => t.Column), Is.EqualTo(new[] { "Systolic", "Diastolic", "HeartRate", "Spo2" }));
        Assert.That(VitalSignsDataset.Tests.Select(t => t.Code), Is.Unique);
        Assert.That(VitalSignsDataset.Tests.Select(t => t.Unit), Is.All.Not.Empty);
    }
}
