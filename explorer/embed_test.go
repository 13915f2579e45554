package explorer_test

import (
	"io/fs"
	"testing"

	"github.com/jixiao/jixiao/explorer"
)

func TestFS(t *testing.T) {
	for _, name := range []string{"index.html", "explore.html", "explore.js", "explore.css", "console.js", "example.js", "ide.css"} {
		if _, err := fs.Stat(explorer.FS(), name); err != nil {
			t.Errorf("FS: %v", err)
		}
		if _, err := fs.Stat(explorer.Source(), name); err != nil {
			t.Errorf("Source: %v", err)
		}
	}
	// Built says whether the npm-built files are there, in FS and never in Source.
	_, err := fs.Stat(explorer.FS(), "echarts.min.js")
	if built := err == nil; built != explorer.Built() {
		t.Errorf("Built() = %v, but echarts.min.js is in FS: %v", explorer.Built(), built)
	}
	if _, err := fs.Stat(explorer.Source(), "echarts.min.js"); err == nil {
		t.Error("Source has echarts.min.js")
	}
	if _, err := fs.Stat(explorer.FS(), "nothing.js"); err == nil {
		t.Error("FS has nothing.js")
	}
}
