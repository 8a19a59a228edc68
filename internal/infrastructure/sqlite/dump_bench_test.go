package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

// bigExport is a version 2.0 file with 100 systems, 500 dependencies and
// n change-log entries.
func bigExport(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"version":"2.0","systems":[`)
	for s := 1; s <= 100; s++ {
		if s > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"system %d","description":"","url":"","owner":"","status":"green","manual_status":"green","sla_target":99.9,"public":true,"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}`, s, s)
	}
	b.WriteString(`],"dependencies":[`)
	for d := 1; d <= 500; d++ {
		if d > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"system_id":%d,"name":"dep %d","description":"","status":"green","heartbeat_url":"","heartbeat_interval":0,"heartbeat":null,"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}`, d, (d-1)%100+1, d)
	}
	b.WriteString(`],"logs":[`)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	statuses := []string{"green", "yellow", "red"}
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"system_id":%d,"dependency_id":null,"old_status":%q,"new_status":%q,"message":"status changed by the benchmark","source":"manual","actor":"bench","created_at":%q}`,
			i, i%100+1, statuses[i%3], statuses[(i+1)%3], start.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

const benchLogs = 200_000

// BenchmarkExport streams a change log of 200,000 entries.
func BenchmarkExport(b *testing.B) {
	db := sqlitetest.Open(b, nil)
	ctx := context.Background()
	file := bigExport(benchLogs)
	if _, err := db.Import(ctx, bytes.NewReader(file), domain.ImportReplace, domain.AuditEntry{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := db.Export(ctx, io.Discard, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchLogs)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkImportReplace checks and restores the same file.
func BenchmarkImportReplace(b *testing.B) {
	db := sqlitetest.Open(b, nil)
	ctx := context.Background()
	file := bigExport(benchLogs)
	b.SetBytes(int64(len(file)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.CheckImport(ctx, bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Import(ctx, bytes.NewReader(file), domain.ImportReplace, domain.AuditEntry{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchLogs)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
