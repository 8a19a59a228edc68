package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// importWriter stores the records of an import inside its transaction and
// maps the file's ids to the stored ones (the same ids in replace mode).
type importWriter struct {
	tx      *sql.Tx
	mode    domain.ImportMode
	version string
	now     time.Time
	res     *domain.ImportResult
	check   *importCheck
	stmts   map[string]*sql.Stmt

	systems map[int64]int64
	deps    map[int64]int64
	// existing are the systems that were already stored (merge).
	existing map[int64]bool
	// recompute are stored systems whose effective status may have
	// changed: original-format systems, and merged systems with new
	// dependencies.
	recompute map[int64]bool
	// wantChanges are change-log ids that incidents refer to; changes maps
	// those that were stored.
	wantChanges map[int64]bool
	changes     map[int64]int64
}

func newImportWriter(tx *sql.Tx, mode domain.ImportMode, version string, now time.Time, res *domain.ImportResult) *importWriter {
	c := newImportCheck()
	c.version = version
	return &importWriter{tx: tx, mode: mode, version: version, now: now, res: res, check: c, stmts: map[string]*sql.Stmt{},
		systems: map[int64]int64{}, deps: map[int64]int64{}, existing: map[int64]bool{}, recompute: map[int64]bool{},
		wantChanges: map[int64]bool{}, changes: map[int64]int64{}}
}

func (w *importWriter) replace() bool { return w.mode == domain.ImportReplace }

// stmt returns the prepared statement for q (imports run the same few
// statements once per record).
func (w *importWriter) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := w.stmts[q]; ok {
		return s, nil
	}
	s, err := w.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	w.stmts[q] = s
	return s, nil
}

func (w *importWriter) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, err := w.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// insert runs an INSERT and returns the new row's id.
func (w *importWriter) insert(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := w.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// lookup runs a query for one id; found is false without a row.
func (w *importWriter) lookup(ctx context.Context, q string, args ...any) (id int64, found bool, err error) {
	s, err := w.stmt(ctx, q)
	if err != nil {
		return 0, false, err
	}
	err = s.QueryRowContext(ctx, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

func (w *importWriter) close() {
	for q, s := range w.stmts {
		s.Close()
		delete(w.stmts, q)
	}
}

// systemID maps a system id of the file to the stored one.
func (w *importWriter) systemID(id int64) int64 { return w.systems[id] }

// dependencyID maps a dependency id of the file (0 stays 0).
func (w *importWriter) dependencyID(id int64) int64 { return w.deps[id] }

// note adds a note once.
func (w *importWriter) note(msg string) {
	if !slices.Contains(w.res.Notes, msg) {
		w.res.Notes = append(w.res.Notes, msg)
	}
}

// clear empties every exported table (children first); what refers to
// them and is not exported (check results, rollups, analytics summaries)
// goes with them by cascade. Users, API keys and the audit log stay.
func (w *importWriter) clear(ctx context.Context) error {
	rows, err := w.tx.QueryContext(ctx, `SELECT dependency_id FROM heartbeats`)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("import: %w", err)
		}
		w.res.DependencyIDs = append(w.res.DependencyIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	for i := len(dumpSections) - 1; i >= 0; i-- {
		tbls := dumpSections[i].tables()
		for j := len(tbls) - 1; j >= 0; j-- {
			if _, err := w.tx.ExecContext(ctx, `DELETE FROM `+tbls[j]); err != nil {
				return fmt.Errorf("import: empty %s: %w", tbls[j], err)
			}
		}
	}
	return nil
}

// recomputeStatuses sets the effective status of the systems in
// w.recompute to the worst of their manual status and their dependencies',
// logging each change with the source import.
func (w *importWriter) recomputeStatuses(ctx context.Context) error {
	ids := make([]int64, 0, len(w.recompute))
	for id := range w.recompute {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		var old, manual string
		if err := w.tx.QueryRowContext(ctx, `SELECT status, manual_status FROM systems WHERE id = ?`, id).Scan(&old, &manual); err != nil {
			return fmt.Errorf("import: recompute status of system %d: %w", id, err)
		}
		worst := domain.Status(manual)
		rows, err := w.tx.QueryContext(ctx, `SELECT status FROM dependencies WHERE system_id = ?`, id)
		if err != nil {
			return fmt.Errorf("import: recompute status of system %d: %w", id, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return fmt.Errorf("import: recompute status of system %d: %w", id, err)
			}
			worst = domain.Worst(worst, domain.Status(s))
		}
		rows.Close()
		if worst == domain.Status(old) {
			continue
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE systems SET status = ? WHERE id = ?`, worst, id); err != nil {
			return fmt.Errorf("import: recompute status of system %d: %w", id, err)
		}
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO status_changes (system_id, old_status, new_status, message, source, actor, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, old, worst, "status recomputed from the imported dependencies",
			domain.SourceImport, domain.ActorSystem, formatTime(w.now)); err != nil {
			return fmt.Errorf("import: log status of system %d: %w", id, err)
		}
	}
	return nil
}

// appliedChangeIDs reads the change-log ids that the incidents section
// refers to, so that the log section can map them while it is stored.
func appliedChangeIDs(dec *json.Decoder) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := eachRecord(dec, func(_ int, r *struct {
		Applied map[int64]int64 `json:"applied_change_ids"`
	}, err error) error {
		for _, c := range r.Applied {
			out[c] = true
		}
		return nil
	})
	return out, err
}

// newPushToken returns a fresh push token, for an imported push heartbeat
// whose token is already in use.
func newPushToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Helpers for nullable columns.

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func dbTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return formatTime(*t)
}
