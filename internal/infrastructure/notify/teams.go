package notify

import (
	"github.com/status-incident/status-incident/internal/domain"
)

// Microsoft Teams workflow webhooks ("Post to a channel when a webhook
// request is received") take a message with one Adaptive Card attachment.

type teamsFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type teamsElement struct {
	Type   string      `json:"type"`
	Text   string      `json:"text,omitempty"`
	Weight string      `json:"weight,omitempty"`
	Size   string      `json:"size,omitempty"`
	Color  string      `json:"color,omitempty"`
	Wrap   bool        `json:"wrap,omitempty"`
	IsSub  bool        `json:"isSubtle,omitempty"`
	Facts  []teamsFact `json:"facts,omitempty"`
}

type teamsAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

type teamsCard struct {
	Schema  string         `json:"$schema"`
	Type    string         `json:"type"`
	Version string         `json:"version"`
	Body    []teamsElement `json:"body"`
	Actions []teamsAction  `json:"actions,omitempty"`
	MSTeams map[string]any `json:"msteams"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     teamsCard `json:"content"`
}

type teamsPayload struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

// teamsColor maps a status to an Adaptive Card text colour.
func teamsColor(s domain.Status) string {
	switch s {
	case domain.StatusRed:
		return "Attention"
	case domain.StatusYellow:
		return "Warning"
	}
	return "Good"
}

func teamsMessage(e domain.Event, baseURL string) any {
	m := render(e, baseURL)
	body := []teamsElement{{Type: "TextBlock", Text: m.Title, Weight: "Bolder", Size: "Medium", Color: teamsColor(m.Severity), Wrap: true}}
	if m.Body != "" {
		body = append(body, teamsElement{Type: "TextBlock", Text: m.Body, Wrap: true})
	}
	facts := make([]teamsFact, len(m.Fields))
	for i, f := range m.Fields {
		facts[i] = teamsFact{Title: f.Label, Value: f.Value}
	}
	if len(facts) > 0 {
		body = append(body, teamsElement{Type: "FactSet", Facts: facts})
	}
	body = append(body, teamsElement{Type: "TextBlock", Text: fmtTime(m.At), IsSub: true, Size: "Small", Wrap: true})
	card := teamsCard{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: body, MSTeams: map[string]any{"width": "Full"}}
	if m.Link != "" {
		card.Actions = []teamsAction{{Type: "Action.OpenUrl", Title: m.LinkText, URL: m.Link}}
	}
	return teamsPayload{Type: "message", Attachments: []teamsAttachment{{
		ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}}
}
