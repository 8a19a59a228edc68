package application

import (
	"context"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// CheckBreaches records the SLA breaches that have become certain: for the
// running calendar month, a system whose red time already exceeds the error
// budget of the whole month (even if every remaining minute counted); for
// the month before, a system whose availability ended below its target. A
// breach is recorded once per system and month; OnBreach hears of each new
// one. It returns the new breaches.
func (s *AnalyticsService) CheckBreaches(ctx context.Context) ([]domain.SLABreach, error) {
	now := s.Now()
	month := domain.MonthOf(now)
	last := domain.MonthOf(month.From.Add(-time.Nanosecond))
	running, err := s.Fleet(ctx, domain.Window{From: month.From, To: now})
	if err != nil {
		return nil, err
	}
	ended, err := s.Fleet(ctx, last)
	if err != nil {
		return nil, err
	}
	var found []domain.SLABreach
	for _, sf := range running.Systems {
		f, target := sf.Figures, sf.System.SLATarget
		// The most the month can still count: what it counted so far plus
		// every minute left.
		budget := time.Duration((100 - target) / 100 * float64(f.Counted()+month.To.Sub(now)))
		if f.Red > budget {
			found = append(found, breach(sf.System, month, f, budget, now))
		}
	}
	for _, sf := range ended.Systems {
		f := sf.Figures
		if met, known := f.SLAMet(); known && !met {
			found = append(found, breach(sf.System, last, f, f.ErrorBudget(), now))
		}
	}
	var created []domain.SLABreach
	for _, b := range found {
		isNew, err := s.store.RecordBreach(ctx, &b)
		if err != nil {
			return created, err
		}
		if isNew {
			created = append(created, b)
			if s.OnBreach != nil {
				s.OnBreach(b)
			}
		}
	}
	return created, nil
}

func breach(sys domain.System, period domain.Window, f domain.Figures, budget time.Duration, now time.Time) domain.SLABreach {
	av, _ := f.AvailabilityPercent()
	return domain.SLABreach{
		SystemID: sys.ID, SystemName: sys.Name, PeriodKind: domain.BreachPeriodMonth, Period: period,
		Target: sys.SLATarget, Availability: av, Red: f.Red, Budget: budget, DetectedAt: now,
	}
}

// Breaches lists breaches newest first.
func (s *AnalyticsService) Breaches(ctx context.Context, f domain.BreachFilter) ([]domain.SLABreach, error) {
	if f.SystemID != 0 {
		if _, err := s.systems.GetSystem(ctx, f.SystemID); err != nil {
			return nil, err
		}
	}
	return s.store.ListBreaches(ctx, f)
}

// OpenBreaches counts the breaches nobody acknowledged yet.
func (s *AnalyticsService) OpenBreaches(ctx context.Context) (int, error) {
	return s.store.CountOpenBreaches(ctx)
}

// AcknowledgeBreach records that the actor of ctx has seen breach id. It
// returns ErrNotFound, or ErrConflict when it was acknowledged before.
func (s *AnalyticsService) AcknowledgeBreach(ctx context.Context, id int64) (domain.SLABreach, error) {
	b, err := s.store.GetBreach(ctx, id)
	if err != nil {
		return domain.SLABreach{}, err
	}
	by := ActorFrom(ctx)
	if err := s.store.AcknowledgeBreach(ctx, id, by, s.Now(), audit(ctx, "sla_breach.acknowledge", "sla_breach", id,
		b.SystemName+" "+b.Period.From.Format("2006-01"))); err != nil {
		return domain.SLABreach{}, err
	}
	return s.store.GetBreach(ctx, id)
}

// ReportInput asks for a report over a named calendar period (the last
// complete one) or over From/To.
type ReportInput struct {
	Title  string
	Period string
	From   string
	To     string
}

// CreateReport computes and stores a snapshot of every system's figures and
// every dependency's uptime and checks over the requested period. It
// returns a *ValidationError for a bad title or period.
func (s *AnalyticsService) CreateReport(ctx context.Context, in ReportInput) (domain.SLAReport, error) {
	title, err := domain.ValidateReportTitle(in.Title)
	if err != nil {
		return domain.SLAReport{}, err
	}
	now := s.Now()
	r := domain.SLAReport{Title: title, Period: in.Period, GeneratedAt: now, GeneratedBy: ActorFrom(ctx)}
	if in.From != "" || in.To != "" {
		if in.Period != "" && in.Period != "custom" {
			return domain.SLAReport{}, domain.Invalid("period", "give either period or from and to, not both")
		}
		r.Period = "custom"
		if r.Window, err = domain.ParseWindow("", in.From, in.To, now); err != nil {
			return domain.SLAReport{}, err
		}
	} else if r.Window, err = domain.LastCompletePeriod(in.Period, now); err != nil {
		return domain.SLAReport{}, err
	}
	fleet, err := s.Fleet(ctx, r.Window)
	if err != nil {
		return domain.SLAReport{}, err
	}
	names := map[int64]string{}
	for _, sf := range fleet.Systems {
		names[sf.System.ID] = sf.System.Name
		r.Systems = append(r.Systems, domain.ReportRow(sf.System, sf.Figures))
	}
	if r.Dependencies, err = s.dependencyRows(ctx, s.clip(r.Window), names); err != nil {
		return domain.SLAReport{}, err
	}
	if err := s.store.CreateReport(ctx, &r, audit(ctx, "sla_report.create", "sla_report", 0, title)); err != nil {
		return domain.SLAReport{}, err
	}
	return s.store.GetReport(ctx, r.ID)
}

// dependencyRows computes every dependency's report row over w.
func (s *AnalyticsService) dependencyRows(ctx context.Context, w domain.Window, names map[int64]string) ([]domain.ReportDependency, error) {
	deps, err := s.systems.store.ListAllDependencies(ctx)
	if err != nil {
		return nil, err
	}
	tls, err := s.store.DependencyTimelines(ctx, w, nil)
	if err != nil {
		return nil, err
	}
	maint, err := s.maintenanceBySystem(ctx, w, 0)
	if err != nil {
		return nil, err
	}
	// The finest rollups that still cover the window.
	res := domain.ResolutionDay
	switch d := s.Now().Sub(w.From); {
	case d <= 47*time.Hour:
		res = domain.ResolutionMinute
	case d <= 14*24*time.Hour:
		res = domain.ResolutionHour
	}
	stats, err := s.store.DependencyCheckStats(ctx, res, w)
	if err != nil {
		return nil, err
	}
	rows := make([]domain.ReportDependency, 0, len(deps))
	for _, d := range deps {
		row := domain.ReportDependency{DependencyID: d.ID, SystemID: d.SystemID, SystemName: names[d.SystemID], Name: d.Name}
		if tl, ok := tls[d.ID]; ok {
			f := domain.FiguresOf(w, domain.Summarize(w, tl, maint(d.SystemID)), 0)
			if v, ok := f.UptimePercent(); ok {
				row.Uptime = &v
			}
		}
		if st := stats[d.ID]; st != nil {
			st.Row(&row)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Reports lists reports newest first, without their rows.
func (s *AnalyticsService) Reports(ctx context.Context, beforeID int64, limit int) ([]domain.SLAReport, error) {
	return s.store.ListReports(ctx, beforeID, limit)
}

// Report returns report id with its rows, or ErrNotFound.
func (s *AnalyticsService) Report(ctx context.Context, id int64) (domain.SLAReport, error) {
	return s.store.GetReport(ctx, id)
}

// DeleteReport removes report id. It returns ErrNotFound.
func (s *AnalyticsService) DeleteReport(ctx context.Context, id int64) error {
	r, err := s.store.GetReport(ctx, id)
	if err != nil {
		return err
	}
	return s.store.DeleteReport(ctx, id, audit(ctx, "sla_report.delete", "sla_report", id, r.Title))
}
