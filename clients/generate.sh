#!/usr/bin/env bash
# Regenerates the C# client in clients/csharp/Generated from clients/openapi.json, the API's published document.
# The document names no server on purpose: a client sets the base URL of the deployment it talks to.
# The Kiota version is pinned in .config/dotnet-tools.json, so the same document always gives the same code:
# run this after the document changes and commit both. An argument writes the client to another folder instead
# (a test compares that with the committed one).
set -euo pipefail
cd "$(dirname "$0")/.."
output="${1:-clients/csharp/Generated}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Offline: no check for a newer Kiota (the version is pinned), and no hints after the run.
export KIOTA_OFFLINE_ENABLED=true KIOTA_TUTORIAL_ENABLED=false
dotnet tool restore >/dev/null

dotnet kiota generate \
  --language CSharp \
  --openapi clients/openapi.json \
  --output "$output" \
  --namespace-name Trial.Client \
  --class-name TrialApiClient \
  --exclude-backward-compatible \
  --clean-output \
  --disable-validation-rules NoServerEntry \
  --log-level Warning

# Kiota's log of this run, not part of the client.
rm -f "$output/.kiota.log"

echo "Generated $output from clients/openapi.json."
