# syntax=docker/dockerfile:1
# Status Incident Service: a static Go binary on a distroless, non-root base.
#
#   make docker                      # → status-incident:<git describe>
#   docker run -d -p 8080:8080 -v status-data:/app/data status-incident:<version>
#
# The build stage runs on the build machine's platform and cross-compiles for
# the target (docker buildx build --platform linux/amd64,linux/arm64 …).

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS=linux
ARG TARGETARCH
ARG VERSION=dev
ARG COMMIT=dev
ARG BUILT=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath \
      -ldflags "-s -w -X main.version=$VERSION -X main.commit=$COMMIT -X main.buildTime=$BUILT" \
      -o /out/status-incident . \
 && mkdir -p /out/data

# static-debian12 carries CA certificates (HTTPS checks, webhooks), tzdata,
# /etc/passwd with the nonroot user (65532) and /tmp; no shell.
FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/status-incident /app/status-incident
# The volume's first mount copies this directory, owner included, so the
# non-root service can create the database in a fresh named volume.
COPY --from=build --chown=65532:65532 /out/data /app/data
ENV STATUS_ADDR=:8080 \
    STATUS_DB=/app/data/status.db \
    STATUS_LOG_FORMAT=json
USER 65532:65532
VOLUME /app/data
EXPOSE 8080
# The healthcheck reads STATUS_ADDR like the server: change the port there,
# not with -addr, and both follow.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --start-interval=2s --retries=3 \
    CMD ["/app/status-incident", "healthcheck"]
ENTRYPOINT ["/app/status-incident"]
CMD ["serve"]
