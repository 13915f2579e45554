// Package graph is jixiao's GraphQL surface: the schema, thin resolvers over the warehouse,
// per-request loaders and the HTTP handler.
package graph

//go:generate go tool -C .. gqlgen generate

import "github.com/jixiao/jixiao/warehouse"

// Resolver is the root resolver; it holds the warehouse every query reads.
type Resolver struct {
	Store *warehouse.Store
}
