package application

import (
	"context"

	"github.com/status-incident/status-incident/internal/domain"
)

type actorKey struct{}

// WithActor returns a context that attributes changes to name (a user or API
// key name).
func WithActor(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, actorKey{}, name)
}

// ActorFrom returns the actor recorded in ctx, or domain.ActorSystem.
func ActorFrom(ctx context.Context) string {
	if name, ok := ctx.Value(actorKey{}).(string); ok && name != "" {
		return name
	}
	return domain.ActorSystem
}

// audit returns the audit entry for a configuration change made by the
// actor of ctx.
func audit(ctx context.Context, action, targetType string, targetID int64, summary string) domain.AuditEntry {
	return domain.AuditEntry{Actor: ActorFrom(ctx), Action: action, TargetType: targetType, TargetID: targetID, Summary: summary}
}
