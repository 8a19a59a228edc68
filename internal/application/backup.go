package application

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// BackupService exports the data set, and imports export files after an
// automatic backup of the database when they replace it.
type BackupService struct {
	store BackupStore
	now   func() time.Time
	// mu lets one import run at a time: two would each validate against
	// the state before the other.
	mu        sync.Mutex
	onChanged []func(dependencyIDs []int64)
}

// NewBackupService returns the service. now is the clock (time.Now in main).
func NewBackupService(store BackupStore, now func() time.Time) *BackupService {
	return &BackupService{store: store, now: now}
}

// OnDependenciesChanged registers f, told which dependencies an import
// created, replaced or removed (the heartbeat scheduler reloads them).
func (s *BackupService) OnDependenciesChanged(f func(ids []int64)) {
	s.onChanged = append(s.onChanged, f)
}

// Export streams the export document to w.
func (s *BackupService) Export(ctx context.Context, w io.Writer) error {
	return s.store.Export(ctx, w, s.now())
}

// ExportLogs streams a document with only the change log to w.
func (s *BackupService) ExportLogs(ctx context.Context, w io.Writer) error {
	return s.store.ExportLogs(ctx, w, s.now())
}

// Import reads an export file (our version 2.0 or the original's 1.0) from
// r, validates all of it, and writes it in one transaction. Replace first
// copies the database to a file next to it (ImportResult.Backup). It
// returns *domain.InvalidImportError, with nothing written, when the file
// has problems; read errors of r (such as *http.MaxBytesError) are wrapped.
func (s *BackupService) Import(ctx context.Context, r io.Reader, mode domain.ImportMode) (domain.ImportResult, error) {
	// The file is read three times (index, validate, write): spool it.
	tmp, err := os.CreateTemp("", "status-import-*.json")
	if err != nil {
		return domain.ImportResult{}, fmt.Errorf("import: spool upload: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, r); err != nil {
		return domain.ImportResult{}, fmt.Errorf("import: read upload: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return domain.ImportResult{}, fmt.Errorf("import: %w", err)
	}
	version, err := s.store.CheckImport(ctx, tmp)
	if err != nil {
		return domain.ImportResult{}, err
	}
	var backup string
	if mode == domain.ImportReplace {
		backup = BackupPath(s.store.Path(), "pre-import", s.now())
		for i := 2; fileExists(backup); i++ { // two imports within a millisecond
			backup = fmt.Sprintf("%s-%d.bak", strings.TrimSuffix(BackupPath(s.store.Path(), "pre-import", s.now()), ".bak"), i)
		}
		if err := s.store.Backup(ctx, backup); err != nil {
			return domain.ImportResult{}, fmt.Errorf("import: backup before replace: %w", err)
		}
		if err := pruneBackups(s.store.Path(), "pre-import", KeepImportBackups); err != nil {
			return domain.ImportResult{}, fmt.Errorf("import: %w", err)
		}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return domain.ImportResult{}, fmt.Errorf("import: %w", err)
	}
	a := audit(ctx, "data.import", "data", 0, fmt.Sprintf("%s import of a version %s export", mode, version))
	res, err := s.store.Import(ctx, tmp, mode, a)
	if err != nil {
		return domain.ImportResult{}, err
	}
	res.Backup = backup
	if backup != "" {
		res.Notes = append(res.Notes, "The database as it was before the import was saved to "+backup+".")
	}
	for _, f := range s.onChanged {
		f(res.DependencyIDs)
	}
	return res, nil
}

// BackupPath names a backup of the database at dbPath taken at t for
// reason: "<db>.<reason>-20060102T150405.000Z.bak", next to the database.
func BackupPath(dbPath, reason string, t time.Time) string {
	stamp := strings.ReplaceAll(t.UTC().Format("20060102T150405.000Z"), ".", "")
	return fmt.Sprintf("%s.%s-%s.bak", dbPath, reason, stamp)
}

// KeepImportBackups is how many pre-import backups are kept next to the
// database: each replace import removes the older ones, as migrations do
// with theirs.
const KeepImportBackups = 5

// pruneBackups keeps the newest keep backups that BackupPath named for
// reason next to dbPath, and removes the others.
func pruneBackups(dbPath, reason string, keep int) error {
	matches, err := filepath.Glob(globEscape(dbPath) + "." + reason + "-[0-9]*Z*.bak")
	if err != nil {
		return fmt.Errorf("list %s backups: %w", reason, err)
	}
	if len(matches) <= keep {
		return nil
	}
	// The names differ only in their UTC time stamp: newest last.
	slices.Sort(matches)
	for _, f := range matches[:len(matches)-keep] {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("remove old %s backup: %w", reason, err)
		}
	}
	return nil
}

var globMeta = regexp.MustCompile(`[*?\[\\]`)

// globEscape quotes the characters of p that filepath.Glob reads as a
// pattern.
func globEscape(p string) string { return globMeta.ReplaceAllString(p, `\$0`) }

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
