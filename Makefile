# Status Incident Service. `make run` serves on :8080 with ./status.db; `make test` runs everything CI runs.
BINARY  := status-incident
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
BUILT   ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildTime=$(BUILT)
ARGS    ?=
IMAGE   ?= status-incident:$(VERSION)

.PHONY: run build test vet lint bench swagger swagger-check docker clean

run: ## build and run the service (flags: make run ARGS="-addr :9090")
	go run -ldflags "$(LDFLAGS)" . $(ARGS)

build: ## build ./bin/status-incident
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/$(BINARY) .

test: lint swagger-check ## gofmt, vet, staticcheck, check the OpenAPI docs are current, run every test with the race detector
	go test -race -count=1 ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed on:"; gofmt -l .; exit 1; }
	go vet ./...

lint: vet ## gofmt + go vet + staticcheck (pinned in go.mod as a tool)
	go tool staticcheck ./...

bench: ## Go benchmarks (figures in docs/PERFORMANCE.md)
	go test -run '^$$' -bench . -benchmem ./...

swagger: ## regenerate docs/ (OpenAPI) from the handler annotations
	go tool swag init --quiet -g main.go -d ./,./internal/interfaces/api,./internal/interfaces/public -o docs --packageName docs --outputTypes go,json,yaml

swagger-check: ## fail when docs/ is stale
	@tmp=$$(mktemp -d)/docs; \
	go tool swag init --quiet -g main.go -d ./,./internal/interfaces/api,./internal/interfaces/public -o $$tmp --packageName docs --outputTypes go,json,yaml && \
	for f in docs.go swagger.json swagger.yaml; do \
		cmp -s $$tmp/$$f docs/$$f || { echo "docs/$$f is stale: run make swagger"; rm -rf $$(dirname $$tmp); exit 1; }; \
	done; rm -rf $$(dirname $$tmp)

docker: ## build the image $(IMAGE) with the same version stamp as make build
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) --build-arg BUILT=$(BUILT) -t $(IMAGE) .

clean:
	rm -rf bin
