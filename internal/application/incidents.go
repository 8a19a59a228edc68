package application

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/status-incident/status-incident/internal/domain"
)

// IncidentService runs incidents: declaring, updating the timeline,
// acknowledging and resolving them, and the status they give their systems.
type IncidentService struct {
	store   IncidentStore
	systems *SystemService
	now     func() time.Time
}

// NewIncidentService returns the service; now is the clock.
func NewIncidentService(store IncidentStore, systems *SystemService, now func() time.Time) *IncidentService {
	if now == nil {
		now = time.Now
	}
	return &IncidentService{store: store, systems: systems, now: now}
}

// IncidentInput declares or edits an incident. On update, nil/empty fields
// keep their values.
type IncidentInput struct {
	Title        *string
	Impact       *string
	Status       *string
	SystemIDs    *[]int64
	SystemStatus *string
	StartedAt    *time.Time
	Message      string
	Postmortem   *string
}

func cleanIDs(ids []int64) ([]int64, error) {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, domain.Invalid("system_ids", "must hold positive system ids")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

func validateMessage(field, msg string, max int) error {
	if utf8.RuneCountInString(msg) > max {
		return domain.Invalid(field, "must be at most %d characters", max)
	}
	return nil
}

// Create declares an incident and writes its first timeline entry. When it
// carries a system_status, the affected systems get it as their manual
// status (logged with source incident). *ValidationError or ErrNotFound.
func (s *IncidentService) Create(ctx context.Context, in IncidentInput) (domain.Incident, error) {
	now := s.now().UTC()
	inc := domain.Incident{Status: domain.IncidentInvestigating, StartedAt: now, CreatedBy: ActorFrom(ctx), SystemIDs: []int64{}}
	if in.Title != nil {
		inc.Title = strings.TrimSpace(*in.Title)
	}
	if err := domain.ValidateIncidentTitle(inc.Title); err != nil {
		return inc, err
	}
	var err error
	impact := ""
	if in.Impact != nil {
		impact = *in.Impact
	}
	if inc.Impact, err = domain.ParseImpact(impact); err != nil {
		return inc, err
	}
	if in.Status != nil && *in.Status != "" {
		if inc.Status, err = domain.ParseIncidentStatus("status", *in.Status); err != nil {
			return inc, err
		}
		if inc.Status == domain.IncidentResolved {
			return inc, domain.Invalid("status", "a new incident cannot be resolved: declare it, then resolve it")
		}
	}
	if in.SystemIDs != nil {
		if inc.SystemIDs, err = cleanIDs(*in.SystemIDs); err != nil {
			return inc, err
		}
	}
	if in.SystemStatus != nil {
		if inc.SystemStatus, err = domain.ParseSystemStatus(*in.SystemStatus); err != nil {
			return inc, err
		}
	}
	if inc.SystemStatus != "" && len(inc.SystemIDs) == 0 {
		return inc, domain.Invalid("system_ids", "name the affected systems to give them a status")
	}
	if in.StartedAt != nil {
		if in.StartedAt.After(now.Add(time.Minute)) {
			return inc, domain.Invalid("started_at", "may not be in the future")
		}
		inc.StartedAt = in.StartedAt.UTC()
	}
	msg := strings.TrimSpace(in.Message)
	if msg == "" {
		msg = "Incident declared: " + inc.Title
	}
	if err := validateMessage("message", msg, domain.MaxMessageLen); err != nil {
		return inc, err
	}
	first := domain.IncidentUpdate{Status: inc.Status, Message: msg, Author: ActorFrom(ctx), CreatedAt: now}
	if err := s.store.CreateIncident(ctx, &inc, first, audit(ctx, "incident.create", "incident", 0, inc.Title)); err != nil {
		return inc, err
	}
	if err := s.applyStatus(ctx, inc, inc.SystemIDs); err != nil {
		return inc, err
	}
	return s.store.GetIncident(ctx, inc.ID)
}

// applyStatus gives systems the incident's system status and remembers the
// log entry for the restore on resolve.
func (s *IncidentService) applyStatus(ctx context.Context, inc domain.Incident, systemIDs []int64) error {
	if inc.SystemStatus == "" {
		return nil
	}
	for _, id := range systemIDs {
		_, c, err := s.systems.SetSystemStatus(ctx, id, StatusInput{Status: string(inc.SystemStatus),
			Message: fmt.Sprintf("Incident #%d: %s", inc.ID, inc.Title), Source: domain.SourceIncident})
		if err != nil {
			return err
		}
		if err := s.store.SetAppliedChange(ctx, inc.ID, id, c.ID); err != nil {
			return err
		}
	}
	return nil
}

// Get returns one incident with its timeline. ErrNotFound.
func (s *IncidentService) Get(ctx context.Context, id int64) (domain.Incident, error) {
	return s.store.GetIncident(ctx, id)
}

// List returns incidents, newest first, with a bounded limit.
func (s *IncidentService) List(ctx context.Context, f domain.IncidentFilter) ([]domain.Incident, error) {
	switch {
	case f.Limit == 0:
		f.Limit = 50
	case f.Limit < 1 || f.Limit > 500:
		return nil, domain.Invalid("limit", "must be between 1 and 500")
	}
	if f.Status != "" {
		if _, err := domain.ParseIncidentStatus("status", string(f.Status)); err != nil {
			return nil, err
		}
	}
	return s.store.ListIncidents(ctx, f)
}

// Recent returns the incidents active during the last days days (1-90).
func (s *IncidentService) Recent(ctx context.Context, days int) ([]domain.Incident, error) {
	if days == 0 {
		days = 7
	}
	if days < 1 || days > 90 {
		return nil, domain.Invalid("days", "must be between 1 and 90")
	}
	return s.store.ListIncidents(ctx, domain.IncidentFilter{Since: s.now().UTC().AddDate(0, 0, -days), Limit: 500})
}

// Update edits an incident. While it is open, title, impact, systems, system
// status and start time may change; a resolved incident accepts only its
// postmortem (ErrConflict otherwise). *ValidationError, ErrNotFound.
func (s *IncidentService) Update(ctx context.Context, id int64, in IncidentInput) (domain.Incident, error) {
	inc, err := s.store.GetIncident(ctx, id)
	if err != nil {
		return inc, err
	}
	if inc.Resolved() && (in.Title != nil || in.Impact != nil || in.Status != nil || in.SystemIDs != nil ||
		in.SystemStatus != nil || in.StartedAt != nil) {
		return inc, domain.Conflictf("incident %d is resolved: only its postmortem can be edited", id)
	}
	if in.Title != nil {
		inc.Title = strings.TrimSpace(*in.Title)
		if err := domain.ValidateIncidentTitle(inc.Title); err != nil {
			return inc, err
		}
	}
	if in.Impact != nil {
		if inc.Impact, err = domain.ParseImpact(*in.Impact); err != nil {
			return inc, err
		}
	}
	if in.Status != nil {
		return inc, domain.Invalid("status", "change the status with a timeline update (POST /updates) or resolve")
	}
	before := inc.SystemIDs
	if in.SystemIDs != nil {
		if inc.SystemIDs, err = cleanIDs(*in.SystemIDs); err != nil {
			return inc, err
		}
	}
	statusChanged := false
	if in.SystemStatus != nil {
		st, err := domain.ParseSystemStatus(*in.SystemStatus)
		if err != nil {
			return inc, err
		}
		statusChanged = st != inc.SystemStatus
		inc.SystemStatus = st
	}
	if inc.SystemStatus != "" && len(inc.SystemIDs) == 0 {
		return inc, domain.Invalid("system_ids", "name the affected systems to give them a status")
	}
	if in.StartedAt != nil {
		inc.StartedAt = in.StartedAt.UTC()
	}
	if in.Postmortem != nil {
		if err := validateMessage("postmortem", *in.Postmortem, domain.MaxPostmortemLen); err != nil {
			return inc, err
		}
		inc.Postmortem = *in.Postmortem
	}
	if err := s.store.SaveIncident(ctx, &inc, nil, audit(ctx, "incident.update", "incident", id, inc.Title)); err != nil {
		return inc, err
	}
	apply := inc.SystemIDs
	if !statusChanged {
		apply = nil
		for _, sid := range inc.SystemIDs {
			if !slices.Contains(before, sid) {
				apply = append(apply, sid)
			}
		}
	}
	if err := s.applyStatus(ctx, inc, apply); err != nil {
		return inc, err
	}
	return s.store.GetIncident(ctx, id)
}

// AddUpdate adds a timeline entry, optionally moving the incident to a new
// status (resolved goes through Resolve). ErrConflict on a resolved incident.
func (s *IncidentService) AddUpdate(ctx context.Context, id int64, status, message string) (domain.Incident, error) {
	inc, err := s.store.GetIncident(ctx, id)
	if err != nil {
		return inc, err
	}
	message = strings.TrimSpace(message)
	if message == "" {
		return inc, domain.Invalid("message", "is required")
	}
	if err := validateMessage("message", message, domain.MaxMessageLen); err != nil {
		return inc, err
	}
	st := inc.Status
	if strings.TrimSpace(status) != "" {
		if st, err = domain.ParseIncidentStatus("status", status); err != nil {
			return inc, err
		}
	}
	if st == domain.IncidentResolved {
		return s.Resolve(ctx, id, message, nil)
	}
	if inc.Resolved() {
		return inc, domain.Conflictf("incident %d is resolved", id)
	}
	inc.Status = st
	u := domain.IncidentUpdate{Status: st, Message: message, Author: ActorFrom(ctx), CreatedAt: s.now().UTC()}
	if err := s.store.SaveIncident(ctx, &inc, &u, audit(ctx, "incident.update", "incident", id, "timeline: "+string(st))); err != nil {
		return inc, err
	}
	return s.store.GetIncident(ctx, id)
}

// Acknowledge records who took the incident on. Acknowledging again keeps
// the first acknowledgement. ErrConflict on a resolved incident.
func (s *IncidentService) Acknowledge(ctx context.Context, id int64) (domain.Incident, error) {
	inc, err := s.store.GetIncident(ctx, id)
	if err != nil {
		return inc, err
	}
	if !inc.AcknowledgedAt.IsZero() {
		return inc, nil
	}
	if inc.Resolved() {
		return inc, domain.Conflictf("incident %d is resolved", id)
	}
	inc.AcknowledgedAt, inc.AcknowledgedBy = s.now().UTC(), ActorFrom(ctx)
	u := domain.IncidentUpdate{Status: inc.Status, Message: "Acknowledged by " + inc.AcknowledgedBy, Author: inc.AcknowledgedBy,
		CreatedAt: inc.AcknowledgedAt}
	if err := s.store.SaveIncident(ctx, &inc, &u, audit(ctx, "incident.acknowledge", "incident", id, inc.Title)); err != nil {
		return inc, err
	}
	return s.store.GetIncident(ctx, id)
}

// Resolve ends the incident with a last timeline entry (and optionally its
// postmortem). Systems it had given a status return to green, unless someone
// changed their status since; that is logged. ErrConflict when already resolved.
func (s *IncidentService) Resolve(ctx context.Context, id int64, message string, postmortem *string) (domain.Incident, error) {
	inc, err := s.store.GetIncident(ctx, id)
	if err != nil {
		return inc, err
	}
	if inc.Resolved() {
		return inc, domain.Conflictf("incident %d is already resolved", id)
	}
	message = strings.TrimSpace(message)
	if message == "" {
		message = "Resolved"
	}
	if err := validateMessage("message", message, domain.MaxMessageLen); err != nil {
		return inc, err
	}
	if postmortem != nil {
		if err := validateMessage("postmortem", *postmortem, domain.MaxPostmortemLen); err != nil {
			return inc, err
		}
		inc.Postmortem = *postmortem
	}
	now := s.now().UTC()
	inc.Status, inc.ResolvedAt = domain.IncidentResolved, now
	u := domain.IncidentUpdate{Status: domain.IncidentResolved, Message: message, Author: ActorFrom(ctx), CreatedAt: now}
	if err := s.store.SaveIncident(ctx, &inc, &u, audit(ctx, "incident.resolve", "incident", id, inc.Title)); err != nil {
		return inc, err
	}
	applied, err := s.store.AppliedChanges(ctx, id)
	if err != nil {
		return inc, err
	}
	for sid, changeID := range applied {
		last, err := s.store.LastManualChangeID(ctx, sid)
		if err != nil {
			return inc, err
		}
		if last != changeID {
			continue // someone set the status since: leave it
		}
		if _, _, err := s.systems.SetSystemStatus(ctx, sid, StatusInput{Status: string(domain.StatusGreen),
			Message: fmt.Sprintf("Incident #%d resolved: %s", id, inc.Title), Source: domain.SourceIncident}); err != nil {
			return inc, err
		}
	}
	return s.store.GetIncident(ctx, id)
}

// Delete removes an incident and its timeline. ErrNotFound.
func (s *IncidentService) Delete(ctx context.Context, id int64) error {
	inc, err := s.store.GetIncident(ctx, id)
	if err != nil {
		return err
	}
	return s.store.DeleteIncident(ctx, id, audit(ctx, "incident.delete", "incident", id, inc.Title))
}
