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

    /// <summary>The repository's root: the folder above the test output that holds Trial.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trial.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("The repository (Trial.sln) was not found above the test folder.");
    }
}
