package gen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Stats count what Write wrote.
type Stats struct {
	Documents, Broken, Projects, Indicators int
	Bytes                                   int64
}

// Write writes the corpus into dir, making documents on every core; the files are the same
// whatever the number of cores.
func Write(ctx context.Context, dir string, o Options) (Stats, error) {
	var st Stats
	if err := o.check(); err != nil {
		return st, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return st, fmt.Errorf("create %s: %w", dir, err)
	}
	units := o.units()
	type job struct{ unit, year int }
	jobs := make(chan job)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				f, err := o.document(units, j.unit, j.year)
				if err == nil {
					err = os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				st.Documents++
				st.Bytes += int64(len(f.Data))
				if f.Broken {
					st.Broken++
				} else if f.Want != nil {
					st.Projects += len(f.Want.Projects)
					st.Indicators += f.Want.IndicatorCount()
				}
				mu.Unlock()
			}
		}()
	}
	send := func() error {
		for i := range units {
			for y := o.FirstYear; y <= o.LastYear; y++ {
				select {
				case jobs <- job{i, y}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		return nil
	}
	err := send()
	close(jobs)
	wg.Wait()
	if err != nil {
		return st, err
	}
	return st, firstErr
}
