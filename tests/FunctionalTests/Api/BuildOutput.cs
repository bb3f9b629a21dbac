namespace Trial.Tests.Api;

/// <summary>Another project's build output, found above this test project's: &lt;project&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;/&lt;file&gt;.</summary>
public static class BuildOutput
{
    public static string Find(string project, string file)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
        for (var dir = testOutput; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, project, "bin", configuration, framework, file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{project}/bin/{configuration}/{framework}/{file} was not found above {testOutput.FullName}; build the solution first.");
    }
}
