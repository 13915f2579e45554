package warehouse

import (
	"net/url"
	"strconv"
)

// Option configures Open.
type Option func(*config)

type config struct {
	cacheEntries       int
	threads            int
	memoryLimit        string
	noReadsDuringLoads bool
	review             ReviewOptions
}

// DefaultCacheEntries is how many analytical answers a store keeps unless told otherwise.
const DefaultCacheEntries = 512

// WithResultCache keeps up to entries analytical answers (grouped queries, trends, cost
// ceilings, standards); 0 turns the cache off.
func WithResultCache(entries int) Option { return func(c *config) { c.cacheEntries = entries } }

// WithoutReadsDuringLoads promises that no read statement runs while a load commits — the
// server without /ingest, whose only load is before it serves. DuckDB's
// statistics propagation then stays on: it is off otherwise because plans made during a
// commit can fail (see dsn), and it makes the heavy analytical queries 12–19% faster on a
// 10-million-row warehouse (BENCHMARKS.md). A store opened read-only always has it on.
func WithoutReadsDuringLoads() Option { return func(c *config) { c.noReadsDuringLoads = true } }

// WithThreads sets DuckDB's worker threads; 0 keeps DuckDB's default (one per core).
func WithThreads(n int) Option { return func(c *config) { c.threads = n } }

// WithMemoryLimit sets DuckDB's memory_limit, e.g. "4GB"; "" keeps DuckDB's default (80% of RAM).
func WithMemoryLimit(limit string) Option { return func(c *config) { c.memoryLimit = limit } }

func newConfig(opts []Option) config {
	cfg := config{cacheEntries: DefaultCacheEntries}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// checkpointThreshold is the warehouse's checkpoint_threshold (see dsn).
const checkpointThreshold = "1GB"

// dsn is the query string of the connector DSN: DuckDB's settings for every connection.
//
// Statistics propagation is off: a statement planned while another transaction commits rows
// can be planned with column statistics that the rows it then reads exceed, and the plans
// built on them fail ("Perfect hash aggregate: aggregate group 256 exceeded total groups 256
// … statistics … corrupt", seen on summary and documents queries during loads, with DuckDB
// 1.5 through duckdb-go v2.10506.0) or could pack values wrongly. TestReadsDuringLoads
// reproduces it within a few hundred loads. It stays on where no load can commit during
// reads: read-only stores and WithoutReadsDuringLoads.
//
// Insertion order is not kept: no query relies on it (every listing has an ORDER BY), and
// keeping it costs memory when large tables are scanned and appended. The write-ahead log is
// checkpointed at 1 GB instead of 16 MB: with the default, a bulk load checkpoints every few
// batches and each checkpoint costs more as the warehouse grows (BENCHMARKS.md: 40% of the
// time of storing 4,200 documents); closing the warehouse still checkpoints, and a load's last
// commit checkpoints (LoadTx.CommitCheckpoint).
func (c config) dsn(readOnly bool) string {
	v := url.Values{}
	if !readOnly && !c.noReadsDuringLoads {
		v.Set("disabled_optimizers", "statistics_propagation")
	}
	v.Set("preserve_insertion_order", "false")
	v.Set("checkpoint_threshold", checkpointThreshold)
	if readOnly {
		v.Set("access_mode", "read_only")
	}
	if c.threads > 0 {
		v.Set("threads", strconv.Itoa(c.threads))
	}
	if c.memoryLimit != "" {
		v.Set("memory_limit", c.memoryLimit)
	}
	return v.Encode()
}
