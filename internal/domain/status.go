package domain

import "strings"

// Status is the traffic-light state of a system or dependency.
type Status string

// The three statuses, from best to worst.
const (
	StatusGreen  Status = "green"
	StatusYellow Status = "yellow"
	StatusRed    Status = "red"
)

// Statuses lists every status from best to worst.
var Statuses = []Status{StatusGreen, StatusYellow, StatusRed}

// ParseStatus validates s (case-insensitive, trimmed). It returns a
// *ValidationError naming field when s is not a status.
func ParseStatus(field, s string) (Status, error) {
	st := Status(strings.ToLower(strings.TrimSpace(s)))
	if !st.Valid() {
		return "", Invalid(field, "must be one of green, yellow, red")
	}
	return st, nil
}

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	return s == StatusGreen || s == StatusYellow || s == StatusRed
}

// Severity orders statuses: green 0, yellow 1, red 2. It is also the value of
// the Prometheus status gauges.
func (s Status) Severity() int {
	switch s {
	case StatusYellow:
		return 1
	case StatusRed:
		return 2
	default:
		return 0
	}
}

// Label is the human word for the status.
func (s Status) Label() string {
	switch s {
	case StatusYellow:
		return "Degraded"
	case StatusRed:
		return "Outage"
	default:
		return "Operational"
	}
}

// Worst returns the worst of the given statuses, green when there are none.
func Worst(statuses ...Status) Status {
	worst := StatusGreen
	for _, s := range statuses {
		if s.Severity() > worst.Severity() {
			worst = s
		}
	}
	return worst
}

// EffectiveStatus is a system's status: the worst of its manual status and
// the statuses of its dependencies.
func EffectiveStatus(manual Status, deps []Dependency) Status {
	worst := Worst(manual)
	for _, d := range deps {
		worst = Worst(worst, d.Status)
	}
	return worst
}
