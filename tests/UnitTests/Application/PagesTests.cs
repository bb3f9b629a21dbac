using System.Text;
using NUnit.Framework;
using Trial.Application;
using Trial.Application.Paging;

namespace Trial.Tests.Application;

public class PagesTests
{
    private static readonly DateTime Raised = new(2026, 3, 10, 12, 0, 0, 123, DateTimeKind.Utc);

    [Test]
    public void Check_CursorOfThisList_GivesBackTheKey()
    {
        var id = Guid.NewGuid();
        var cursor = Pages.Encode("safety-alerts", Pages.Key(Raised.AddTicks(7)), Pages.Key(id));
        var errors = new FieldErrors();

        var request = Pages.Check(50, cursor, "safety-alerts", 2, errors);

        Assert.That(errors.Any, Is.False);
        Assert.That(request.Limit, Is.EqualTo(50));
        Assert.That(Pages.TryInstant(request.After![0], out var raised), Is.True);
        Assert.That(Pages.TryId(request.After[1], out var readId), Is.True);
        Assert.That((raised, raised.Kind, readId), Is.EqualTo((Raised.AddTicks(7), DateTimeKind.Utc, id)));
        Assert.That(cursor, Does.Match("^[A-Za-z0-9_-]+$"), "base64url, safe in a query string as it is");
    }

    [Test]
    public void Check_NoLimit_GivesTheDefault()
    {
        var errors = new FieldErrors();
        Assert.That(Pages.Check(null, null, "users", 1, errors), Is.EqualTo(new PageRequest(Pages.DefaultLimit, null)));
        Assert.That(errors.Any, Is.False);
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(1001)]
    public void Check_LimitOutOfBounds_NamesLimit(int limit)
    {
        var errors = new FieldErrors();
        Pages.Check(limit, null, "users", 1, errors);
        Assert.That(errors.ToRefusal().Errors.Keys, Is.EquivalentTo(new[] { "limit" }));
    }

    public static IEnumerable<TestCaseData> BadCursors()
    {
        var good = Pages.Encode("safety-alerts", Pages.Key(Raised), Pages.Key(Guid.NewGuid()));
        for (var i = 0; i < good.Length; i += 7)
            yield return new TestCaseData(good[..i] + (good[i] == 'A' ? 'B' : 'A') + good[(i + 1)..]).SetName($"Check_CharacterChangedAt{i}_NamesCursor");
        yield return new TestCaseData(good[..^4]).SetName("Check_CutShort_NamesCursor");
        yield return new TestCaseData(good + "!").SetName("Check_NotBase64Url_NamesCursor");
        yield return new TestCaseData(Pages.Encode("participants", Pages.Key(Raised), Pages.Key(Guid.NewGuid()))).SetName("Check_CursorOfAnotherList_NamesCursor");
        yield return new TestCaseData(Pages.Encode("safety-alerts", Pages.Key(Raised))).SetName("Check_KeyOfTooFewParts_NamesCursor");
        yield return new TestCaseData(Convert.ToBase64String(Encoding.UTF8.GetBytes("safety-alerts")).TrimEnd('=')).SetName("Check_NoKey_NamesCursor");
        yield return new TestCaseData("").SetName("Check_EmptyCursor_NamesCursor");
    }

    [TestCaseSource(nameof(BadCursors))]
    public void Check_BadCursor_NamesCursor(string cursor)
    {
        var errors = new FieldErrors();
        var request = Pages.Check(null, cursor, "safety-alerts", 2, errors);
        Assert.That(request.After, Is.Null);
        Assert.That(errors.ToRefusal().Errors.Keys, Is.EquivalentTo(new[] { "cursor" }));
    }

    [Test]
    public void Cut_OneRowMoreThanThePage_GivesTheCursorOfTheLastRowGiven()
    {
        var request = new PageRequest(2, null);
        var page = Pages.Cut([1, 2, 3], request, "numbers", n => [n.ToString()]);
        Assert.That(page.Items, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(Pages.Decode(page.NextCursor!, "numbers", 1), Is.EqualTo(new[] { "2" }));
    }

    [Test]
    public void Cut_NoMoreThanThePage_IsTheLastPage()
    {
        var page = Pages.Cut([1, 2], new PageRequest(2, null), "numbers", n => [n.ToString()]);
        Assert.That(page.NextCursor, Is.Null);
        Assert.That(page.Items, Is.EqualTo(new[] { 1, 2 }));
    }
}
