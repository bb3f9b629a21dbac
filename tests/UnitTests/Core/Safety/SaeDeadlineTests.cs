using NUnit.Framework;
using Trial.Core.Safety;

namespace Trial.Tests.Core.Safety;

[TestFixture]
public class SaeDeadlineTests
{
    private static readonly TimeZoneInfo Warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly DateOnly Aware = new(2026, 3, 3);

    private static DateTime Utc(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, DateTimeKind.Utc);

    [Test]
    public void Compute_AwareUtcRecorded_DeadlineIsThatInstantPlusTheHours()
    {
        // 16:00 in Warsaw (UTC+1 in March) is 15:00 UTC.
        var deadline = SaeDeadline.Compute(Aware, Utc(3, 15), Warsaw, 24);

        Assert.That(deadline, Is.EqualTo(new SaeDeadline(Utc(4, 15), Utc(3, 15), AwarenessTimeRecorded: true)));
    }

    [Test]
    public void Compute_OnlyTheDateInWarsaw_ClockRunsFromLocalMidnightWhichIs23UtcTheDayBefore()
    {
        var deadline = SaeDeadline.Compute(Aware, null, Warsaw, 24);

        Assert.That(deadline, Is.EqualTo(new SaeDeadline(Utc(3, 23), Utc(2, 23), AwarenessTimeRecorded: false)));
    }

    [Test]
    public void Compute_OnlyTheDateInNewYork_ClockRunsFromLocalMidnightWhichIs05Utc()
    {
        // New York is UTC-5 until 2026-03-08.
        var deadline = SaeDeadline.Compute(Aware, null, NewYork, 24);

        Assert.That(deadline, Is.EqualTo(new SaeDeadline(Utc(4, 5), Utc(3, 5), AwarenessTimeRecorded: false)));
    }

    [Test]
    public void Compute_OnlyTheDateInNewYorkSummerTime_ClockRunsFrom04Utc()
    {
        var deadline = SaeDeadline.Compute(new DateOnly(2026, 3, 10), null, NewYork, 24);

        Assert.That(deadline.DeadlineUtc, Is.EqualTo(Utc(11, 4)));
    }

    [Test]
    public void Compute_OnlyTheDateInUtc_ClockRunsFromMidnightUtc()
    {
        var deadline = SaeDeadline.Compute(Aware, null, TimeZoneInfo.Utc, 24);

        Assert.That(deadline.DeadlineUtc, Is.EqualTo(Utc(4, 0)));
    }

    [Test]
    public void Compute_FractionalHours_AddedExactly()
    {
        var deadline = SaeDeadline.Compute(Aware, Utc(3, 15), Warsaw, 1.5m);

        Assert.That(deadline.DeadlineUtc, Is.EqualTo(Utc(3, 16, 30)));
    }

    [Test]
    public void Compute_AwareUtcOfLocalKind_Throws()
    {
        var local = new DateTime(2026, 3, 3, 16, 0, 0, DateTimeKind.Local);

        Assert.That(() => SaeDeadline.Compute(Aware, local, Warsaw, 24), Throws.ArgumentException);
    }

    [TestCase(0)]
    [TestCase(-24)]
    public void Compute_HoursNotPositive_Throws(decimal hours)
    {
        Assert.That(() => SaeDeadline.Compute(Aware, null, Warsaw, hours), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
