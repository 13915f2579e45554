package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/vikstrous/dataloadgen"
)

// loaders batch the nested lookups of one request: all indicators of a page of projects come
// from one query, not one per project.
type loaders struct {
	indicators *dataloadgen.Loader[string, []domain.Indicator]
	duties     *dataloadgen.Loader[string, []domain.Duty]
	units      *dataloadgen.Loader[string, domain.Unit]
	places     *dataloadgen.Loader[string, warehouse.Place]
	projects   *dataloadgen.Loader[string, domain.Project]
}

type loadersKey struct{}

func newLoaders(store *warehouse.Store) *loaders {
	return &loaders{
		indicators: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]domain.Indicator, error) {
			m, err := store.IndicatorsByProject(ctx, ids)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				if _, ok := m[id]; !ok {
					m[id] = []domain.Indicator{} // a project without indicators is not an error
				}
			}
			return m, nil
		}),
		duties: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]domain.Duty, error) {
			m, err := store.DutiesByProject(ctx, ids)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				if _, ok := m[id]; !ok {
					m[id] = []domain.Duty{} // project tables have none
				}
			}
			return m, nil
		}),
		units: dataloadgen.NewMappedLoader(func(ctx context.Context, codes []string) (map[string]domain.Unit, error) {
			return store.UnitsByCode(ctx, codes)
		}),
		places: dataloadgen.NewMappedLoader(func(ctx context.Context, codes []string) (map[string]warehouse.Place, error) {
			return store.PlacesByCode(ctx, codes)
		}),
		projects: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]domain.Project, error) {
			return store.ProjectsByID(ctx, ids)
		}),
	}
}

// Loaders gives every operation its own loaders, so caches never outlive a request. New
// installs it; a server built otherwise from NewExecutableSchema needs it too.
func Loaders(store *warehouse.Store) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(context.WithValue(ctx, loadersKey{}, newLoaders(store)))
	}
}

func loadersFrom(ctx context.Context) *loaders {
	return ctx.Value(loadersKey{}).(*loaders)
}

// primeUnits reads the units of projects in one statement and primes the request's unit
// loader with them, when the request selects a project's unit at path below the current
// field: each project.unit then answers from the loader's cache at once, where a load waits
// out the batch window (16 ms, dataloadgen's default) — a third of the cost-ceiling chart's
// time over its SQL (issue 17). A failure leaves the fields to load their units themselves.
func primeUnits(ctx context.Context, store *warehouse.Store, projects func(yield func(*domain.Project) bool), path ...string) {
	if graphql.GetFieldContext(ctx) == nil || !reaches(graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx).Field.Selections, path...) {
		return
	}
	var codes []string
	seen := map[string]bool{}
	for p := range projects {
		if c := p.Unit.Code; c != "" && !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return
	}
	units, err := store.UnitsByCode(ctx, codes)
	if err != nil {
		return
	}
	l := loadersFrom(ctx).units
	for code, u := range units {
		l.Prime(code, u)
	}
}
