package graph

import (
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Every extensions.code the API answers with, the site's refusals (web/) included: clients
// branch on these, so they are defined here once and used from here.
const (
	// CodeBadUserInput: an argument the resolvers or the warehouse refuse; the message says
	// what to change.
	CodeBadUserInput = "BAD_USER_INPUT"
	// CodeBadRequest: a request GraphQL cannot read (method, media type, JSON, UTF-8).
	CodeBadRequest = "BAD_REQUEST"
	// CodeParseFailed and CodeValidationFailed: gqlparser's own, for a document that does not
	// parse or validate.
	CodeParseFailed      = errcode.ParseFailed
	CodeValidationFailed = errcode.ValidationFailed
	// CodePersistedQueryNotFound: gqlgen's APQ extension does not know the hash; the client
	// sends the query text.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

	// The limits of one document (limits.go).
	CodeTokenLimit      = "TOKEN_LIMIT"
	CodeDepthLimit      = "DEPTH_LIMIT"
	CodeFieldLimit      = "FIELD_LIMIT"
	CodeDirectiveLimit  = "DIRECTIVE_LIMIT"
	CodeComplexityLimit = "COMPLEXITY_LIMIT"

	// CodeNotFound: a mutation named a row that does not exist (correctEvaluationLink).
	CodeNotFound = "NOT_FOUND"
	// CodeResourceLimit: DuckDB's memory limit stopped a statement.
	CodeResourceLimit = "RESOURCE_LIMIT"
	// CodeTimeout: the request's deadline cancelled it.
	CodeTimeout = "TIMEOUT"
	// CodeCancelled: the client went away.
	CodeCancelled = "CANCELLED"
	// CodeInternal: anything else; the message carries the request id the log has.
	CodeInternal = "INTERNAL"

	// The site's refusals (web/): a body or URL over the cap, the overload queue full, an
	// answer over the cap, a missing or wrong bearer key.
	CodeBodyTooLarge     = "BODY_TOO_LARGE"
	CodeOverloaded       = "OVERLOADED"
	CodeResponseTooLarge = "RESPONSE_TOO_LARGE"
	CodeUnauthenticated  = "UNAUTHENTICATED"
)

// setCode puts code into an error's extensions.
func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}
