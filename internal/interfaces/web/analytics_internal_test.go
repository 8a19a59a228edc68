package web

import (
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{"zero", 0, "0 s"},
		{"sub-second rounds", 400 * time.Millisecond, "0 s"},
		{"seconds", 45 * time.Second, "45 s"},
		{"minutes and seconds", 12*time.Minute + 5*time.Second, "12 min 5 s"},
		{"whole minutes", 12 * time.Minute, "12 min"},
		{"hours and minutes", 72 * time.Minute, "1 h 12 min"},
		{"hours drop seconds", time.Hour + 30*time.Second, "1 h"},
		{"days and hours", 50*time.Hour + 5*time.Minute, "2 d 2 h"},
		{"negative", -90 * time.Second, "1 min 30 s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := humanDuration(tt.d); got != tt.want {
				t.Errorf("humanDuration(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestSortRowsKeepsMissingLast(t *testing.T) {
	rows := []analyticsRow{
		{figuresView: figuresView{hasMTTR: false}},
		{figuresView: figuresView{mttr: time.Minute, hasMTTR: true}},
		{figuresView: figuresView{mttr: time.Hour, hasMTTR: true}},
	}
	rows[0].System.Name, rows[1].System.Name, rows[2].System.Name = "none", "short", "long"
	for _, dir := range []string{"asc", "desc"} {
		sorted := append([]analyticsRow(nil), rows...)
		key, gotDir := sortRows(sorted, "mttr", dir)
		if key != "mttr" || gotDir != dir {
			t.Fatalf("sortRows applied %s %s", key, gotDir)
		}
		if last := sorted[2].System.Name; last != "none" {
			t.Errorf("%s: last is %s, want the row without MTTR", dir, last)
		}
	}
	if key, dir := sortRows(rows, "bogus", "sideways"); key != "name" || dir != "asc" {
		t.Errorf("unknown column: %s %s, want name asc", key, dir)
	}
}
