using System.Globalization;

namespace Trial.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- seed --participants 2000 [--seed 42] [--out path] [--cutoff yyyy-MM-dd] [--admin-token token]</c>
/// </summary>
public static class SeedCommand
{
    /// <summary>The study's data cut-off by default: fixed, so the same seed gives the same study on any day.</summary>
    public static readonly DateOnly DefaultCutOff = new(2026, 11, 23);

    public const string Usage =
        """
        usage: dotnet run -c Release --project bench -- seed --participants N [--seed 42] [--out data/seeded-study.db] [--cutoff 2026-11-23] [--admin-token TOKEN]

        Builds a realistic synthetic study of the default (double-blind, midazolam-controlled) protocol into a new
        SQLite file, deterministic from the seed: participants enrolled over 18 months at four sites up to the
        cut-off date, each randomised after the baseline visit to ketamine or midazolam through the API's own
        allocation logic (strata by site and baseline MADRS, stratified permuted blocks generated from a secret
        derived from the seed, places taken in the order participants became ready), then through the protocol
        (four infusions, each from the pharmacy's preparation for the arm and recorded by its label and volume as
        the blinded protocol stores it, with vital signs; POST24, follow-ups to six months; a few discontinue or
        miss a follow-up), the full battery of assessments per visit and timepoint scored by Core's Scorer
        (responders, partial and non-responders, fewer on midazolam; dissociation after ketamine infusions), a
        few adverse events, and the safety alerts the worker's rules raise, most of them reviewed. About 1,200
        item responses per participant.

        It writes the bulk clinical data directly through Trial.Db, the data layer the API uses, not through the
        HTTP API, for speed: that is what makes 2,000 participants a matter of seconds (no audit rows for it: no
        person entered this data). The study's set-up (the admin, sites and users), the randomisations and the
        monitors' reviews of alerts go through the application's use cases, with their audit rows, and the
        visit schedules and safety alerts through the jobs' use cases. The migrations run first (Migrator.Apply).
        The admin's token is saved beside the file (PATH.admin-token) and printed; the randomisation secret is
        saved beside it too (PATH.randomisation-secret, owner-only, not printed: it regenerates the allocation
        sequence). Serve the study with both:
          Randomisation__Secret="$(cat PATH.randomisation-secret)" ConnectionStrings__Trial="Data Source=PATH" dotnet run --project api
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null || !options.TryGet("participants", out var count) || !int.TryParse(count, out var participants) || participants < 1)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var seed = int.Parse(options.Value("seed", "42"), CultureInfo.InvariantCulture);
        var path = Path.GetFullPath(options.Value("out", Path.Combine("data", "seeded-study.db")));
        var cutOff = DateOnly.ParseExact(options.Value("cutoff", DefaultCutOff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (File.Exists(path))
        {
            Console.Error.WriteLine($"{path} exists; the seed builds a new study: delete it or choose another --out.");
            return 2;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        Console.WriteLine($"Seeding {participants:N0} participants (seed {seed}, cut-off {cutOff:yyyy-MM-dd}) into {path}");
        var summary = await StudySeeder.SeedAsync(new SeedOptions(participants, seed, path, cutOff, options.Value("admin-token", null!)), Console.Out);
        var (tokenFile, secretFile) = await StudySeeder.SaveKeysAsync(path, summary);

        Console.WriteLine($"Done in {summary.Elapsed.TotalSeconds:N1} s: {summary.Participants:N0} participants, {summary.Randomised:N0} randomised " +
                          $"({string.Join(", ", summary.PerArm.Select(a => $"{a.Value:N0} {a.Key}"))}), {summary.Visits:N0} visits, {summary.Infusions:N0} infusions " +
                          $"from {summary.Preparations:N0} preparations, {summary.Vitals:N0} vital signs, {summary.Assessments:N0} assessments, {summary.Items:N0} item responses, " +
                          $"{summary.AdverseEvents:N0} adverse events, {summary.Alerts:N0} safety alerts.");
        Console.WriteLine($"Admin token (saved to {tokenFile}): {summary.AdminToken}");
        Console.WriteLine($"Randomisation secret saved to {secretFile} (readable by you only).");
        Console.WriteLine($"Serve it: Randomisation__Secret=\"$(cat {secretFile})\" ConnectionStrings__Trial=\"Data Source={path}\" dotnet run --project api");
        return 0;
    }
}

/// <summary>--name value pairs.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options? Parse(IEnumerable<string> args)
    {
        var options = new Options();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= list.Count) return null;
            options._values[list[i][2..]] = list[++i];
        }
        return options;
    }

    public bool TryGet(string name, out string value) => _values.TryGetValue(name, out value!);

    public string Value(string name, string fallback) => _values.GetValueOrDefault(name, fallback);
}
