package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Dependency is a component of a system (a database, a queue, an upstream API).
type Dependency struct {
	ID          int64
	SystemID    int64
	Name        string
	Description string
	Status      Status
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DependencyInput holds the editable fields of a dependency.
type DependencyInput struct {
	Name        string
	Description string
}

// Normalize trims the input and validates it.
func (in *DependencyInput) Normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if err := ValidateName(in.Name); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Description) > MaxDescriptionLen {
		return Invalid("description", "must be at most %d characters", MaxDescriptionLen)
	}
	return nil
}
