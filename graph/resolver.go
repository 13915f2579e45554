// Package graph is jixiao's GraphQL surface: the schema, thin resolvers over the warehouse,
// per-request loaders, limits, caches, the one transport with the encodings of an answer, and
// every error code (errcode.go). Routes, keys, caps and the overload queue are web's.
package graph

//go:generate go tool -C .. gqlgen generate

import "github.com/jixiao/jixiao/warehouse"

// Resolver is the root resolver; it holds the warehouse every query reads.
type Resolver struct {
	Store *warehouse.Store
}
