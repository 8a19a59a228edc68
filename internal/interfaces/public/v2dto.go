package public

import "time"

// The Statuspage-compatible JSON (https://developer.statuspage.io): field
// names and enums as Statuspage's public API writes them, so that existing
// aggregators and client libraries read us. docs/STATUSPAGE.md maps our
// statuses onto them.

// PageInfo is Statuspage's page object.
type PageInfo struct {
	ID        string    `json:"id" example:"status"`
	Name      string    `json:"name" example:"Acme status"`
	URL       string    `json:"url" example:"https://status.example.com/status"`
	TimeZone  string    `json:"time_zone" example:"Etc/UTC"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StatusInfo is the overall status.
type StatusInfo struct {
	Indicator   string `json:"indicator" enums:"none,minor,major,critical" example:"none"`
	Description string `json:"description" example:"All Systems Operational"`
}

// Component is a system (a group, with its dependencies as components) or a
// dependency (with group_id naming its system).
type Component struct {
	ID                 string    `json:"id" example:"sys-1"`
	Name               string    `json:"name" example:"Checkout"`
	Status             string    `json:"status" enums:"operational,degraded_performance,partial_outage,major_outage,under_maintenance" example:"operational"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	Position           int       `json:"position" example:"1"`
	Description        *string   `json:"description"`
	Showcase           bool      `json:"showcase"`
	StartDate          *string   `json:"start_date" example:"2026-01-31"`
	GroupID            *string   `json:"group_id" example:"sys-1"`
	PageID             string    `json:"page_id" example:"status"`
	Group              bool      `json:"group"`
	OnlyShowIfDegraded bool      `json:"only_show_if_degraded"`
	// Components are the ids of a group's components (groups only).
	Components []string `json:"components,omitempty"`
}

// IncidentUpdate is one entry of an incident's or maintenance's timeline.
type IncidentUpdate struct {
	ID                 string    `json:"id" example:"12"`
	Status             string    `json:"status" example:"investigating"`
	Body               string    `json:"body" example:"We are looking into elevated error rates."`
	IncidentID         string    `json:"incident_id" example:"3"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	DisplayAt          time.Time `json:"display_at"`
	AffectedComponents []any     `json:"affected_components"`
}

// Incident is an incident or a scheduled maintenance (which also carries
// scheduled_for and scheduled_until).
type Incident struct {
	ID              string           `json:"id" example:"3"`
	Name            string           `json:"name" example:"Elevated checkout errors"`
	Status          string           `json:"status" enums:"investigating,identified,monitoring,resolved,postmortem,scheduled,in_progress,verifying,completed" example:"investigating"`
	Impact          string           `json:"impact" enums:"none,minor,major,critical,maintenance" example:"major"`
	Shortlink       string           `json:"shortlink" example:"https://status.example.com/status/incidents/3"`
	CreatedAt       time.Time        `json:"created_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
	StartedAt       time.Time        `json:"started_at"`
	MonitoringAt    *time.Time       `json:"monitoring_at"`
	ResolvedAt      *time.Time       `json:"resolved_at"`
	PageID          string           `json:"page_id" example:"status"`
	IncidentUpdates []IncidentUpdate `json:"incident_updates"`
	Components      []Component      `json:"components"`
	ScheduledFor    *time.Time       `json:"scheduled_for,omitempty"`
	ScheduledUntil  *time.Time       `json:"scheduled_until,omitempty"`
}

// SummaryResponse is /api/v2/summary.json.
type SummaryResponse struct {
	Page                  PageInfo    `json:"page"`
	Components            []Component `json:"components"`
	Incidents             []Incident  `json:"incidents"`
	ScheduledMaintenances []Incident  `json:"scheduled_maintenances"`
	Status                StatusInfo  `json:"status"`
}

// StatusResponse is /api/v2/status.json.
type StatusResponse struct {
	Page   PageInfo   `json:"page"`
	Status StatusInfo `json:"status"`
}

// ComponentsResponse is /api/v2/components.json.
type ComponentsResponse struct {
	Page       PageInfo    `json:"page"`
	Components []Component `json:"components"`
}

// IncidentsResponse is /api/v2/incidents.json and incidents/unresolved.json.
type IncidentsResponse struct {
	Page      PageInfo   `json:"page"`
	Incidents []Incident `json:"incidents"`
}

// MaintenancesResponse is /api/v2/scheduled-maintenances*.json.
type MaintenancesResponse struct {
	Page                  PageInfo   `json:"page"`
	ScheduledMaintenances []Incident `json:"scheduled_maintenances"`
}

// ErrorResponse is the body of a failed public JSON request.
type ErrorResponse struct {
	Error string `json:"error" example:"internal server error"`
	Code  string `json:"code" example:"internal"`
}
