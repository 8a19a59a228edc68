package notify

import (
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// Discord webhooks take up to ten embeds; the colour is an integer. Mentions
// in user text are switched off with allowed_mentions.

type discordField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

type discordEmbed struct {
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	URL         string         `json:"url,omitempty"`
	Color       int            `json:"color"`
	Fields      []discordField `json:"fields,omitempty"`
	Timestamp   string         `json:"timestamp"`
}

type discordMentions struct {
	Parse []string `json:"parse"`
}

type discordPayload struct {
	Content         string          `json:"content"`
	Embeds          []discordEmbed  `json:"embeds"`
	AllowedMentions discordMentions `json:"allowed_mentions"`
}

func discordMessage(e domain.Event, baseURL string) any {
	m := render(e, baseURL)
	em := discordEmbed{Title: truncate(m.Title, 256), Description: truncate(m.Body, 4096), URL: m.Link,
		Color: colorInt(m.Severity), Timestamp: m.At.UTC().Format(time.RFC3339)}
	for _, f := range m.Fields {
		if len(em.Fields) == 25 {
			break
		}
		em.Fields = append(em.Fields, discordField{Name: truncate(f.Label, 256), Value: truncate(f.Value, 1024), Inline: true})
	}
	return discordPayload{Embeds: []discordEmbed{em}, AllowedMentions: discordMentions{Parse: []string{}}}
}
