package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

func TestMaintenanceStatus(t *testing.T) {
	start := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	m := domain.Maintenance{StartsAt: start, EndsAt: start.Add(time.Hour)}
	cancelled := m
	cancelled.CancelledAt = start.Add(-time.Minute)
	tests := []struct {
		name string
		m    domain.Maintenance
		now  time.Time
		want domain.MaintenanceStatus
	}{
		{"long before", m, start.Add(-24 * time.Hour), domain.MaintenanceScheduled},
		{"just before start", m, start.Add(-time.Millisecond), domain.MaintenanceScheduled},
		{"at start", m, start, domain.MaintenanceInProgress},
		{"during", m, start.Add(30 * time.Minute), domain.MaintenanceInProgress},
		{"just before end", m, start.Add(time.Hour - time.Millisecond), domain.MaintenanceInProgress},
		{"at end", m, start.Add(time.Hour), domain.MaintenanceCompleted},
		{"after", m, start.Add(48 * time.Hour), domain.MaintenanceCompleted},
		{"cancelled before", cancelled, start.Add(-time.Hour), domain.MaintenanceCancelled},
		{"cancelled during", cancelled, start.Add(time.Minute), domain.MaintenanceCancelled},
		{"cancelled after", cancelled, start.Add(2 * time.Hour), domain.MaintenanceCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.Status(tt.now); got != tt.want {
				t.Errorf("Status = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMaintenanceCovers(t *testing.T) {
	all := domain.Maintenance{}
	some := domain.Maintenance{SystemIDs: []int64{2, 5}}
	tests := []struct {
		name string
		m    domain.Maintenance
		id   int64
		want bool
	}{
		{"all systems", all, 7, true},
		{"listed", some, 5, true},
		{"not listed", some, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.Covers(tt.id); got != tt.want {
				t.Errorf("Covers(%d) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestMaintenanceNormalize(t *testing.T) {
	start := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	valid := func() domain.Maintenance {
		return domain.Maintenance{Title: " Upgrade ", StartsAt: start, EndsAt: start.Add(time.Hour), SystemIDs: []int64{3, 1, 3}}
	}
	tests := []struct {
		name   string
		change func(*domain.Maintenance)
		field  string // "" = valid
	}{
		{"valid", func(*domain.Maintenance) {}, ""},
		{"no title", func(m *domain.Maintenance) { m.Title = "  " }, "title"},
		{"title too long", func(m *domain.Maintenance) { m.Title = strings.Repeat("é", 201) }, "title"},
		{"title at limit", func(m *domain.Maintenance) { m.Title = strings.Repeat("é", 200) }, ""},
		{"description too long", func(m *domain.Maintenance) { m.Description = strings.Repeat("x", 2001) }, "description"},
		{"no start", func(m *domain.Maintenance) { m.StartsAt = time.Time{} }, "starts_at"},
		{"no end", func(m *domain.Maintenance) { m.EndsAt = time.Time{} }, "ends_at"},
		{"end before start", func(m *domain.Maintenance) { m.EndsAt = start.Add(-time.Minute) }, "ends_at"},
		{"end at start", func(m *domain.Maintenance) { m.EndsAt = start }, "ends_at"},
		{"zero system id", func(m *domain.Maintenance) { m.SystemIDs = []int64{1, 0} }, "system_ids"},
		{"negative system id", func(m *domain.Maintenance) { m.SystemIDs = []int64{-4} }, "system_ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(&m)
			err := m.Normalize()
			var ve *domain.ValidationError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("Normalize: %v", err)
			case tt.field != "" && !errors.As(err, &ve):
				t.Fatalf("Normalize = %v, want a validation error on %s", err, tt.field)
			case tt.field != "" && ve.Field != tt.field:
				t.Fatalf("field = %q, want %q", ve.Field, tt.field)
			}
		})
	}
	m := valid()
	if err := m.Normalize(); err != nil {
		t.Fatal(err)
	}
	if m.Title != "Upgrade" || len(m.SystemIDs) != 2 || m.SystemIDs[0] != 1 || m.SystemIDs[1] != 3 {
		t.Errorf("normalized = %q %v, want Upgrade [1 3]", m.Title, m.SystemIDs)
	}
}

func TestParseMaintenanceStatus(t *testing.T) {
	if got, err := domain.ParseMaintenanceStatus("status", " In_Progress "); err != nil || got != domain.MaintenanceInProgress {
		t.Errorf("got %q, %v", got, err)
	}
	var ve *domain.ValidationError
	if _, err := domain.ParseMaintenanceStatus("status", "running"); !errors.As(err, &ve) || ve.Field != "status" {
		t.Errorf("running: %v, want a validation error on status", err)
	}
}
