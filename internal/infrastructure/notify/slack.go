package notify

import (
	"strings"

	"github.com/status-incident/status-incident/internal/domain"
)

// Slack incoming webhooks take Block Kit blocks; text is the fallback shown
// in notifications. The blocks sit in an attachment so that its color bar
// shows the status.

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []any       `json:"elements,omitempty"`
}

type slackButton struct {
	Type string    `json:"type"`
	Text slackText `json:"text"`
	URL  string    `json:"url"`
}

type slackAttachment struct {
	Color  string       `json:"color"`
	Blocks []slackBlock `json:"blocks"`
}

type slackPayload struct {
	Text        string            `json:"text"`
	Attachments []slackAttachment `json:"attachments"`
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

func slackMessage(e domain.Event, baseURL string) any {
	m := render(e, baseURL)
	blocks := []slackBlock{{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(m.Title, 150)}}}
	if m.Body != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: truncate(slackEscape(m.Body), 3000)}})
	}
	var fields []slackText
	for _, f := range m.Fields {
		if len(fields) == 10 { // Slack's limit per section
			break
		}
		fields = append(fields, slackText{Type: "mrkdwn", Text: truncate("*"+f.Label+"*\n"+slackEscape(f.Value), 2000)})
	}
	if len(fields) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Fields: fields})
	}
	ctx := []any{slackText{Type: "mrkdwn", Text: fmtTime(m.At)}}
	blocks = append(blocks, slackBlock{Type: "context", Elements: ctx})
	if m.Link != "" {
		blocks = append(blocks, slackBlock{Type: "actions", Elements: []any{
			slackButton{Type: "button", Text: slackText{Type: "plain_text", Text: m.LinkText}, URL: m.Link}}})
	}
	return slackPayload{Text: m.Title, Attachments: []slackAttachment{{Color: colorHex(m.Severity), Blocks: blocks}}}
}
