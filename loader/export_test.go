package loader

// Hooks that expose the format readers to the black-box tests.
var (
	ReadDocx = readDocx
	ReadHTML = readHTML
)
