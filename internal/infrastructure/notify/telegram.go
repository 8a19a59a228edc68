package notify

import (
	"html"
	"strings"

	"github.com/status-incident/status-incident/internal/domain"
)

// Telegram's sendMessage with parse_mode HTML: every piece of user text is
// escaped, the message is at most 4096 characters.

type telegramLinkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

type telegramPayload struct {
	ChatID             string              `json:"chat_id"`
	Text               string              `json:"text"`
	ParseMode          string              `json:"parse_mode"`
	LinkPreviewOptions telegramLinkPreview `json:"link_preview_options"`
}

func statusEmoji(s domain.Status) string {
	switch s {
	case domain.StatusRed:
		return "🔴"
	case domain.StatusYellow:
		return "🟡"
	}
	return "🟢"
}

func telegramMessage(w domain.Webhook, e domain.Event, baseURL string) any {
	m := render(e, baseURL)
	var b strings.Builder
	b.WriteString(statusEmoji(m.Severity) + " <b>" + html.EscapeString(m.Title) + "</b>\n")
	if m.Body != "" {
		b.WriteString("\n" + html.EscapeString(truncate(m.Body, 3000)) + "\n")
	}
	b.WriteString("\n")
	for _, f := range m.Fields {
		b.WriteString("<b>" + html.EscapeString(f.Label) + ":</b> " + html.EscapeString(f.Value) + "\n")
	}
	b.WriteString("<i>" + fmtTime(m.At) + "</i>")
	if m.Link != "" {
		b.WriteString("\n<a href=\"" + html.EscapeString(m.Link) + "\">" + html.EscapeString(m.LinkText) + "</a>")
	}
	return telegramPayload{ChatID: w.TelegramChatID(), Text: b.String(), ParseMode: "HTML",
		LinkPreviewOptions: telegramLinkPreview{IsDisabled: true}}
}
