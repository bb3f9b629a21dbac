# One image for the API, the worker and the migrator; docker-compose.yml picks the entry point.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish api/Trial.Api.csproj -c Release -o /out/api \
 && dotnet publish worker/Trial.Worker.csproj -c Release -o /out/worker

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# Sites' time zones (Europe/Warsaw, America/New_York, ...) come from the system's IANA time zone database.
RUN apt-get update && apt-get install -y --no-install-recommends tzdata && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out /app
# The only folder the processes may write to (the embedded default's database and files); the programs stay root's, read-only.
RUN mkdir /app/data && chown "$APP_UID" /app/data
# glibc gives each thread that allocates its own malloc arena (up to eight per core), and the runtime's native allocations
# spread over them: under a steady load the API's own memory kept growing, and two arenas kept it flat
# (docs/decisions/0012-two-malloc-arenas.md).
ENV MALLOC_ARENA_MAX=2
# Not root: the base image's unprivileged user (APP_UID, 1654). The API listens on 8080, a port an unprivileged user may open.
USER $APP_UID
EXPOSE 8080
