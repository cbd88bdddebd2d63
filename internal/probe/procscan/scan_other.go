//go:build !linux

package procscan

import "context"

// Scanner reads processes from a proc file system, which only Linux has.
type Scanner struct {
	Root    string
	Workers int
}

// DefaultWorkers is the default bound on reads in flight.
const DefaultWorkers = 16

// Scan returns ErrUnsupported.
func (s *Scanner) Scan(ctx context.Context, need Need) (*Snapshot, error) {
	return nil, ErrUnsupported
}
