package httpserver

import (
	"net/http"

	httpSwagger "github.com/swaggo/http-swagger/v2"

	"github.com/status-incident/status-incident/internal/interfaces/access"
	"github.com/status-incident/status-incident/internal/interfaces/api"
	"github.com/status-incident/status-incident/internal/interfaces/public"
	"github.com/status-incident/status-incident/internal/interfaces/web"

	_ "github.com/status-incident/status-incident/docs" // registers the generated OpenAPI spec
)

// Routes is the one table of every route with the permission it needs.
// A test walks the router and fails on a route that is not declared here.
func Routes(a *api.Handler, p *web.Handler, cfg Config) []access.Route {
	const (
		pub   = access.Public
		read  = access.Read
		write = access.Write
		admin = access.Admin
	)
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	pb := cfg.pub
	return []access.Route{
		// Operations.
		rt(get, "/healthz", pub, healthz),
		rt(get, "/readyz", pub, readyz(cfg.Ready)),
		rt(get, "/metrics", pub, metrics(cfg.Registry, cfg.MetricsToken)),
		rt(get, "/swagger/*", pub, httpSwagger.Handler(httpSwagger.URL("/swagger/doc.json"))),
		rt(get, "/swagger", pub, redirect("/swagger/index.html")),
		rt(get, "/static/*", pub, p.Static),

		// JSON API.
		rt(get, "/api/systems", read, a.ListSystems),
		rt(post, "/api/systems", admin, a.CreateSystem),
		rt(get, "/api/systems/{id}", read, a.GetSystem),
		rt(put, "/api/systems/{id}", admin, a.UpdateSystem),
		rt(del, "/api/systems/{id}", admin, a.DeleteSystem),
		rt(post, "/api/systems/{id}/status", write, a.SetSystemStatus),
		rt(get, "/api/systems/{id}/dependencies", read, a.ListDependencies),
		rt(post, "/api/systems/{id}/dependencies", admin, a.CreateDependency),
		rt(get, "/api/systems/{id}/logs", read, a.ListSystemLogs),
		rt(get, "/api/dependencies/{id}", read, a.GetDependency),
		rt(put, "/api/dependencies/{id}", admin, a.UpdateDependency),
		rt(del, "/api/dependencies/{id}", admin, a.DeleteDependency),
		rt(post, "/api/dependencies/{id}/status", write, a.SetDependencyStatus),
		rt(get, "/api/dependencies/{id}/logs", read, a.ListDependencyLogs),
		rt(post, "/api/dependencies/{id}/heartbeat", admin, a.ConfigureHeartbeat),
		rt(del, "/api/dependencies/{id}/heartbeat", admin, a.DisableHeartbeat),
		rt(post, "/api/dependencies/{id}/check", write, a.CheckNow),
		rt(get, "/api/dependencies/{id}/checks", read, a.ListChecks),
		rt(get, "/api/dependencies/{id}/latency", read, a.Latency),
		rt(get, "/api/dependencies/{id}/uptime", read, a.Uptime),
		rt(get, "/api/push/{token}", pub, a.Push),
		rt(post, "/api/push/{token}", pub, a.Push),
		rt(get, "/api/logs", read, a.ListLogs),
		rt(get, "/api/me", read, a.Me),
		rt(get, "/api/apikeys", admin, a.ListAPIKeys),
		rt(post, "/api/apikeys", admin, a.CreateAPIKey),
		rt(del, "/api/apikeys/{id}", admin, a.DeleteAPIKey),
		rt(put, "/api/apikeys/{id}/toggle", admin, a.ToggleAPIKey),
		rt(get, "/api/users", admin, a.ListUsers),
		rt(post, "/api/users", admin, a.CreateUser),
		rt(get, "/api/users/{id}", admin, a.GetUser),
		rt(put, "/api/users/{id}", admin, a.UpdateUser),
		rt(del, "/api/users/{id}", admin, a.DeleteUser),
		rt(get, "/api/audit", admin, a.ListAudit),
		rt(get, "/api/export", admin, a.Export),
		rt(get, "/api/export/logs", admin, a.ExportLogs),
		rt(post, "/api/import", admin, a.Import),

		// Maintenance.
		rt(get, "/api/maintenances", read, a.ListMaintenances),
		rt(post, "/api/maintenances", write, a.CreateMaintenance),
		rt(get, "/api/maintenances/active", read, a.ActiveMaintenances),
		rt(get, "/api/maintenances/upcoming", read, a.UpcomingMaintenances),
		rt(get, "/api/maintenances/{id}", read, a.GetMaintenance),
		rt(put, "/api/maintenances/{id}", write, a.UpdateMaintenance),
		rt(del, "/api/maintenances/{id}", write, a.DeleteMaintenance),
		rt(post, "/api/maintenances/{id}/cancel", write, a.CancelMaintenance),

		// Incidents.
		rt(get, "/api/incidents", read, a.ListIncidents),
		rt(post, "/api/incidents", write, a.CreateIncident),
		rt(get, "/api/incidents/active", read, a.ActiveIncidents),
		rt(get, "/api/incidents/recent", read, a.RecentIncidents),
		rt(get, "/api/incidents/{id}", read, a.GetIncident),
		rt(put, "/api/incidents/{id}", write, a.UpdateIncident),
		rt(del, "/api/incidents/{id}", admin, a.DeleteIncident),
		rt(post, "/api/incidents/{id}/updates", write, a.AddIncidentUpdate),
		rt(post, "/api/incidents/{id}/acknowledge", write, a.AcknowledgeIncident),
		rt(post, "/api/incidents/{id}/resolve", write, a.ResolveIncident),

		// Webhooks and their delivery log.
		rt(get, "/api/webhooks", admin, a.ListWebhooks),
		rt(post, "/api/webhooks", admin, a.CreateWebhook),
		rt(get, "/api/webhooks/{id}", admin, a.GetWebhook),
		rt(put, "/api/webhooks/{id}", admin, a.UpdateWebhook),
		rt(del, "/api/webhooks/{id}", admin, a.DeleteWebhook),
		rt(post, "/api/webhooks/{id}/test", admin, a.TestWebhook),
		rt(get, "/api/webhooks/{id}/deliveries", admin, a.ListDeliveries),
		rt(post, "/api/deliveries/{id}/retry", admin, a.RetryDelivery),

		// Analytics and SLA.
		rt(get, "/api/analytics", read, a.Analytics),
		rt(get, "/api/systems/{id}/analytics", read, a.SystemAnalytics),
		rt(get, "/api/dependencies/{id}/analytics", read, a.DependencyAnalytics),
		rt(put, "/api/systems/{id}/sla-target", admin, a.SetSLATarget),
		rt(get, "/api/systems/{id}/sla", read, a.SystemSLA),
		rt(get, "/api/systems/{id}/sla/breaches", read, a.ListSystemBreaches),
		rt(get, "/api/sla/breaches", read, a.ListBreaches),
		rt(post, "/api/sla/breaches/{id}/acknowledge", write, a.AcknowledgeBreach),
		rt(get, "/api/sla/reports", read, a.ListReports),
		rt(post, "/api/sla/reports", write, a.CreateReport),
		rt(get, "/api/sla/reports/{id}.csv", read, a.ReportCSV),
		rt(get, "/api/sla/reports/{id}", read, a.GetReport),
		rt(del, "/api/sla/reports/{id}", write, a.DeleteReport),

		// Web pages.
		rt(get, "/", read, p.Dashboard),
		rt(get, "/systems/{id}", read, p.SystemPage),
		// The live regions of the two pages above, for their in-place refresh.
		rt(get, "/fragments/dashboard", read, p.DashboardFragment),
		rt(get, "/fragments/systems/{id}", read, p.SystemFragment),
		rt(post, "/systems/{id}/status", write, p.PostSystemStatus),
		rt(post, "/dependencies/{id}/status", write, p.PostDependencyStatus),
		rt(get, "/dependencies/{id}", read, p.DependencyPage),
		rt(post, "/dependencies/{id}/check", write, p.PostCheckNow),
		rt(post, "/dependencies/{id}/heartbeat", admin, p.PostHeartbeat),
		rt(get, "/dependencies/{id}/heartbeat/delete", admin, p.ConfirmDisableHeartbeat),
		rt(post, "/dependencies/{id}/heartbeat/delete", admin, p.PostDisableHeartbeat),
		rt(get, "/logs", read, p.LogsPage),
		rt(get, "/incidents", read, p.IncidentsPage),
		rt(post, "/incidents", write, p.PostIncident),
		rt(get, "/incidents/{id}", read, p.IncidentPage),
		rt(post, "/incidents/{id}", write, p.PostIncidentEdit),
		rt(post, "/incidents/{id}/updates", write, p.PostIncidentUpdate),
		rt(post, "/incidents/{id}/acknowledge", write, p.PostIncidentAcknowledge),
		rt(post, "/incidents/{id}/resolve", write, p.PostIncidentResolve),
		rt(get, "/incidents/{id}/delete", admin, p.ConfirmDeleteIncident),
		rt(post, "/incidents/{id}/delete", admin, p.DeleteIncident),
		rt(get, "/maintenance", read, p.MaintenancePage),
		rt(post, "/maintenance", write, p.PostMaintenance),
		rt(get, "/maintenance/{id}/edit", write, p.EditMaintenancePage),
		rt(post, "/maintenance/{id}", write, p.PostMaintenanceEdit),
		rt(get, "/maintenance/{id}/cancel", write, p.ConfirmCancelMaintenance),
		rt(post, "/maintenance/{id}/cancel", write, p.CancelMaintenance),
		rt(get, "/maintenance/{id}/delete", write, p.ConfirmDeleteMaintenance),
		rt(post, "/maintenance/{id}/delete", write, p.DeleteMaintenance),
		rt(get, "/analytics", read, p.AnalyticsPage),
		rt(get, "/sla", read, p.SLAPage),
		rt(post, "/sla/breaches/{id}/acknowledge", write, p.PostAcknowledgeBreach),
		rt(post, "/sla/reports", write, p.PostReport),
		rt(get, "/sla/reports/{id}", read, p.ReportPage),
		rt(get, "/sla/reports/{id}/delete", write, p.ConfirmDeleteReport),
		rt(post, "/sla/reports/{id}/delete", write, p.DeleteReport),
		rt(get, "/admin", admin, p.AdminPage),
		rt(post, "/admin/systems", admin, p.AdminCreateSystem),
		rt(get, "/admin/systems/{id}/edit", admin, p.AdminEditSystem),
		rt(post, "/admin/systems/{id}", admin, p.AdminUpdateSystem),
		rt(get, "/admin/systems/{id}/delete", admin, p.AdminConfirmDeleteSystem),
		rt(post, "/admin/systems/{id}/delete", admin, p.AdminDeleteSystem),
		rt(post, "/admin/systems/{id}/dependencies", admin, p.AdminCreateDependency),
		rt(get, "/admin/dependencies/{id}/edit", admin, p.AdminEditDependency),
		rt(post, "/admin/dependencies/{id}", admin, p.AdminUpdateDependency),
		rt(get, "/admin/dependencies/{id}/delete", admin, p.AdminConfirmDeleteDependency),
		rt(post, "/admin/dependencies/{id}/delete", admin, p.AdminDeleteDependency),

		rt(get, "/admin/settings", admin, p.AdminSettingsPage),
		rt(post, "/admin/settings", admin, p.AdminUpdateSettings),

		// The public status page, its Statuspage-compatible JSON, feeds and badges.
		rt(get, "/status", pub, pubFn(pb, (*public.Handler).StatusPage)),
		rt(get, "/status/history", pub, pubFn(pb, (*public.Handler).HistoryPage)),
		rt(get, "/status/incidents/{id}", pub, pubFn(pb, (*public.Handler).IncidentPage)),
		rt(get, "/status/theme.css", pub, pubFn(pb, (*public.Handler).Theme)),
		rt(get, "/status/assets/{name}", pub, pubFn(pb, (*public.Handler).Asset)),
		rt(get, "/status/feed.atom", pub, pubFn(pb, (*public.Handler).Atom)),
		rt(get, "/status/feed.rss", pub, pubFn(pb, (*public.Handler).RSS)),
		rt(get, "/badge/systems/{id}/status.svg", pub, pubFn(pb, (*public.Handler).StatusBadge)),
		rt(get, "/badge/systems/{id}/uptime.svg", pub, pubFn(pb, (*public.Handler).UptimeBadge)),
		rt(get, "/api/v2/summary.json", pub, pubFn(pb, (*public.Handler).Summary)),
		rt(get, "/api/v2/status.json", pub, pubFn(pb, (*public.Handler).Status)),
		rt(get, "/api/v2/components.json", pub, pubFn(pb, (*public.Handler).Components)),
		rt(get, "/api/v2/incidents.json", pub, pubFn(pb, (*public.Handler).Incidents)),
		rt(get, "/api/v2/incidents/unresolved.json", pub, pubFn(pb, (*public.Handler).UnresolvedIncidents)),
		rt(get, "/api/v2/scheduled-maintenances.json", pub, pubFn(pb, (*public.Handler).ScheduledMaintenances)),
		rt(get, "/api/v2/scheduled-maintenances/upcoming.json", pub, pubFn(pb, (*public.Handler).UpcomingMaintenances)),
		rt(get, "/api/v2/scheduled-maintenances/active.json", pub, pubFn(pb, (*public.Handler).ActiveMaintenances)),

		// Sign-in, first-run setup and the user's own account.
		rt(get, "/login", pub, p.LoginPage),
		rt(post, "/login", pub, p.PostLogin),
		rt(post, "/logout", pub, p.PostLogout),
		rt(get, "/setup", pub, p.SetupPage),
		rt(post, "/setup", pub, p.PostSetup),
		rt(get, "/account", read, p.AccountPage),
		rt(post, "/account/password", read, p.PostAccountPassword),

		// Users, API keys and the audit log.
		rt(get, "/admin/users", admin, p.AdminUsersPage),
		rt(post, "/admin/users", admin, p.AdminCreateUser),
		rt(get, "/admin/users/{id}/edit", admin, p.AdminEditUser),
		rt(post, "/admin/users/{id}", admin, p.AdminUpdateUser),
		rt(get, "/admin/users/{id}/delete", admin, p.AdminConfirmDeleteUser),
		rt(post, "/admin/users/{id}/delete", admin, p.AdminDeleteUser),
		rt(get, "/admin/apikeys", admin, p.AdminAPIKeysPage),
		rt(post, "/admin/apikeys", admin, p.AdminCreateAPIKey),
		rt(post, "/admin/apikeys/{id}/toggle", admin, p.AdminToggleAPIKey),
		rt(get, "/admin/apikeys/{id}/delete", admin, p.AdminConfirmDeleteAPIKey),
		rt(post, "/admin/apikeys/{id}/delete", admin, p.AdminDeleteAPIKey),
		rt(get, "/admin/audit", admin, p.AdminAuditPage),

		// Webhooks and their delivery history.
		rt(get, "/admin/webhooks", admin, p.AdminWebhooksPage),
		rt(post, "/admin/webhooks", admin, p.AdminCreateWebhook),
		rt(get, "/admin/webhooks/{id}/edit", admin, p.AdminEditWebhook),
		rt(post, "/admin/webhooks/{id}", admin, p.AdminUpdateWebhook),
		rt(post, "/admin/webhooks/{id}/test", admin, p.AdminTestWebhook),
		rt(get, "/admin/webhooks/{id}/deliveries", admin, p.AdminWebhookDeliveries),
		rt(post, "/admin/deliveries/{id}/retry", admin, p.AdminRetryDelivery),
		rt(get, "/admin/webhooks/{id}/delete", admin, p.AdminConfirmDeleteWebhook),
		rt(post, "/admin/webhooks/{id}/delete", admin, p.AdminDeleteWebhook),
		rt(get, "/admin/backup", admin, p.AdminBackupPage),
		rt(post, "/admin/backup/import", admin, p.AdminImport),
	}
}

func rt(method, pattern string, perm access.Permission, h http.HandlerFunc) access.Route {
	return access.Route{Method: method, Pattern: pattern, Perm: perm, Handler: h}
}

// pubFn binds a public handler method to h; without h (the services it
// needs are not configured) the route is 404.
func pubFn(h *public.Handler, f func(*public.Handler, http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h == nil {
			http.NotFound(w, r)
			return
		}
		f(h, w, r)
	}
}

func redirect(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusMovedPermanently) }
}
