package domain

import (
	"errors"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in      string
		want    Status
		wantErr bool
	}{
		{"green", StatusGreen, false},
		{" Yellow ", StatusYellow, false},
		{"RED", StatusRed, false},
		{"", "", true},
		{"purple", "", true},
		{"gre en", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStatus("status", tt.in)
			if got != tt.want {
				t.Errorf("ParseStatus(%q) = %q, want %q", tt.in, got, tt.want)
			}
			var ve *ValidationError
			if tt.wantErr != errors.As(err, &ve) {
				t.Fatalf("ParseStatus(%q) error = %v, want validation error: %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr && ve.Field != "status" {
				t.Errorf("field = %q, want status", ve.Field)
			}
		})
	}
}

func TestEffectiveStatus(t *testing.T) {
	deps := func(ss ...Status) []Dependency {
		out := make([]Dependency, len(ss))
		for i, s := range ss {
			out[i] = Dependency{ID: int64(i + 1), Status: s}
		}
		return out
	}
	tests := []struct {
		name   string
		manual Status
		deps   []Dependency
		want   Status
	}{
		{"no dependencies green", StatusGreen, nil, StatusGreen},
		{"no dependencies manual red", StatusRed, nil, StatusRed},
		{"one yellow dependency", StatusGreen, deps(StatusGreen, StatusYellow), StatusYellow},
		{"red beats yellow", StatusGreen, deps(StatusYellow, StatusRed, StatusGreen), StatusRed},
		{"manual yellow beats green deps", StatusYellow, deps(StatusGreen, StatusGreen), StatusYellow},
		{"red dependency beats manual yellow", StatusYellow, deps(StatusRed), StatusRed},
		{"manual red beats yellow deps", StatusRed, deps(StatusYellow), StatusRed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EffectiveStatus(tt.manual, tt.deps); got != tt.want {
				t.Errorf("EffectiveStatus(%q, %v) = %q, want %q", tt.manual, tt.deps, got, tt.want)
			}
		})
	}
}

func TestStatusSeverityAndLabel(t *testing.T) {
	for _, tt := range []struct {
		s        Status
		severity int
		label    string
	}{{StatusGreen, 0, "Operational"}, {StatusYellow, 1, "Degraded"}, {StatusRed, 2, "Outage"}} {
		if got := tt.s.Severity(); got != tt.severity {
			t.Errorf("%s.Severity() = %d, want %d", tt.s, got, tt.severity)
		}
		if got := tt.s.Label(); got != tt.label {
			t.Errorf("%s.Label() = %q, want %q", tt.s, got, tt.label)
		}
	}
}

func TestErrorsUnwrapToSentinels(t *testing.T) {
	nf := NotFoundf("system %d not found", 3)
	if !errors.Is(nf, ErrNotFound) || nf.Error() != "system 3 not found" {
		t.Errorf("NotFoundf = %v (is ErrNotFound: %v)", nf, errors.Is(nf, ErrNotFound))
	}
	c := Conflictf("dup")
	if !errors.Is(c, ErrConflict) || errors.Is(c, ErrNotFound) {
		t.Errorf("Conflictf does not unwrap to ErrConflict only")
	}
}
