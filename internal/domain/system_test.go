package domain

import (
	"errors"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestSystemInputNormalize(t *testing.T) {
	tests := []struct {
		name      string
		in        SystemInput
		wantField string // "" = valid
	}{
		{"minimal", SystemInput{Name: "API"}, ""},
		{"full", SystemInput{Name: "API", Description: "d", URL: "https://api.example.com/x", Owner: "o", SLATarget: ptr(99.95)}, ""},
		{"name required", SystemInput{Name: "   "}, "name"},
		{"name 100 runes ok", SystemInput{Name: strings.Repeat("é", 100)}, ""},
		{"name 101 runes", SystemInput{Name: strings.Repeat("a", 101)}, "name"},
		{"url without scheme", SystemInput{Name: "a", URL: "api.example.com"}, "url"},
		{"url javascript", SystemInput{Name: "a", URL: "javascript:alert(1)"}, "url"},
		{"url ftp", SystemInput{Name: "a", URL: "ftp://example.com"}, "url"},
		{"url http no host", SystemInput{Name: "a", URL: "http://"}, "url"},
		{"sla zero", SystemInput{Name: "a", SLATarget: ptr(0.0)}, "sla_target"},
		{"sla over 100", SystemInput{Name: "a", SLATarget: ptr(100.01)}, "sla_target"},
		{"sla 100", SystemInput{Name: "a", SLATarget: ptr(100.0)}, ""},
		{"description too long", SystemInput{Name: "a", Description: strings.Repeat("x", MaxDescriptionLen+1)}, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			err := in.Normalize()
			var ve *ValidationError
			switch {
			case tt.wantField == "" && err != nil:
				t.Fatalf("Normalize() = %v, want nil", err)
			case tt.wantField != "" && !errors.As(err, &ve):
				t.Fatalf("Normalize() = %v, want validation error on %s", err, tt.wantField)
			case tt.wantField != "" && ve.Field != tt.wantField:
				t.Fatalf("field = %q, want %q", ve.Field, tt.wantField)
			}
		})
	}
}

func TestSystemInputTrims(t *testing.T) {
	in := SystemInput{Name: "  API \n", Owner: " team ", URL: " https://x.example "}
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
	if in.Name != "API" || in.Owner != "team" || in.URL != "https://x.example" {
		t.Errorf("not trimmed: %+v", in)
	}
}

func TestDependencyInputNormalize(t *testing.T) {
	in := DependencyInput{Name: "  "}
	var ve *ValidationError
	if err := in.Normalize(); !errors.As(err, &ve) || ve.Field != "name" {
		t.Errorf("empty name: got %v, want validation error on name", err)
	}
	in = DependencyInput{Name: " PostgreSQL ", Description: " db "}
	if err := in.Normalize(); err != nil || in.Name != "PostgreSQL" || in.Description != "db" {
		t.Errorf("got %+v, %v", in, err)
	}
}
