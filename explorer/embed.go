// Package explorer holds jixiao's browser pages: the explorer at /explore (filters and charts
// over the analytics API, every chart one GraphQL request) and the GraphiQL IDE at /.
//
// Our pages are in src/ and are served as written. The third-party half — ECharts, and
// GraphiQL with React and Monaco — is built from the npm packages pinned in
// package-lock.json into dist/ by `npm ci && npm run build` (what `go generate ./explorer`
// runs), and embedded by the next `go build`; dist/ is not committed. Without it the pages
// still come up: the explorer shows each chart's numbers as a table and / is a plain query
// console, each with a notice saying how to build the assets. Nothing is loaded from
// another host in either case.
package explorer

//go:generate npm ci --no-audit --no-fund
//go:generate npm run build

import (
	"embed"
	"errors"
	"io/fs"
)

var (
	//go:embed src
	src embed.FS
	//go:embed dist
	dist embed.FS
)

// builtAssets are the files the build writes that the pages load.
var builtAssets = []string{"echarts.min.js", "graphiql.js", "graphiql.css"}

// FS returns the pages and their assets at its root: src/ (ours) and, where built, dist/.
func FS() fs.FS {
	return union{sub(src, "src"), sub(dist, "dist")}
}

// Source returns only our pages, as on a fresh clone before the assets are built.
func Source() fs.FS { return sub(src, "src") }

// Built reports whether the npm-built assets (ECharts, GraphiQL) are embedded.
func Built() bool {
	d := sub(dist, "dist")
	for _, name := range builtAssets {
		if _, err := fs.Stat(d, name); err != nil {
			return false
		}
	}
	return true
}

func sub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a literal embedded above
	}
	return s
}

// union serves a name from the first file system that has it.
type union []fs.FS

func (u union) Open(name string) (fs.File, error) {
	for _, f := range u {
		file, err := f.Open(name)
		if err == nil {
			return file, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
