package api

import (
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// SystemRequest is the body of POST /api/systems and PUT /api/systems/{id}.
type SystemRequest struct {
	Name        string   `json:"name" example:"API"`
	Description string   `json:"description" example:"Main API"`
	URL         string   `json:"url" example:"https://api.example.com"`
	Owner       string   `json:"owner" example:"Backend Team"`
	SLATarget   *float64 `json:"sla_target,omitempty" example:"99.9"`
	Public      *bool    `json:"public,omitempty" example:"true"`
}

func (r SystemRequest) input() domain.SystemInput {
	return domain.SystemInput{Name: r.Name, Description: r.Description, URL: r.URL, Owner: r.Owner,
		SLATarget: r.SLATarget, Public: r.Public}
}

// SystemResponse is a system.
type SystemResponse struct {
	ID           int64     `json:"id" example:"1"`
	Name         string    `json:"name" example:"API"`
	Description  string    `json:"description" example:"Main API"`
	URL          string    `json:"url" example:"https://api.example.com"`
	Owner        string    `json:"owner" example:"Backend Team"`
	Status       string    `json:"status" enums:"green,yellow,red" example:"green"`
	ManualStatus string    `json:"manual_status" enums:"green,yellow,red" example:"green"`
	SLATarget    float64   `json:"sla_target" example:"99.9"`
	Public       bool      `json:"public" example:"true"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// SystemDetailResponse is a system with its dependencies.
type SystemDetailResponse struct {
	SystemResponse
	Dependencies []DependencyResponse `json:"dependencies"`
}

func systemDTO(s domain.System) SystemResponse {
	return SystemResponse{ID: s.ID, Name: s.Name, Description: s.Description, URL: s.URL, Owner: s.Owner,
		Status: string(s.Status), ManualStatus: string(s.ManualStatus), SLATarget: s.SLATarget, Public: s.Public,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// DependencyRequest is the body of POST /api/systems/{id}/dependencies and
// PUT /api/dependencies/{id}.
type DependencyRequest struct {
	Name        string `json:"name" example:"PostgreSQL"`
	Description string `json:"description" example:"Main database"`
}

func (r DependencyRequest) input() domain.DependencyInput {
	return domain.DependencyInput{Name: r.Name, Description: r.Description}
}

// DependencyResponse is a dependency.
type DependencyResponse struct {
	ID          int64     `json:"id" example:"1"`
	SystemID    int64     `json:"system_id" example:"1"`
	Name        string    `json:"name" example:"PostgreSQL"`
	Description string    `json:"description" example:"Main database"`
	Status      string    `json:"status" enums:"green,yellow,red" example:"green"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Heartbeat is null for a dependency that was never monitored.
	Heartbeat *HeartbeatResponse `json:"heartbeat"`
	// HeartbeatURL and HeartbeatInterval (seconds) repeat an enabled
	// heartbeat's target, as the original service's export had them.
	HeartbeatURL        string     `json:"heartbeat_url,omitempty"`
	HeartbeatInterval   int        `json:"heartbeat_interval,omitempty"`
	LastCheckAt         *time.Time `json:"last_check_at"`
	LastLatencyMS       *float64   `json:"last_latency_ms"`
	LastStatusCode      int        `json:"last_status_code"`
	LastError           string     `json:"last_error"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
}

func dependencyDTO(d domain.Dependency) DependencyResponse {
	return DependencyResponse{ID: d.ID, SystemID: d.SystemID, Name: d.Name, Description: d.Description,
		Status: string(d.Status), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func dependencyDTOs(ds []domain.Dependency) []DependencyResponse {
	out := make([]DependencyResponse, len(ds))
	for i, d := range ds {
		out[i] = dependencyDTO(d)
	}
	return out
}

// StatusRequest is the body of the status endpoints.
type StatusRequest struct {
	Status  string `json:"status" enums:"green,yellow,red" example:"yellow"`
	Message string `json:"message" example:"Degraded performance"`
}

// LogResponse is one change-log entry. dependency_id is null for a change of
// the system's effective status.
type LogResponse struct {
	ID           int64     `json:"id" example:"1"`
	SystemID     int64     `json:"system_id" example:"1"`
	DependencyID *int64    `json:"dependency_id" example:"2"`
	OldStatus    string    `json:"old_status" enums:"green,yellow,red" example:"green"`
	NewStatus    string    `json:"new_status" enums:"green,yellow,red" example:"yellow"`
	Message      string    `json:"message" example:"High latency detected"`
	Source       string    `json:"source" example:"manual"`
	Actor        string    `json:"actor" example:"alice"`
	CreatedAt    time.Time `json:"created_at"`
}

func logDTO(c domain.StatusChange) LogResponse {
	out := LogResponse{ID: c.ID, SystemID: c.SystemID, OldStatus: string(c.OldStatus), NewStatus: string(c.NewStatus),
		Message: c.Message, Source: string(c.Source), Actor: c.Actor, CreatedAt: c.CreatedAt}
	if c.DependencyID != 0 {
		id := c.DependencyID
		out.DependencyID = &id
	}
	return out
}

// SystemStatusResponse answers a system status change: the updated system
// and the log entry that records it.
type SystemStatusResponse struct {
	SystemResponse
	Change LogResponse `json:"change"`
}

// DependencyStatusResponse answers a dependency status change: the updated
// dependency and the log entry that records it.
type DependencyStatusResponse struct {
	DependencyResponse
	Change LogResponse `json:"change"`
}
