using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Trial.Core.Schedule;
using static Trial.Tests.Core.Schedule.ScheduleTestData;

namespace Trial.Tests.Core.Schedule;

[TestFixture]
public class SchedulePropertyTests
{
    // Any INF1 date over about ten years, any INF2 date from the day after INF1 to three weeks
    // later (early, on time, late): INF2-INF4 keep their INF1-based targets (+3, +7, +10).
    [FsCheck.NUnit.Property]
    public Property Build_AnyInf1AndInf2Dates_InfusionTargetsFollowInf1Only()
    {
        var gen =
            from inf1Day in Gen.Choose(0, 3650)
            from inf2Delay in Gen.Choose(1, 21)
            select (inf1Day, inf2Delay);

        return Prop.ForAll(gen.ToArbitrary(), pair =>
        {
            var inf1 = Enrolled.AddDays(pair.inf1Day);
            var inf2 = inf1.AddDays(pair.inf2Delay);
            var input = new ScheduleInput(Enrolled, [new RecordedVisit("INF1", inf1), new RecordedVisit("INF2", inf2)], null);

            var schedule = ScheduleCalculator.Build(Protocol, input, inf2);

            return schedule.Visit("INF2").TargetDate.DayNumber - inf1.DayNumber == 3
                && schedule.Visit("INF3").TargetDate.DayNumber - inf1.DayNumber == 7
                && schedule.Visit("INF4").TargetDate.DayNumber - inf1.DayNumber == 10
                && !schedule.Visit("INF3").Provisional
                && !schedule.Visit("INF4").Provisional;
        });
    }
}
